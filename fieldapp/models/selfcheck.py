"""What companies keep themselves: risk points and periodic self-checks; and what
inspectors note when they review them remotely ("online patrol")."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock, codes
from fieldapp.db import UTCDateTime, db
from fieldapp.models.enterprises import _in


class RiskPoint(db.Model):
    """风险点: a place or piece of equipment, what can go wrong there, and how it is controlled."""

    __tablename__ = "risk_points"
    __table_args__ = (
        sa.CheckConstraint(_in("risk_level", codes.RISK_GRADES), name="risk_level"),
        sa.CheckConstraint(_in("hazard_type", codes.HAZARD_TYPES), name="hazard_type"),
        sa.CheckConstraint("check_every_days BETWEEN 1 AND 366", name="check_every_days"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    enterprise_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    place: so.Mapped[str] = so.mapped_column(sa.String(200))
    hazard_type: so.Mapped[str] = so.mapped_column(sa.String(24))
    risk_level: so.Mapped[str] = so.mapped_column(sa.String(8))
    control_measures: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    responsible_person: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    #: How often the company must self-check this point.
    check_every_days: so.Mapped[int] = so.mapped_column(default=30)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    @property
    def risk_level_label(self) -> str:
        return codes.label(codes.RISK_GRADES, self.risk_level)

    @property
    def hazard_type_label(self) -> str:
        return codes.label(codes.HAZARD_TYPES, self.hazard_type)


class SelfCheck(db.Model):
    """One self-check round by the company."""

    __tablename__ = "self_checks"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    enterprise_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    checked_on: so.Mapped[date]
    checked_by: so.Mapped[str] = so.mapped_column(sa.String(64))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    items: so.Mapped[list[SelfCheckItem]] = so.relationship(
        back_populates="self_check", cascade="all, delete-orphan", order_by="SelfCheckItem.id"
    )


class SelfCheckItem(db.Model):
    """A risk point looked at during a self-check: fine, or a problem (fixed or not)."""

    __tablename__ = "self_check_items"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    self_check_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("self_checks.id", ondelete="CASCADE"), index=True)
    risk_point_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("risk_points.id", ondelete="CASCADE"), index=True)
    ok: so.Mapped[bool] = so.mapped_column(default=True)
    problem: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    fixed: so.Mapped[bool] = so.mapped_column(default=False)
    fixed_on: so.Mapped[date | None]

    self_check: so.Mapped[SelfCheck] = so.relationship(back_populates="items")
    risk_point: so.Mapped[RiskPoint] = so.relationship()


class PatrolFinding(db.Model):
    """A gap an inspector noted while reviewing a company remotely. It becomes a
    hazard report once the hazard workflow exists (``hazard_id`` then)."""

    __tablename__ = "patrol_findings"
    __table_args__ = (sa.CheckConstraint(_in("status", ("open", "reported", "dismissed")), name="status"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    enterprise_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    inspector_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    #: missing_measures | overdue_check | unfixed_problem | other
    gap_kind: so.Mapped[str] = so.mapped_column(sa.String(24))
    risk_point_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("risk_points.id"))
    self_check_item_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("self_check_items.id"))
    description: so.Mapped[str] = so.mapped_column(sa.Text)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="open")

    inspector = so.relationship("User")
    risk_point: so.Mapped[RiskPoint | None] = so.relationship()
