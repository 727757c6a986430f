"""Inspection records (现场检查记录, seed 002 art. 7-8), checklists, photos, hazards, recusal."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db
from fieldapp.models.enterprises import _in

INSPECTION_STATES = ("draft", "signed", "refused")
ITEM_RESULTS = ("pass", "fail", "na")
HAZARD_LEVELS = ("general", "major")
#: The closed loop (seed 002 art. 8): see services/hazards.py for who moves a hazard where.
HAZARD_STATUSES = ("reported", "confirmed", "rejected", "rectifying", "awaiting_recheck", "awaiting_closure",
                   "closed")
#: Rectification runs, and is overdue past its deadline, in these states.
HAZARD_RECTIFYING = ("confirmed", "rectifying")


class InterestDeclaration(db.Model):
    """A declared relationship with an enterprise or outside unit (seed 000; seed 002 art. 7).

    Pending or approved ones that name an enterprise bar the person from inspecting,
    confirming, re-checking or closing anything of it (recusal). Part-time jobs need an
    admin's approval (services.declarations)."""

    __tablename__ = "conflicts"
    __table_args__ = (sa.CheckConstraint(_in("status", ("pending", "approved", "rejected", "ended")), name="status"),
                      sa.Index("ix_conflicts_user_id_enterprise_id", "user_id", "enterprise_id"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: The registered enterprise concerned; None for a unit outside the registry.
    enterprise_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("enterprises.id", ondelete="CASCADE"))
    #: relative employed | former employer | shareholding | part-time job | other
    kind: so.Mapped[str] = so.mapped_column(sa.String(24))
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="pending")
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: The unit as declared (employer of a part-time job, the relative's employer, …).
    unit_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    role_title: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    pay: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    period_start: so.Mapped[date | None] = so.mapped_column(sa.Date)
    period_end: so.Mapped[date | None] = so.mapped_column(sa.Date)
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    decision_note: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    user = so.relationship("User", foreign_keys=[user_id])
    enterprise = so.relationship("Enterprise")
    decided_by = so.relationship("User", foreign_keys=[decided_by_id])


class ChecklistTemplate(db.Model):
    __tablename__ = "checklist_templates"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    #: GB/T 4754 division this template is for; None = general (any industry).
    industry: so.Mapped[str | None] = so.mapped_column(sa.String(8), index=True)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    #: What the capture form proposes for 检查部位 / 检查内容 when the enterprise has no earlier visit.
    default_parts: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    default_content: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    items: so.Mapped[list[ChecklistItem]] = so.relationship(
        back_populates="template", order_by="ChecklistItem.position", cascade="all, delete-orphan")


class ChecklistItem(db.Model):
    __tablename__ = "checklist_items"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    template_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("checklist_templates.id", ondelete="CASCADE"),
                                                   index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    category: so.Mapped[str] = so.mapped_column(sa.String(50), default="")
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    #: Legal basis or standard, shown to the inspector and printed.
    basis: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    #: Findings inspectors often write for this item, one per line: offered as one-tap phrases.
    phrases: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    active: so.Mapped[bool] = so.mapped_column(default=True)

    template: so.Mapped[ChecklistTemplate] = so.relationship(back_populates="items")

    @property
    def phrase_list(self) -> list[str]:
        return [p.strip() for p in self.phrases.splitlines() if p.strip()]


inspection_co_inspectors = sa.Table(
    "inspection_co_inspectors", db.metadata,
    sa.Column("inspection_id", sa.ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Inspection(db.Model):
    """One on-site inspection record. Final (immutable) once signed or refused."""

    __tablename__ = "inspections"
    __table_args__ = (
        sa.CheckConstraint(_in("state", INSPECTION_STATES), name="state"),
        # An enterprise's file lists its inspections newest first, and coverage asks "inspected
        # in this period?" of an enterprise inspected again since (most are answered by
        # enterprises.last_inspected_at): range reads of this index (EXPLAIN at 240,000
        # inspections: the enterprise page < 1 ms).
        sa.Index("ix_inspections_enterprise_id_started_at", "enterprise_id", "started_at"),
        # An inspector's drafts (home page).
        sa.Index("ix_inspections_inspector_id_state", "inspector_id", "state"),
        # The per-inspector coverage of a town reads the period's inspections of its ~40 inspectors
        # (EXPLAIN at 240,000: 13 ms through the index above, which reads all their 24,000; 3 ms).
        sa.Index("ix_inspections_inspector_id_started_at", "inspector_id", "started_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: Made on the phone (or here): the same record sent twice is recognised.
    uuid: so.Mapped[str] = so.mapped_column(sa.String(36), unique=True)
    #: Human record number, e.g. XJ-20261122-0007 (unique).
    number: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    enterprise_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("enterprises.id"))
    inspector_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    template_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("checklist_templates.id"))
    #: The record this one supplements (corrections never edit a final record).
    supplements_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("inspections.id"), index=True)
    state: so.Mapped[str] = so.mapped_column(sa.String(12), default="draft")
    started_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    ended_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    latitude: so.Mapped[float | None]
    longitude: so.Mapped[float | None]
    accuracy_m: so.Mapped[float | None]
    #: Distance from the enterprise's registered point when the position was taken.
    distance_m: so.Mapped[float | None]
    parts: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    content: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    findings: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    measures: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    work_id_number: so.Mapped[str] = so.mapped_column(sa.String(32), default="")
    #: Art. 7: the work ID was shown and the purpose, content and scope explained.
    id_shown: so.Mapped[bool] = so.mapped_column(default=False)
    # Signature (art. 8) — or the manager's refusal to sign.
    signer_name: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    signer_opinion: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    signature_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("media_files.id"))
    #: SHA-256 of exactly the summary the manager read before signing.
    summary_sha256: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    signed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    refusal_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    refusal_photo_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("photos.id"), index=True)
    #: SHA-256 over the whole final record (fields, results, photos, hazards, signature).
    content_hash: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    #: For records synced from a phone: the hash of the payload as sent, so a replay is
    #: recognised (same hash) and a different payload under the same uuid refused (409).
    payload_sha256: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    #: The app version that sent it (offline clients may be old).
    client_version: so.Mapped[str] = so.mapped_column(sa.String(32), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    enterprise = so.relationship("Enterprise")
    inspector = so.relationship("User", foreign_keys=[inspector_id])
    template: so.Mapped[ChecklistTemplate | None] = so.relationship()
    co_inspectors = so.relationship("User", secondary=inspection_co_inspectors, order_by="User.username")
    results: so.Mapped[list[ItemResult]] = so.relationship(
        back_populates="inspection", order_by="ItemResult.position", cascade="all, delete-orphan")
    photos: so.Mapped[list[InspectionPhoto]] = so.relationship(
        back_populates="inspection", order_by="InspectionPhoto.id", cascade="all, delete-orphan")
    hazards: so.Mapped[list[Hazard]] = so.relationship(
        back_populates="inspection", order_by="Hazard.id")
    signature = so.relationship("MediaFile", foreign_keys=[signature_id])
    refusal_photo = so.relationship("Photo", foreign_keys=[refusal_photo_id])
    supplements = so.relationship("Inspection", remote_side=[id])

    @property
    def is_final(self) -> bool:
        return self.state != "draft"


class ItemResult(db.Model):
    """One checklist line of one inspection; the item's text is copied, so later
    edits of the template never change what was checked."""

    __tablename__ = "inspection_item_results"
    __table_args__ = (sa.CheckConstraint(f"result IS NULL OR {_in('result', ITEM_RESULTS)}", name="result"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    inspection_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    item_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("checklist_items.id", ondelete="SET NULL"))
    position: so.Mapped[int] = so.mapped_column(default=0)
    category: so.Mapped[str] = so.mapped_column(sa.String(50), default="")
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    result: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: Answered 合格 together with the rest of its section (or of the list) by one tap, not alone.
    bulk: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    inspection: so.Mapped[Inspection] = so.relationship(back_populates="results")


class Photo(db.Model):
    """A photo as evidence: the uploaded bytes untouched, a watermarked display copy,
    a thumbnail, and what its EXIF said."""

    __tablename__ = "photos"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    original_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("media_files.id"))
    #: Made on first view (services.photos.rendition); empty until then.
    display_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("media_files.id"))
    thumb_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("media_files.id"))
    #: The lines burnt into the display copy (time, position, work-ID, record), kept so the
    #: copy can be made later, by any instance, to the same bytes.
    watermark: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    width: so.Mapped[int]
    height: so.Mapped[int]
    #: From EXIF, when the camera wrote them.
    taken_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    latitude: so.Mapped[float | None]
    longitude: so.Mapped[float | None]
    uploaded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    original = so.relationship("MediaFile", foreign_keys=[original_id])
    display = so.relationship("MediaFile", foreign_keys=[display_id])
    thumb = so.relationship("MediaFile", foreign_keys=[thumb_id])


class InspectionPhoto(db.Model):
    __tablename__ = "inspection_photos"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    inspection_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    #: Indexed: serving a photo starts from it, so the scope check costs the same whether the
    #: photo exists elsewhere or not at all (bench/idor.py).
    photo_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("photos.id"), index=True)
    #: Set when the photo documents a failed checklist item.
    item_result_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("inspection_item_results.id", ondelete="SET NULL"))
    caption: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: A copy marked up on the phone (arrows, circles, a word); ``photo`` stays the evidence.
    marked_photo_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("photos.id"), index=True)
    #: EXIF capture time outside the inspection's window (possible old gallery photo).
    flag_time: so.Mapped[bool] = so.mapped_column(default=False)
    #: EXIF position far from the enterprise.
    flag_place: so.Mapped[bool] = so.mapped_column(default=False)

    inspection: so.Mapped[Inspection] = so.relationship(back_populates="photos")
    photo: so.Mapped[Photo] = so.relationship(foreign_keys=[photo_id])
    marked: so.Mapped[Photo | None] = so.relationship(foreign_keys=[marked_photo_id])
    item_result = so.relationship("ItemResult")


hazard_photos = sa.Table(
    "hazard_photos", db.metadata,
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
        sa.Index("ix_hazards_grid_id_status_created_at", "grid_id", "status", "created_at",
                 postgresql_include=["proposed_level", "id"]),
        # It also carries what the statistics of a town count per grid, industry and level, so that
        # pass reads no table block (EXPLAIN at 150,000, a town's ~15,000 hazards: a bitmap heap scan
        # of ~4,000 blocks, 18 ms, before; an index-only scan, ~5 ms, after).
        sa.Index("ix_hazards_grid_id_status_deadline", "grid_id", "status", "deadline",
                 postgresql_include=["id", "enterprise_id", "level", "proposed_level", "created_at", "confirmed_at",
                                     "closed_at"]),
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
    "hazard_event_photos", db.metadata,
    sa.Column("event_id", sa.ForeignKey("hazard_events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("photo_id", sa.ForeignKey("photos.id"), primary_key=True),
    sa.Index("ix_hazard_event_photos_photo_id", "photo_id"),
)
hazard_event_files = sa.Table(
    "hazard_event_files", db.metadata,
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
