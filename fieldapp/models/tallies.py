"""Running hazard figures per department, China-time month, industry and level (issue: dashboards).

The statistics page of a large scope reads these few thousand rows instead of every hazard of a
district (a department's grids are its drill-down, read from the hazards). The
database keeps them: triggers on ``hazards`` (and on ``enterprises.industry`` and ``grids.org_unit_id``) add a hazard's
contribution and take back the old one in the same transaction as every step, whoever writes —
the services, the sync, a bulk move of an enterprise to another grid or a hand-made SQL fix
(migration 0013). ``services.hazard_tallies.drift`` compares them with a recount.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp.db import db


class HazardTally(db.Model):
    """``month`` is the first day of a China-time month. Hazards found, and rejected, count in
    the month they were reported; confirmed in the month of confirmation, with
    ``confirmed_closed`` the ones of those closed since; closed in the month of closure;
    ``rectifying_due`` counts the hazards under rectification now by the month of their deadline
    (so past months hold the overdue ones).
    ``org_unit_id`` is the department of the hazard's grid, ``industry``
    the enterprise's ('' when unknown), ``level`` the graded one or else the
    proposed one."""

    __tablename__ = "hazard_tallies"

    org_unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("org_units.id"), primary_key=True)
    month: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    industry: so.Mapped[str] = so.mapped_column(sa.String(8), primary_key=True)
    level: so.Mapped[str] = so.mapped_column(sa.String(8), primary_key=True)
    found: so.Mapped[int] = so.mapped_column(default=0)
    confirmed: so.Mapped[int] = so.mapped_column(default=0)
    rejected: so.Mapped[int] = so.mapped_column(default=0)
    closed: so.Mapped[int] = so.mapped_column(default=0)
    confirmed_closed: so.Mapped[int] = so.mapped_column(default=0)
    rectifying_due: so.Mapped[int] = so.mapped_column(default=0)


class HazardCloseDays(db.Model):
    """How many hazards of a department closed in a China-time month took ``days`` calendar days
    (China dates) from confirmation to closure: the median of a large scope without reading
    every closure. Kept by the same triggers as the tallies."""

    __tablename__ = "hazard_close_days"

    org_unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("org_units.id"), primary_key=True)
    month: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    days: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    n: so.Mapped[int] = so.mapped_column(default=0)
