"""The working-day calendar: public holidays and working weekend days."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp.db import db


class Holiday(db.Model):
    """A configured day off on a weekday, or a working weekend day (调休上班: ``workday``)."""

    __tablename__ = "holidays"

    day: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(50), default="")
    workday: so.Mapped[bool] = so.mapped_column(default=False)
    #: Loaded from the State Council's calendar (``fieldapp calendar load``); an admin's own row
    #: is not, and the loader never writes over it.
    official: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
