"""The convention's dated numbers: the one table of the settings kept in the database (the
laptop's own settings are a file, :mod:`regie.settings.laptop`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from regie.models import Base


class ConventionSetting(Base):
    """A number of the convention, valid from a date until the next version."""

    __tablename__ = "convention_setting"
    __table_args__ = (UniqueConstraint("name", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
