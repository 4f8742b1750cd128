"""A prestation as the settlement sees it: its client, its days, its time window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.errors import NotFound
from regie.i18n import _
from regie.models import Organisation, Prestation

# Online top-ups start weeks before the gates open; payouts and refunds come weeks after.
BEFORE = dt.timedelta(days=60)
AFTER = dt.timedelta(days=45)


@dataclass(frozen=True, kw_only=True)
class Event:
    id: int
    name: str
    client: str
    starts_on: dt.date
    ends_on: dt.date
    place: str

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def window(self) -> tuple[int, int]:
        """Seconds since the epoch: what belongs to the event's money."""
        start = dt.datetime.combine(self.starts_on - BEFORE, dt.time(), tzinfo=dt.UTC)
        end = dt.datetime.combine(self.ends_on + AFTER, dt.time(), tzinfo=dt.UTC)
        return int(start.timestamp()), int(end.timestamp())

    def end_moment(self) -> dt.datetime:
        return dt.datetime.combine(self.ends_on + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def find_event(session: Session, name: str) -> Event:
    row = session.execute(
        select(Prestation, Organisation.short_name)
        .join(Organisation, Prestation.client_id == Organisation.id)
        .where(Prestation.name == name)
    ).first()
    if row is None:
        known = ", ".join(session.scalars(select(Prestation.name).order_by(Prestation.starts_on)))
        raise NotFound(
            _("prestation inconnue : « {name} » (connues : {known})").format(
                name=name, known=known or _("aucune")
            )
        )
    prestation, client = row
    return Event(
        id=prestation.id,
        name=prestation.name,
        client=client,
        starts_on=prestation.starts_on,
        ends_on=prestation.ends_on,
        place=prestation.place,
    )


def window_of(session: Session, name: str | None) -> tuple[int, int] | None:
    return find_event(session, name).window() if name else None
