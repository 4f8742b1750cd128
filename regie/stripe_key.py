"""The Stripe secret key lives in the OS keyring, never in the database or a log."""

from __future__ import annotations

KEYRING_SERVICE = "regie"
KEYRING_USER = "stripe-secret-key"


class KeyringUnavailable(Exception):
    """No usable keyring backend on this machine."""


def stripe_secret_key() -> str | None:
    """The key, or None when none is set. Raises KeyringUnavailable without a keyring."""
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
    except NoKeyringError as error:
        raise KeyringUnavailable(str(error)) from error
    except KeyringError as error:
        raise KeyringUnavailable(str(error)) from error
