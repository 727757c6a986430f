"""Enterprises (一企一档). Minimal for now: enough for scopes; the full file comes later."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from fieldapp.db import UTCDateTime, db, utcnow
from fieldapp.models.org import Grid

ENTERPRISE_STATUSES = {
    "active": _l("在营"),
    "new": _l("新发现"),
    "relocated": _l("已搬迁"),
    "closed": _l("已关闭"),
    "suspended": _l("停产"),
}


class Enterprise(db.Model):
    __tablename__ = "enterprises"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('active', 'new', 'relocated', 'closed', 'suspended')", name="status"
        ),
        # The grid page lists a grid's enterprises by name.
        sa.Index("ix_enterprises_grid_id_name", "grid_id", "name"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), index=True)
    #: 统一社会信用代码, 18 characters with the GB 32100-2015 check character.
    uscc: so.Mapped[str] = so.mapped_column(sa.String(18), unique=True)
    grid_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("grids.id"))
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="active")
    address: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    grid: so.Mapped[Grid] = so.relationship()

    @property
    def status_label(self) -> str:
        return str(ENTERPRISE_STATUSES.get(self.status, self.status))

    def __repr__(self) -> str:
        return f"<Enterprise {self.uscc} {self.name}>"
