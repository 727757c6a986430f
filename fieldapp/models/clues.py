"""Clues and feedback from supervisors and the public (seed 001 art. 19-20), and the enforcement
bulletins published to them."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db
from fieldapp.models.enterprises import _in

CLUE_KINDS = ("violation", "hazard", "criticism", "suggestion")


CLUE_STATES = ("received", "handling", "answered", "dismissed")
#: A clue is being dealt with in these states (after them: answered or dismissed).
CLUE_OPEN = ("received", "handling")


clue_photos = sa.Table(
    "clue_photos",
    db.Model.metadata,
    sa.Column("clue_id", sa.ForeignKey("clues.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("photo_id", sa.ForeignKey("photos.id"), primary_key=True),
)


class Clue(db.Model):
    """A clue, complaint, criticism or suggestion from a social supervisor or the public."""

    __tablename__ = "clues"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", CLUE_KINDS), name="kind"),
        sa.CheckConstraint(_in("status", CLUE_STATES), name="status"),
        sa.Index("ix_clues_org_unit_id_status", "org_unit_id", "status"),
    )

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
