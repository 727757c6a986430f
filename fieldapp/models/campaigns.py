"""Special campaigns (专项整治, seed 002 art. 5(7), art. 7): a topic with its own checklist,
target enterprises and dates; each target is a task for the inspectors of its grid."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="dates"),
        sa.Index("ix_campaigns_starts_on_ends_on", "starts_on", "ends_on"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    org_unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("org_units.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    template_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("checklist_templates.id"))
    starts_on: so.Mapped[date] = so.mapped_column(sa.Date)
    ends_on: so.Mapped[date] = so.mapped_column(sa.Date)
    #: How the targets were chosen, as shown (industry, grids, a list).
    criteria: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    org_unit = so.relationship("OrgUnit")
    template = so.relationship("ChecklistTemplate")


class CampaignTarget(db.Model):
    __tablename__ = "campaign_targets"

    campaign_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    enterprise_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True, index=True
    )
