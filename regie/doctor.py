"""``regie doctor``: what works on this machine, and how to fix what does not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from regie.db import Database, normalise_url
from regie.i18n import _


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        status = "OK  " if self.ok else "FAIL"
        text = _("{status}  {label} : {detail}").format(
            status=status, label=self.label, detail=self.detail
        )
        if not self.ok and self.fix:
            text += _(" — à faire : {fix}").format(fix=self.fix)
        return text


def check_pcscd() -> Check:
    from smartcard import scard

    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return Check(
            label=_("Service pcscd"),
            ok=False,
            detail=_("injoignable"),
            fix=_(
                "installez et démarrez-le : sudo apt install pcscd && sudo systemctl start pcscd"
            ),
        )
    scard.SCardReleaseContext(context)
    return Check(_("Service pcscd"), True, _("joignable"))


def check_readers() -> Check:
    from smartcard import scard

    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return Check(
            label=_("Lecteurs de cartes"),
            ok=False,
            detail=_("impossible de les lister sans pcscd"),
            fix=_("démarrez pcscd"),
        )
    try:
        hresult, names = scard.SCardListReaders(context, [])
    finally:
        scard.SCardReleaseContext(context)
    names = list(names) if hresult == scard.SCARD_S_SUCCESS else []
    if not names:
        return Check(
            label=_("Lecteurs de cartes"),
            ok=False,
            detail=_("aucun lecteur"),
            fix=_(
                "branchez un lecteur ACR122U ; sous Linux, mettez pn533_usb en liste noire "
                "(voir installer/) puis rebranchez-le"
            ),
        )
    return Check(_("Lecteurs de cartes"), True, ", ".join(names))


def check_serial_ports() -> Check:
    from serial.tools import list_ports

    ports = sorted(port.device for port in list_ports.comports())
    if not ports:
        return Check(
            label=_("Ports série"),
            ok=False,
            detail=_("aucun port série détecté"),
            fix=_(
                "branchez un terminal en USB, ou saisissez son chemin (pty, socket://hôte:port) "
                "dans l'écran Terminaux"
            ),
        )
    return Check(_("Ports série"), True, ", ".join(ports))


def check_database(url: str) -> Check:
    label = _("Base de données")
    parsed = make_url(normalise_url(url))
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file and file != ":memory:" and not Path(file).exists():
        return Check(
            label=label,
            ok=False,
            detail=_("le fichier {database} n'existe pas encore").format(database=parsed.database),
            fix=_("lancez « regie » ou « regie demo » pour la créer"),
        )
    db = Database(url)
    try:
        state = db.schema_state()
    except Exception as error:  # any driver error: say it plainly
        return Check(
            label=label,
            ok=False,
            detail=f"{db.display_name} injoignable ({type(error).__name__}: {_first_line(error)})",
            fix=_("vérifiez l'adresse --db / REGIE_DATABASE_URL et que le serveur tourne"),
        )
    finally:
        db.dispose()
    if not state.up_to_date:
        return Check(
            label=label,
            ok=False,
            detail=_("{display_name} : schéma {current}, attendu {head}").format(
                display_name=db.display_name, current=state.current or _("vide"), head=state.head
            ),
            fix=_("mettez-la à jour : regie db upgrade --db {display_name}").format(
                display_name=db.display_name
            ),
        )
    return Check(
        label,
        True,
        _("{display_name} (schéma {head})").format(display_name=db.display_name, head=state.head),
    )


def check_stripe_key() -> Check:
    from regie.stripe_key import KeyringUnavailable, stripe_secret_key

    label = _("Clé Stripe")
    try:
        key = stripe_secret_key()
    except KeyringUnavailable:
        return Check(
            label=label,
            ok=False,
            detail=_("aucun trousseau système utilisable"),
            fix=_(
                "installez gnome-keyring ou KWallet (paquet python3-secretstorage) "
                "puis enregistrez la clé"
            ),
        )
    if not key:
        return Check(
            label=label,
            ok=False,
            detail=_("aucune clé enregistrée dans le trousseau"),
            fix=_(
                "enregistrez la clé secrète Stripe (service « regie », "
                "compte « stripe-secret-key »)"
            ),
        )
    return Check(label, True, _("présente ({key}…)").format(key=key[:7]))


def run_checks(url: str) -> list[Check]:
    checks: list[Callable[[], Check]] = [
        check_pcscd,
        check_readers,
        check_serial_ports,
        lambda: check_database(url),
        check_stripe_key,
    ]
    results = []
    for check in checks:
        try:
            results.append(check())
        except Exception as error:  # a check that crashes is a failed check, not a traceback
            results.append(Check(getattr(check, "__name__", _("vérification")), False, str(error)))
    return results


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else ""
