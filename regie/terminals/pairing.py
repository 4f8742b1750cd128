"""Pairing: each terminal of the fleet holds a secret that Régie made and handed over the cable.

Régie draws 32 random bytes the first time it configures a terminal, keeps them in the OS
keyring (never in the database, never in a backup) under the terminal's inventory tag and
serial number, and sends them with the configuration (a PAIR message, right after HELLO). The
terminal signs with it every journal line and every batch it hands back
(:mod:`regie.ledger.journal_signature`); the HELLO says which key it holds by its public name,
so Régie pairs again only a terminal that lost it (reset) or holds another one.

Only a terminal announcing the serial number the inventory records is paired; the pull
refuses a terminal that announces none, another one, or that is not paired with this office.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from sqlalchemy.orm import Session

from regie.db import Database
from regie.errors import UserError
from regie.i18n import _
from regie.inventory.models import Asset
from regie.ledger.journal_signature import SECRET_SIZE, key_id
from regie.stripe_key import no_keyring
from regie.terminals.link import Hello, LinkError, TerminalLink
from regie.terminals.registry import find_terminal, note_hello, record_event

KEYRING_SERVICE = "regie-terminal"
# A fleet push pairs several terminals at once, one thread each: one keyring call at a time
# (and no two secrets drawn for one terminal).
_KEYRING = threading.RLock()


class WrongTerminal(LinkError):
    pass


def check_identity(hello: Hello, name: str, serial: str, port: str) -> None:
    """The port must lead to this terminal: a swapped cable must not configure the wrong one."""
    if hello.terminal and hello.terminal != name:
        raise WrongTerminal(
            _("le port {port} mène au terminal {terminal}, pas à {name}").format(
                port=port, terminal=hello.terminal, name=name
            )
        )
    if serial and hello.serial and hello.serial != serial:
        raise WrongTerminal(
            _(
                "le port {port} mène à un terminal de numéro de série "
                "{serial}, or {name} est le {serial2} : vérifiez le câble"
            ).format(port=port, serial=hello.serial, name=name, serial2=serial)
        )


class NotPaired(LinkError):
    """The terminal cannot prove it is the one of the inventory."""


@dataclass(frozen=True, kw_only=True)
class Identity:
    """Who a terminal of the fleet is in the inventory."""

    name: str
    tag: str
    serial: str

    @property
    def keyring_user(self) -> str:
        return f"{self.tag} {self.serial}"


def identity(session: Session, name: str) -> Identity:
    terminal = find_terminal(session, name)
    asset = session.get(Asset, terminal.asset_id) if terminal.asset_id is not None else None
    return Identity(
        name=terminal.name,
        tag=asset.tag if asset is not None else "",
        serial=(asset.serial_number or "").strip() if asset is not None else "",
    )


def stored_secret(who: Identity) -> bytes | None:
    """The terminal's secret from the keyring, None when this computer never paired it."""
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    if not who.serial:
        return None
    try:
        with _KEYRING:
            found = keyring.get_password(KEYRING_SERVICE, who.keyring_user)
    except NoKeyringError as error:
        raise UserError(no_keyring()) from error
    except KeyringError as error:
        raise UserError(
            _("trousseau de clés indisponible : {error}").format(error=error)
        ) from error
    try:
        secret = bytes.fromhex(found) if found else None
    except ValueError:
        return None  # not ours: pair again
    return secret if secret is not None and len(secret) == SECRET_SIZE else None


def secret_for(who: Identity) -> bytes:
    """The terminal's secret, drawn and kept in the keyring the first time."""
    import keyring
    from keyring.errors import KeyringError

    with _KEYRING:
        found = stored_secret(who)
        if found is not None:
            return found
        secret = secrets.token_bytes(SECRET_SIZE)
        try:
            keyring.set_password(KEYRING_SERVICE, who.keyring_user, secret.hex())
        except KeyringError as error:
            raise UserError(
                _("trousseau de clés indisponible : {error}").format(error=error)
            ) from error
    return secret


def check_serial(hello: Hello, who: Identity, port: str) -> None:
    """The terminal must announce the serial number the inventory records for it."""
    if not who.serial:
        raise NotPaired(
            _(
                "{name} : l'inventaire ne connaît pas son numéro de série ; "
                "notez-le sur le matériel {tag} avant de l'appairer"
            ).format(name=who.name, tag=who.tag)
        )
    if not hello.serial:
        raise NotPaired(
            _(
                "le terminal sur {port} n'annonce aucun numéro de série : ce n'est pas "
                "{name} ({serial}) tel que l'inventaire le connaît ; rien n'est relevé"
            ).format(port=port, name=who.name, serial=who.serial)
        )
    if hello.serial != who.serial:
        raise WrongTerminal(
            _(
                "le terminal sur {port} annonce le numéro de série {announced}, inconnu pour "
                "{name} (l'inventaire dit {serial}) : rien n'est relevé"
            ).format(port=port, announced=hello.serial, name=who.name, serial=who.serial)
        )


def ensure_paired(link: TerminalLink, hello: Hello, who: Identity) -> bool:
    """Hand the terminal its secret unless it holds it already; True when it was sent.
    A terminal announcing no serial, or another one, gets nothing."""
    if not who.serial or hello.serial != who.serial:
        return False
    try:
        secret = secret_for(who)
    except UserError as error:  # no keyring: say it as the push's failure
        raise NotPaired(str(error)) from None
    if hello.paired == key_id(secret):
        return False
    if link.pair(terminal=who.name, serial=who.serial, secret=secret) != key_id(secret):
        raise NotPaired(_("le terminal n'a pas gardé le secret d'appairage"))
    return True


def pull_secret(hello: Hello, who: Identity, port: str) -> bytes:
    """The secret a pull checks the terminal's signatures with, or why there is none."""
    check_serial(hello, who, port)
    secret = stored_secret(who)
    if secret is None:
        raise NotPaired(
            _(
                "{name} n'est pas appairé à cet ordinateur : envoyez-lui sa configuration par le "
                "câble (Terminaux › « Envoyer la configuration… ») puis relevez-le"
            ).format(name=who.name),
            command=_(
                "{name} n'est pas appairé à cet ordinateur : poussez-lui sa configuration "
                "par le câble (regie terminals push {name}) puis relevez-le"
            ).format(name=who.name),
        )
    if hello.paired != key_id(secret):
        raise NotPaired(
            _(
                "{name} ne détient pas le secret de cet ordinateur (réinitialisé, ou un autre "
                "appareil) : poussez-lui sa configuration pour l'appairer à nouveau"
            ).format(name=who.name)
        )
    return secret


def pair_terminal(db: Database, name: str, port: str, *, timeout: float = 3.0) -> str:
    """Pair one terminal over ``port`` (what a push does first); the message to show."""
    with db.session() as session:
        who = identity(session, name)
    link = TerminalLink(port, timeout=timeout)
    ok, message = False, ""
    try:
        with link:
            hello = link.greet()
            check_identity(hello, name, who.serial, port)
            check_serial(hello, who, port)
            sent = ensure_paired(link, hello, who)
        ok = True
        message = (
            _("{name} : appairé (clé {key})") if sent else _("{name} : déjà appairé (clé {key})")
        ).format(name=name, key=key_id(secret_for(who)))
        return message
    except LinkError as error:
        message = f"{name} : {error}"
        raise LinkError(message) from None
    finally:
        with db.session() as session:
            terminal = find_terminal(session, name)
            if link.hello is not None:
                note_hello(session, terminal, link.hello, port)
            record_event(session, terminal, "pair", ok, port, message)
