"""The organisation tree: (city →) district → town / street / zone → grid."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db
from fieldapp.i18n import lazy_gettext as _l

ORG_KINDS = {
    "city": _l("地市"),
    "district": _l("区县"),
    "town": _l("镇"),
    "street": _l("街道"),
    "zone": _l("开发区"),
}


class OrgUnit(db.Model):
    """An emergency-management department's area (属地), as a tree.

    ``path`` is a materialised path of ids ("/1/4/") so that a jurisdiction's
    whole subtree is one indexed prefix match, on SQLite and PostgreSQL alike.
    """

    __tablename__ = "org_units"
    __table_args__ = (sa.CheckConstraint("kind IN ('city', 'district', 'town', 'street', 'zone')", name="kind"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: Administrative division code or an internal code; unique.
    code: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    parent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("org_units.id"), index=True)
    #: "/<root id>/…/<own id>/", maintained by services.org.
    path: so.Mapped[str] = so.mapped_column(sa.String(255), default="", index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    parent: so.Mapped[OrgUnit | None] = so.relationship(remote_side=[id], back_populates="children")
    children: so.Mapped[list[OrgUnit]] = so.relationship(back_populates="parent")
    grids: so.Mapped[list[Grid]] = so.relationship(back_populates="org_unit", order_by="Grid.code")

    @property
    def kind_label(self) -> str:
        return str(ORG_KINDS.get(self.kind, self.kind))

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code} {self.name}>"


class Grid(db.Model):
    """A patrol grid (网格) under an org unit; every enterprise belongs to one."""

    __tablename__ = "grids"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    org_unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("org_units.id"), index=True)
    #: Free description of the area covered (roads, villages), shown on the notice board.
    area: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    org_unit: so.Mapped[OrgUnit] = so.relationship(back_populates="grids")

    def __repr__(self) -> str:
        return f"<Grid {self.code} {self.name}>"
