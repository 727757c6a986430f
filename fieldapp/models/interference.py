"""Records of leaders' interference (seed 003): appended, never changed or removed."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db
from fieldapp.models.enterprises import _in

#: Seed 003 art. 8, (1)–(8): what the leader did.
INTERFERENCE_CONDUCT = (
    "case_acceptance",
    "obstruction",
    "through_relatives",
    "exoneration",
    "shielding",
    "leaking",
    "blocking_documents",
    "other",
)


#: How the request came.
INTERFERENCE_MANNER = ("in_person", "phone", "written", "through_others", "other")


FOLLOW_UP_STATES = ("received", "verifying", "handled", "referred")


interference_files = sa.Table(
    "interference_files",
    db.Model.metadata,
    sa.Column("record_id", sa.ForeignKey("interference_records.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("media_id", sa.ForeignKey("media_files.id"), primary_key=True),
)


supplement_files = sa.Table(
    "interference_supplement_files",
    db.Model.metadata,
    sa.Column("supplement_id", sa.ForeignKey("interference_supplements.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("media_id", sa.ForeignKey("media_files.id"), primary_key=True),
)


class InterferenceRecord(db.Model):
    """A leader's attempt to sway a case, as the officer recorded it. Never edited or deleted:
    later facts come as supplements, the discipline inspectors' work as follow-ups."""

    __tablename__ = "interference_records"
    __table_args__ = (
        sa.CheckConstraint(_in("manner", INTERFERENCE_MANNER), name="manner"),
        sa.CheckConstraint(_in("conduct", INTERFERENCE_CONDUCT), name="conduct"),
    )

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
        order_by="InterferenceSupplement.id", back_populates="record"
    )
    follow_ups: so.Mapped[list[InterferenceFollowUp]] = so.relationship(
        order_by="InterferenceFollowUp.id", back_populates="record"
    )


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
