"""Hazards and each step of their closed loop (seed 002 art. 8); who moves a hazard where is policy/hazards.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db
from fieldapp.models.enterprises import _in

if TYPE_CHECKING:  # for the annotations; the mapper finds the classes by name
    from fieldapp.models.inspections import Inspection

HAZARD_LEVELS = ("general", "major")


#: The closed loop (seed 002 art. 8): see services/hazards.py for who moves a hazard where.
HAZARD_STATUSES = ("reported", "confirmed", "rejected", "rectifying", "awaiting_recheck", "awaiting_closure", "closed")


#: Rectification runs, and is overdue past its deadline, in these states.
HAZARD_RECTIFYING = ("confirmed", "rectifying")


hazard_photos = sa.Table(
    "hazard_photos",
    db.metadata,
    sa.Column("hazard_id", sa.ForeignKey("hazards.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("photo_id", sa.ForeignKey("photos.id"), primary_key=True),
    sa.Index("ix_hazard_photos_photo_id", "photo_id"),  # from a photo to its hazard (photo_in_scope)
)


class Hazard(db.Model):
    """A hazard reported by an inspector. Officers confirm, grade and order; companies
    rectify; inspectors re-check; every step is a HazardEvent (services/hazards.py)."""

    __tablename__ = "hazards"
    __table_args__ = (
        sa.CheckConstraint(_in("proposed_level", HAZARD_LEVELS), name="proposed_level"),
        sa.CheckConstraint(f"level IS NULL OR {_in('level', HAZARD_LEVELS)}", name="level"),
        sa.CheckConstraint(_in("status", HAZARD_STATUSES), name="status"),
        # An enterprise's open hazards on its page (EXPLAIN: index scan, < 1 ms).
        sa.Index("ix_hazards_enterprise_id_status", "enterprise_id", "status"),
        # Reminders across the district: by status, then deadline; also this month's overdue count
        # that completes the tallies on the district's statistics (EXPLAIN: ~12 ms).
        sa.Index("ix_hazards_status_deadline", "status", "deadline"),
        # Every list starts from the user's grids: the queue (major first, oldest first) and the
        # deadline lists. On PostgreSQL the included columns make both the page of ids and the
        # count index-only scans (EXPLAIN at 150,000 hazards: bitmap heap scans of ~3,000 blocks
        # before, none after); SQLite ignores INCLUDE.
        sa.Index(
            "ix_hazards_grid_id_status_created_at",
            "grid_id",
            "status",
            "created_at",
            postgresql_include=["proposed_level", "id"],
        ),
        # It also carries what the statistics of a town count per grid, industry and level, so that
        # pass reads no table block (EXPLAIN at 150,000, a town's ~15,000 hazards: a bitmap heap scan
        # of ~4,000 blocks, 18 ms, before; an index-only scan, ~5 ms, after).
        sa.Index(
            "ix_hazards_grid_id_status_deadline",
            "grid_id",
            "status",
            "deadline",
            postgresql_include=[
                "id",
                "enterprise_id",
                "level",
                "proposed_level",
                "created_at",
                "confirmed_at",
                "closed_at",
            ],
        ),
        # Statistics: the median days to closure reads closures in a range (an index-only scan on
        # PostgreSQL instead of a pass over every hazard — EXPLAIN at 150,000: 62 ms before).
        sa.Index("ix_hazards_closed_at", "closed_at", postgresql_include=["confirmed_at", "grid_id"]),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    uuid: so.Mapped[str] = so.mapped_column(sa.String(36), unique=True)
    enterprise_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("enterprises.id"))
    #: The enterprise's grid, kept here so that lists scoped by grid need no join (it follows
    #: the enterprise when it moves grid: enterprises.record_change).
    grid_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("grids.id"))
    inspection_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("inspections.id"), index=True)
    item_result_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("inspection_item_results.id"))
    reporter_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    description: so.Mapped[str] = so.mapped_column(sa.Text)
    place: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    proposed_level: so.Mapped[str] = so.mapped_column(sa.String(8), default="general")
    legal_basis: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="reported")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
    #: Bumped on every change; a form sends the version it showed, and loses to a newer one.
    version: so.Mapped[int] = so.mapped_column(default=1)
    # Set by the enforcement officer on confirmation (seed 002 art. 8(1)-(2)).
    level: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    officer_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    deadline: so.Mapped[date | None] = so.mapped_column(sa.Date)
    required_measures: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    decision_basis: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    reject_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    notice_number: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    # Major hazards: the stop-work order and the emergency measures.
    stop_work: so.Mapped[bool] = so.mapped_column(default=False)
    stop_scope: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    workers_withdrawn: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    emergency_measures: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    order_number: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    closed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}

    inspection: so.Mapped[Inspection | None] = so.relationship(back_populates="hazards")
    enterprise = so.relationship("Enterprise")
    reporter = so.relationship("User", foreign_keys=[reporter_id])
    officer = so.relationship("User", foreign_keys=[officer_id])
    photos = so.relationship("Photo", secondary=hazard_photos, order_by="Photo.id")
    events: so.Mapped[list[HazardEvent]] = so.relationship(back_populates="hazard", order_by="HazardEvent.id")

    @property
    def effective_level(self) -> str:
        return self.level or self.proposed_level


hazard_event_photos = sa.Table(
    "hazard_event_photos",
    db.metadata,
    sa.Column("event_id", sa.ForeignKey("hazard_events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("photo_id", sa.ForeignKey("photos.id"), primary_key=True),
    sa.Index("ix_hazard_event_photos_photo_id", "photo_id"),
)


hazard_event_files = sa.Table(
    "hazard_event_files",
    db.metadata,
    sa.Column("event_id", sa.ForeignKey("hazard_events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("media_id", sa.ForeignKey("media_files.id"), primary_key=True),
)


class HazardEvent(db.Model):
    """One step of a hazard's life: who, in which role, when, from which status to which,
    the note, what was set (``data``), and attachments. Written in the same transaction
    as the change itself, never edited."""

    __tablename__ = "hazard_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    hazard_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("hazards.id", ondelete="CASCADE"), index=True)
    #: The phone's id for a step recorded offline (a re-check): the same step synced twice is stored once.
    client_uuid: so.Mapped[str | None] = so.mapped_column(sa.String(36), unique=True)
    actor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    actor_role: so.Mapped[str] = so.mapped_column(sa.String(32))
    action: so.Mapped[str] = so.mapped_column(sa.String(32))
    from_status: so.Mapped[str] = so.mapped_column(sa.String(20))
    to_status: so.Mapped[str] = so.mapped_column(sa.String(20))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    data: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    hazard: so.Mapped[Hazard] = so.relationship(back_populates="events")
    actor = so.relationship("User")
    photos = so.relationship("Photo", secondary=hazard_event_photos, order_by="Photo.id")
    files = so.relationship("MediaFile", secondary=hazard_event_files, order_by="MediaFile.id")
