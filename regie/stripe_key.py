"""The Stripe secret key lives in the OS keyring, never in the database or a log."""

from __future__ import annotations

from regie.errors import UserError
from regie.i18n import _

KEYRING_SERVICE = "regie"
KEYRING_USER = "stripe-secret-key"
PREFIXES = ("sk_live_", "sk_test_", "rk_live_", "rk_test_")


class KeyringUnavailable(Exception):
    """No usable keyring backend on this machine."""


def no_keyring() -> str:
    # keyring's own message (« No recommended backend was available… ») means nothing to the
    # office: what to install is what helps.
    return _("aucun trousseau de clés sur cet ordinateur : installez gnome-keyring ou KWallet")


def _refused(error: Exception) -> str:
    """What to tell the user when the keyring refused to store or forget the key."""
    from keyring.errors import NoKeyringError

    if isinstance(error, NoKeyringError):
        return no_keyring()
    return _("trousseau de clés indisponible : {error}").format(error=error)


def stripe_secret_key() -> str | None:
    """The key, or None when none is set. Raises KeyringUnavailable without a keyring."""
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
    except NoKeyringError as error:
        raise KeyringUnavailable(no_keyring()) from error
    except KeyringError as error:
        raise KeyringUnavailable(str(error)) from error


def set_stripe_secret_key(key: str) -> None:
    """Store the key (``sk_…`` or a restricted ``rk_…``) in the keyring."""
    import keyring
    from keyring.errors import KeyringError

    key = key.strip()
    if not key.startswith(PREFIXES) or len(key) < 12 or any(c.isspace() for c in key):
        raise UserError(_("ce n'est pas une clé secrète Stripe (sk_live_…, sk_test_…, rk_…)"))
    try:
        keyring.set_password(KEYRING_SERVICE, KEYRING_USER, key)
    except KeyringError as error:
        raise UserError(_refused(error)) from error


def clear_stripe_secret_key() -> bool:
    """Forget the key; False when there was none."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, KEYRING_USER)
    except PasswordDeleteError:
        return False
    except KeyringError as error:
        raise UserError(_refused(error)) from error
    return True


def require_stripe_key() -> str:
    """The key, or a UserError saying how to set one."""
    try:
        key = stripe_secret_key()
    except KeyringUnavailable as error:
        raise UserError(
            _(
                "trousseau de clés indisponible ({error}) : la clé Stripe ne peut pas être lue"
            ).format(error=error)
        ) from error
    if not key:
        raise UserError(
            _(
                "aucune clé Stripe enregistrée : ajoutez-la (Règlement › Stripe) ; elle est "
                "gardée dans le trousseau du système, jamais dans la base"
            ),
            command=_(
                "aucune clé Stripe enregistrée : ajoutez-la avec « regie stripe key set » "
                "(elle est gardée dans le trousseau du système, jamais dans la base)"
            ),
        )
    return key


def masked(key: str) -> str:
    """``sk_live_…3f9a``: enough to recognise a key, never enough to use it."""
    return f"{key[:8]}…{key[-4:]}"
