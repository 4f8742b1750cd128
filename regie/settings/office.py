"""The office's settings, read from and written to where they already live in the database.

- ``organisation.*``: the columns of the organisation that issues the invoices (the one the
  convention's ``partner`` setting names), as printed on every invoice;
- ``office.timezone``: the events' clock (:mod:`regie.settings.event_zone`);
- ``convention.*``: the convention's dated settings (:mod:`regie.settings.convention`); a
  change here records a new version from today, the past keeps its values.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie import clock
from regie.errors import NotFound
from regie.i18n import _
from regie.models import Organisation
from regie.people.actor import require
from regie.people.roles import Permission
from regie.settings.convention import set_setting, settings_at
from regie.settings.event_zone import set_zone, stored_zone
from regie.settings.registry import OFFICE, BadValue, Setting, Value, setting

NOTE = "Préférences"  # the note of a convention version recorded here (data, not a screen text)


def invoicing_organisation(session: Session, day: dt.date | None = None) -> Organisation:
    """The organisation that issues the invoices on ``day`` (the convention's ``partner``)."""
    short_name = settings_at(session, day or clock.today()).text("partner")
    found = session.scalar(select(Organisation).where(Organisation.short_name == short_name))
    if found is None:
        raise NotFound(
            _(
                "l'organisation qui facture, « {name} », n'existe pas : ajoutez-la (Inventaire › "
                "Référentiel › « Nouvelle organisation… »)"
            ).format(name=short_name),
            command=_(
                "l'organisation qui facture, « {name} », n'existe pas : "
                "regie inventory add organisation {name}"
            ).format(name=short_name),
        )
    return found


def office_values(session: Session) -> dict[str, Value]:
    """Every office setting's value in force today."""
    convention = settings_at(session, clock.today()).values
    values: dict[str, Value] = {}
    organisation: Organisation | None
    try:
        organisation = invoicing_organisation(session)
    except NotFound:
        organisation = None
    for item in OFFICE:
        group, _dot, name = item.key.partition(".")
        if group == "organisation":
            values[item.key] = getattr(organisation, name) if organisation else ""
        elif item.key == "office.timezone":
            values[item.key] = stored_zone(session)
        else:
            values[item.key] = convention[name]
    return values


def set_office(session: Session, key: str, value: Value) -> None:
    """Record one office setting (checked first: BadValue or NotFound, nothing changed)."""
    item = _office(key)
    checked = item.check(value)
    group, _dot, name = key.partition(".")
    if key == "office.timezone":
        assert isinstance(checked, str)
        set_zone(session, checked)
        return
    if group == "organisation":
        # who invoices, under which number: the office's identity, a manager's to change
        require(session, Permission.CHANGE_SETTINGS)
        assert isinstance(checked, str)
        if name == "siret" and checked and (not checked.isdigit() or len(checked) not in (9, 14)):
            raise BadValue(
                _("SIREN/SIRET invalide « {siret} » (9 ou 14 chiffres)").format(siret=checked)
            )
        if name == "name" and not checked:
            raise BadValue(_("{key} : ne peut pas être vide").format(key=key))
        setattr(invoicing_organisation(session), name, checked)
        session.flush()
        return
    if settings_at(session, clock.today()).values[name] != checked:
        set_setting(session, name, str(_stored_text(item, checked)), clock.today(), NOTE)


def _stored_text(item: Setting, value: Value) -> str:
    """The text ``set_setting`` parses back to ``value``: cents and basis points as decimals."""
    if item.kind in ("cents", "bp") and isinstance(value, int):
        whole, part = divmod(value, 100)
        return f"{whole}.{part:02d}"
    return str(value)


def _office(key: str) -> Setting:
    item = setting(key)
    if item.scope != "office":
        raise BadValue(_("{key} est un réglage de cet ordinateur").format(key=key))
    return item
