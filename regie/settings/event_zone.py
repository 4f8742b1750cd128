"""The events' clock: the time zone every screen, PDF and export shows moments in.

Moments are stored in UTC; people read them on the clock of the place the festival happens
(Europe/Paris unless the office says otherwise: a festival in Martinique reads Fort-de-France
time). An office setting (``office.timezone``), kept in the base so every laptop of a shared
office reads the same clock; it lives as a row of the dated settings' table (the newest one
counts) so that changing it is recorded by the audit like any setting.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from regie import clock
from regie.db import Database
from regie.i18n import DEFAULT_ZONE, UnknownZone, set_event_zone
from regie.people.actor import require
from regie.people.roles import Permission
from regie.settings.models import ConventionSetting

ROW_NAME = "office.timezone"  # not a convention option: the convention's screens skip it
NOTE = "Fuseau horaire"  # data, not a screen text

# Where a French festival happens: the mainland, then the overseas departments and
# territories (a choice list: a zone typed by hand is a zone mistyped).
ZONES: tuple[str, ...] = (
    "Europe/Paris",
    "America/Martinique",
    "America/Guadeloupe",
    "America/Cayenne",
    "America/Miquelon",
    "Indian/Reunion",
    "Indian/Mayotte",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "Pacific/Wallis",
    "Europe/Brussels",
    "Europe/Zurich",
    "UTC",
)


def stored_zone(session: Session) -> str:
    """The office's time zone (the default when never set)."""
    found = session.scalar(
        select(ConventionSetting.value)
        .where(ConventionSetting.name == ROW_NAME)
        .order_by(ConventionSetting.valid_from.desc(), ConventionSetting.id.desc())
        .limit(1)
    )
    return found or DEFAULT_ZONE


def set_zone(session: Session, name: str) -> None:
    """Record the office's time zone (from today) and read every moment on it from now on."""
    require(session, Permission.CHANGE_SETTINGS)
    set_event_zone(name)  # raises UnknownZone before anything is written
    today = clock.today()
    row = session.scalar(
        select(ConventionSetting).where(
            ConventionSetting.name == ROW_NAME, ConventionSetting.valid_from == today
        )
    )
    if row is None:
        row = ConventionSetting(name=ROW_NAME, valid_from=today, value=name, note=NOTE)
        session.add(row)
    row.value = name
    session.flush()


def read_zone_of(db: Database) -> None:
    """Show moments on the clock of the base just opened (a base not yet created, or too old
    to hold the setting, keeps the default)."""
    try:
        with db.session() as session:
            name = stored_zone(session)
    except SQLAlchemyError:
        name = DEFAULT_ZONE
    try:
        set_event_zone(name)
    except UnknownZone:  # written by a newer Régie or by hand: the default beats a crash
        set_event_zone(DEFAULT_ZONE)
