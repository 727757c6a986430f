"""On-site inspection records (现场检查记录, seed 002 art. 7-8): results, photos, signature."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db
from fieldapp.models.enterprises import _in

if TYPE_CHECKING:  # for the annotations; the mapper finds the classes by name
    from fieldapp.models.checklists import ChecklistTemplate
    from fieldapp.models.hazards import Hazard
    from fieldapp.models.photos import Photo

INSPECTION_STATES = ("draft", "signed", "refused")
ITEM_RESULTS = ("pass", "fail", "na")
#: The longest text each of a record's fields takes, in characters: the form, the sync API's
#: schema (schemas/sync.py) and the service read them here.
TEXT_LIMITS = {"parts": 2000, "content": 4000, "findings": 4000, "measures": 4000, "work_id_number": 32}


inspection_co_inspectors = sa.Table(
    "inspection_co_inspectors",
    db.metadata,
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
    #: The enterprise's code scanned on site (services/checkin.py): token, time, position and what
    #: the server found of them (``flags``). None when no code was scanned.
    checkin: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
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
        back_populates="inspection", order_by="ItemResult.position", cascade="all, delete-orphan"
    )
    photos: so.Mapped[list[InspectionPhoto]] = so.relationship(
        back_populates="inspection", order_by="InspectionPhoto.id", cascade="all, delete-orphan"
    )
    hazards: so.Mapped[list[Hazard]] = so.relationship(back_populates="inspection", order_by="Hazard.id")
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


class InspectionPhoto(db.Model):
    __tablename__ = "inspection_photos"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    inspection_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    #: Indexed: serving a photo starts from it, so the scope check costs the same whether the
    #: photo exists elsewhere or not at all (bench/idor.py).
    photo_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("photos.id"), index=True)
    #: Set when the photo documents a failed checklist item.
    item_result_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("inspection_item_results.id", ondelete="SET NULL")
    )
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
