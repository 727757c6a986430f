"""The inspector corps (seed 001 art. 6–16, 22–26; seed 002 art. 9–20): each inspector's record,
work IDs, equipment issued, training sessions and attendance."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


INSPECTOR_KINDS = ("grid", "technical_full", "technical_part")
CORPS_STATUSES = ("candidate", "training", "active", "suspended", "dismissed")
CONTRACT_TYPES = ("staff", "labour", "dispatch", "part_time", "purchase")
TRAINING_KINDS = ("pre_job", "in_service")
EQUIPMENT_ITEMS = ("helmet", "terminal", "protective", "badge", "other")


class InspectorRecord(db.Model):
    """What the department keeps about one inspector beside the account."""

    __tablename__ = "inspector_records"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", INSPECTOR_KINDS), name="kind"),
        sa.CheckConstraint(_in("status", CORPS_STATUSES), name="status"),
        sa.CheckConstraint("term_end IS NULL OR term_start IS NULL OR term_end >= term_start", name="term"),
    )

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16), default="grid")
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="candidate")
    degree: so.Mapped[str] = so.mapped_column(sa.String(32), default="")
    title: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    registered_safety_engineer: so.Mapped[bool] = so.mapped_column(default=False)
    qualifications: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    contract_type: so.Mapped[str] = so.mapped_column(sa.String(16), default="labour")
    term_start: so.Mapped[date | None] = so.mapped_column(sa.Date)
    term_end: so.Mapped[date | None] = so.mapped_column(sa.Date)
    #: The dismissal's public notice (seed 001 art. 25), once posted.
    dismissal_notice: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    dismissed_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    #: Codes of the grids served when dismissed ("G-1 G-2"): their boards show the notice.
    dismissal_grids: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    user = so.relationship("User")


class WorkIdIssue(db.Model):
    """Every work-ID number ever issued; a number is never issued twice, even once revoked."""

    __tablename__ = "work_id_issues"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    #: Numbering series (region code + year): the sequence runs within it.
    series: so.Mapped[str] = so.mapped_column(sa.String(24), index=True)
    seq: so.Mapped[int] = so.mapped_column()
    issued_on: so.Mapped[date] = so.mapped_column(sa.Date)
    revoked_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    issued_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))


class Equipment(db.Model):
    """An item issued to a person (helmet, mobile terminal, protective gear), until returned."""

    __tablename__ = "equipment"
    __table_args__ = (sa.CheckConstraint(_in("item", EQUIPMENT_ITEMS), name="item"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    item: so.Mapped[str] = so.mapped_column(sa.String(16))
    serial: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    issued_on: so.Mapped[date] = so.mapped_column(sa.Date)
    returned_on: so.Mapped[date | None] = so.mapped_column(sa.Date)


class TrainingSession(db.Model):
    __tablename__ = "training_sessions"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", TRAINING_KINDS), name="kind"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates"),
        sa.CheckConstraint("days > 0", name="days"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    org_unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("org_units.id"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    kind: so.Mapped[str] = so.mapped_column(sa.String(12))
    starts_on: so.Mapped[date] = so.mapped_column(sa.Date)
    ends_on: so.Mapped[date] = so.mapped_column(sa.Date)
    #: Training days the session is worth (half days allowed).
    days: so.Mapped[float] = so.mapped_column(sa.Numeric(5, 1))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    org_unit = so.relationship("OrgUnit")
    attendance: so.Mapped[list[TrainingAttendance]] = so.relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="TrainingAttendance.user_id"
    )


class TrainingAttendance(db.Model):
    __tablename__ = "training_attendance"
    __table_args__ = (
        sa.CheckConstraint("days >= 0", name="days"),
        sa.CheckConstraint("exam_score IS NULL OR (exam_score >= 0 AND exam_score <= 100)", name="score"),
        sa.Index("ix_training_attendance_user_id", "user_id"),
    )

    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    days: so.Mapped[float] = so.mapped_column(sa.Numeric(5, 1))
    exam_score: so.Mapped[int | None] = so.mapped_column()
    passed: so.Mapped[bool | None] = so.mapped_column()

    session: so.Mapped[TrainingSession] = so.relationship(back_populates="attendance")
    user = so.relationship("User")


ASSESSMENT_GRADES = ("excellent", "good", "pass", "fail")


class AssessmentItem(db.Model):
    """A score item of the half-yearly assessment (seed 002 art. 17–19), configured per department;
    ``metric`` names a figure the system pre-fills beside it."""

    __tablename__ = "assessment_items"
    __table_args__ = (sa.CheckConstraint("max_score > 0 AND max_score <= 100", name="max_score"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    org_unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("org_units.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    max_score: so.Mapped[int] = so.mapped_column()
    metric: so.Mapped[str] = so.mapped_column(sa.String(32), default="")
    position: so.Mapped[int] = so.mapped_column(default=0)
    active: so.Mapped[bool] = so.mapped_column(default=True)


class Assessment(db.Model):
    """One person's assessment for one half-year; figures and item names frozen when scored."""

    __tablename__ = "assessments"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "half"),
        sa.CheckConstraint(_in("grade", ASSESSMENT_GRADES), name="grade"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: "2026-H2"
    half: so.Mapped[str] = so.mapped_column(sa.String(8))
    assessor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    figures: so.Mapped[dict] = so.mapped_column(sa.JSON)
    scores: so.Mapped[list] = so.mapped_column(sa.JSON)  # [{"item", "max", "score"}]
    total: so.Mapped[int] = so.mapped_column()
    max_total: so.Mapped[int] = so.mapped_column()
    grade: so.Mapped[str] = so.mapped_column(sa.String(12))
    comments: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    user = so.relationship("User", foreign_keys=[user_id])
    assessor = so.relationship("User", foreign_keys=[assessor_id])


LEAVE_KINDS = ("annual", "sick", "personal", "other")
LEAVE_STATES = ("pending", "approved", "rejected", "cancelled")


class LeaveRequest(db.Model):
    """A day off asked for by an inspector and approved by the admin (seed 002 art. 9)."""

    __tablename__ = "leave_requests"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", LEAVE_KINDS), name="kind"),
        sa.CheckConstraint(_in("status", LEAVE_STATES), name="status"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates"),
        sa.Index("ix_leave_requests_user_id_starts_on", "user_id", "starts_on"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(12))
    starts_on: so.Mapped[date] = so.mapped_column(sa.Date)
    ends_on: so.Mapped[date] = so.mapped_column(sa.Date)
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="pending")
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    decision_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    user = so.relationship("User", foreign_keys=[user_id])
