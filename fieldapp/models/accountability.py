"""Integrity records: leaders' interference (seed 003), clues and feedback from supervisors
and the public (seed 001 art. 19–20), published enforcement bulletins, the working-day
calendar, and the counters that throttle public forms."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


# --- the working-day calendar ----------------------------------------------------------------

class Holiday(db.Model):
    """A configured day off on a weekday, or a working weekend day (调休上班: ``workday``)."""

    __tablename__ = "holidays"

    day: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(50), default="")
    workday: so.Mapped[bool] = so.mapped_column(default=False)


# --- leaders' interference (seed 003) --------------------------------------------------------

#: Seed 003 art. 8, (1)–(8): what the leader did.
INTERFERENCE_CONDUCT = ("case_acceptance", "obstruction", "through_relatives", "exoneration", "shielding",
                        "leaking", "blocking_documents", "other")
#: How the request came.
INTERFERENCE_MANNER = ("in_person", "phone", "written", "through_others", "other")
FOLLOW_UP_STATES = ("received", "verifying", "handled", "referred")


interference_files = sa.Table(
    "interference_files", db.Model.metadata,
    sa.Column("record_id", sa.ForeignKey("interference_records.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("media_id", sa.ForeignKey("media_files.id"), primary_key=True),
)
supplement_files = sa.Table(
    "interference_supplement_files", db.Model.metadata,
    sa.Column("supplement_id", sa.ForeignKey("interference_supplements.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("media_id", sa.ForeignKey("media_files.id"), primary_key=True),
)


class InterferenceRecord(db.Model):
    """A leader's attempt to sway a case, as the officer recorded it. Never edited or deleted:
    later facts come as supplements, the discipline inspectors' work as follow-ups."""

    __tablename__ = "interference_records"
    __table_args__ = (sa.CheckConstraint(_in("manner", INTERFERENCE_MANNER), name="manner"),
                      sa.CheckConstraint(_in("conduct", INTERFERENCE_CONDUCT), name="conduct"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    recorder_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The department whose discipline inspectors receive it (the recorder's).
    org_unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("org_units.id"), index=True)
    leader_name: so.Mapped[str] = so.mapped_column(sa.String(64))
    leader_position: so.Mapped[str] = so.mapped_column(sa.String(100))
    leader_unit: so.Mapped[str] = so.mapped_column(sa.String(100))
    manner: so.Mapped[str] = so.mapped_column(sa.String(16))
    conduct: so.Mapped[str] = so.mapped_column(sa.String(24))
    occurred_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    request: so.Mapped[str] = so.mapped_column(sa.Text)
    case_ref: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    hazard_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("hazards.id"))
    #: Last day it may reach the discipline inspectors: 3 working days after it happened.
    due_on: so.Mapped[date] = so.mapped_column(sa.Date)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    recorder = so.relationship("User", foreign_keys=[recorder_id])
    org_unit = so.relationship("OrgUnit")
    files = so.relationship("MediaFile", secondary=interference_files, order_by="MediaFile.id")
    supplements: so.Mapped[list[InterferenceSupplement]] = so.relationship(
        order_by="InterferenceSupplement.id", back_populates="record")
    follow_ups: so.Mapped[list[InterferenceFollowUp]] = so.relationship(
        order_by="InterferenceFollowUp.id", back_populates="record")


class InterferenceSupplement(db.Model):
    __tablename__ = "interference_supplements"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    record_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("interference_records.id"), index=True)
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    record: so.Mapped[InterferenceRecord] = so.relationship(back_populates="supplements")
    author = so.relationship("User")
    files = so.relationship("MediaFile", secondary=supplement_files, order_by="MediaFile.id")


class InterferenceFollowUp(db.Model):
    """A discipline inspector's step: received, verifying, handled, referred to another body."""

    __tablename__ = "interference_follow_ups"
    __table_args__ = (sa.CheckConstraint(_in("state", FOLLOW_UP_STATES), name="state"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    record_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("interference_records.id"), index=True)
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    state: so.Mapped[str] = so.mapped_column(sa.String(16))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    record: so.Mapped[InterferenceRecord] = so.relationship(back_populates="follow_ups")
    author = so.relationship("User")


#: Rows that are appended, never changed or removed.
APPEND_ONLY = (InterferenceRecord, InterferenceSupplement, InterferenceFollowUp)


# --- clues and feedback (seed 001 art. 19–20) ------------------------------------------------

CLUE_KINDS = ("violation", "hazard", "criticism", "suggestion")
CLUE_STATES = ("received", "handling", "answered", "dismissed")

clue_photos = sa.Table(
    "clue_photos", db.Model.metadata,
    sa.Column("clue_id", sa.ForeignKey("clues.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("photo_id", sa.ForeignKey("photos.id"), primary_key=True),
)


class Clue(db.Model):
    """A clue, complaint, criticism or suggestion from a social supervisor or the public."""

    __tablename__ = "clues"
    __table_args__ = (sa.CheckConstraint(_in("kind", CLUE_KINDS), name="kind"),
                      sa.CheckConstraint(_in("status", CLUE_STATES), name="status"),
                      sa.Index("ix_clues_org_unit_id_status", "org_unit_id", "status"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: What the submitter keeps to follow it: random, not guessable, shown once.
    code: so.Mapped[str] = so.mapped_column(sa.String(16), unique=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    content: so.Mapped[str] = so.mapped_column(sa.Text)
    place: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    enterprise_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    latitude: so.Mapped[float | None] = so.mapped_column()
    longitude: so.Mapped[float | None] = so.mapped_column()
    #: The handling department (the grid's, when sent from a grid's notice board).
    org_unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("org_units.id"))
    grid_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("grids.id"))
    #: A social supervisor's account; None for the anonymous public.
    submitter_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    contact_name: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    contact_phone: so.Mapped[str] = so.mapped_column(sa.String(32), default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="received")
    assignee_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    due_on: so.Mapped[date] = so.mapped_column(sa.Date)
    answer: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    answered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: What it became: a site check of an enterprise by an inspector, or a hazard report.
    task_enterprise_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("enterprises.id"))
    task_inspector_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    task_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    hazard_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("hazards.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    org_unit = so.relationship("OrgUnit")
    grid = so.relationship("Grid")
    submitter = so.relationship("User", foreign_keys=[submitter_id])
    assignee = so.relationship("User", foreign_keys=[assignee_id])
    task_enterprise = so.relationship("Enterprise")
    task_inspector = so.relationship("User", foreign_keys=[task_inspector_id])
    hazard = so.relationship("Hazard")
    photos = so.relationship("Photo", secondary=clue_photos, order_by="Photo.id")
    events: so.Mapped[list[ClueEvent]] = so.relationship(order_by="ClueEvent.id", back_populates="clue")


class ClueEvent(db.Model):
    """One step in handling a clue: who did what, when."""

    __tablename__ = "clue_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    clue_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("clues.id", ondelete="CASCADE"), index=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    action: so.Mapped[str] = so.mapped_column(sa.String(16))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    clue: so.Mapped[Clue] = so.relationship(back_populates="events")
    actor = so.relationship("User")


class Bulletin(db.Model):
    """An enforcement summary published to the social supervisors of a jurisdiction:
    the figures are frozen when published, so it reads the same later."""

    __tablename__ = "bulletins"
    __table_args__ = (sa.UniqueConstraint("org_unit_id", "period_start", "period_end"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    org_unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("org_units.id"), index=True)
    period_start: so.Mapped[date] = so.mapped_column(sa.Date)
    period_end: so.Mapped[date] = so.mapped_column(sa.Date)
    figures: so.Mapped[dict] = so.mapped_column(sa.JSON)
    remarks: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    published_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    published_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    org_unit = so.relationship("OrgUnit")
    published_by = so.relationship("User")


class Portrait(db.Model):
    """A staff member's photo for the public notice board (a table of its own: users and
    photos already point at each other the other way)."""

    __tablename__ = "portraits"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    photo_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("photos.id"))
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    photo = so.relationship("Photo")


# --- throttling public forms -----------------------------------------------------------------

class UsedToken(db.Model):
    """A single-use token already used (a public form's stamp): its second use is refused."""

    __tablename__ = "used_tokens"

    token: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    used_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now, index=True)


class ThrottleHit(db.Model):
    """One use of a throttled action (a public clue, a code look-up) by one key (an IP).
    In the database, so that the limit holds across app instances."""

    __tablename__ = "throttle_hits"
    __table_args__ = (sa.Index("ix_throttle_hits_bucket_key_at", "bucket", "key", "at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    bucket: so.Mapped[str] = so.mapped_column(sa.String(32))
    key: so.Mapped[str] = so.mapped_column(sa.String(64))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
