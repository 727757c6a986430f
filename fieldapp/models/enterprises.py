"""Enterprises: one file per enterprise (一企一档), with the history of every change."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock, codes
from fieldapp.db import UTCDateTime, db
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models.org import Grid, OrgUnit

ENTERPRISE_STATUSES = {
    "active": _l("在营"),
    "new": _l("新发现"),
    "relocated": _l("已搬迁"),
    "closed": _l("已关闭"),
    "suspended": _l("停产"),
}


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Enterprise(db.Model):
    __tablename__ = "enterprises"
    __table_args__ = (
        sa.CheckConstraint(_in("status", ENTERPRISE_STATUSES), name="status"),
        sa.CheckConstraint(f"risk_grade IS NULL OR {_in('risk_grade', codes.RISK_GRADES)}", name="risk_grade"),
        sa.CheckConstraint(f"scale IS NULL OR {_in('scale', codes.SCALES)}", name="scale"),
        sa.CheckConstraint("employee_count IS NULL OR employee_count >= 0", name="employee_count"),
        sa.CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude"),
        sa.CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude"),
        # One file per code in a district (the same company may be registered elsewhere too).
        sa.UniqueConstraint("district_id", "uscc", name="uq_enterprises_district_id_uscc"),
        # Lists are per grid, ordered by name, searched by name or code: this index
        # answers a grid's page and its search without touching the table (EXPLAIN, bench/explain.py
        # at 20,000 enterprises: enterprise search and the home page's list, < 1 ms each).
        sa.Index("ix_enterprises_grid_id_name_uscc", "grid_id", "name", "uscc"),
        # Coverage counts the enterprises due per grid (active ones): the home page, the town's and
        # the district's coverage read it per grid instead of scanning all 20,000 (EXPLAIN).
        sa.Index("ix_enterprises_grid_id_status", "grid_id", "status"),
        # Statistics of a town join its hazards to their enterprises' industry: read from this index
        # alone instead of the table (EXPLAIN at 20,000: 2 ms against a 7 ms pass over the table).
        sa.Index("ix_enterprises_id_industry", "id", "industry"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), index=True)
    #: 统一社会信用代码, 18 characters with the GB 32100-2015 check character.
    uscc: so.Mapped[str] = so.mapped_column(sa.String(18), index=True)
    #: The district (root org unit) the file belongs to; codes are unique within it.
    district_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("org_units.id"))
    grid_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("grids.id"))
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="active")
    #: True for an enterprise reported from the field until an admin confirms it.
    pending_review: so.Mapped[bool] = so.mapped_column(default=False, index=True)
    registered_address: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    operating_address: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    #: WGS-84 degrees, as GPS and browser geolocation give them (not GCJ-02).
    latitude: so.Mapped[float | None] = so.mapped_column(sa.Float)
    longitude: so.Mapped[float | None] = so.mapped_column(sa.Float)
    #: The check-in code's generation (一企一码): rotating the code raises it; older posters are void.
    checkin_version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    #: GB/T 4754-2017 division code, see codes.INDUSTRIES.
    industry: so.Mapped[str | None] = so.mapped_column(sa.String(8), index=True)
    scale: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    risk_grade: so.Mapped[str | None] = so.mapped_column(sa.String(8), index=True)
    legal_representative: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    safety_manager_name: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    safety_manager_mobile: so.Mapped[str] = so.mapped_column(sa.String(20), default="")
    employee_count: so.Mapped[int | None]
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
    #: When its latest finished inspection started: kept by database triggers on ``inspections``
    #: (migration 0016), whoever writes, and left out of the audit digests (derived from audited
    #: rows). Coverage reads it instead of probing the inspections of every enterprise
    #: (services/coverage.py).
    last_inspected_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, info={"derived": True})

    grid: so.Mapped[Grid] = so.relationship()
    district: so.Mapped[OrgUnit] = so.relationship()

    @property
    def status_label(self) -> str:
        return str(ENTERPRISE_STATUSES.get(self.status, self.status))

    @property
    def industry_label(self) -> str:
        return codes.label(codes.INDUSTRIES, self.industry)

    @property
    def scale_label(self) -> str:
        return codes.label(codes.SCALES, self.scale)

    @property
    def risk_grade_label(self) -> str:
        return codes.label(codes.RISK_GRADES, self.risk_grade)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def __repr__(self) -> str:
        return f"<Enterprise {self.uscc} {self.name}>"


class EnterpriseChange(db.Model):
    """One change to an enterprise file: who, when, what (old → new), why."""

    __tablename__ = "enterprise_changes"
    __table_args__ = (sa.Index("ix_enterprise_changes_enterprise_id_at", "enterprise_id", "at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    enterprise_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("enterprises.id", ondelete="CASCADE"))
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    #: created | updated | status | reported | confirmed | imported
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    #: {field: [old, new]} for the fields that changed.
    changes: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    photo_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("media_files.id"))

    actor = so.relationship("User")
    photo = so.relationship("MediaFile")
