"""Declared interests in an enterprise (利害关系申报, seed 000; seed 002 art. 7): what recusal reads."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db
from fieldapp.models.enterprises import _in


class InterestDeclaration(db.Model):
    """A declared relationship with an enterprise or outside unit (seed 000; seed 002 art. 7).

    Pending or approved ones that name an enterprise bar the person from inspecting,
    confirming, re-checking or closing anything of it (recusal). Part-time jobs need an
    admin's approval (services.declarations)."""

    __tablename__ = "conflicts"
    __table_args__ = (
        sa.CheckConstraint(_in("status", ("pending", "approved", "rejected", "ended")), name="status"),
        sa.Index("ix_conflicts_user_id_enterprise_id", "user_id", "enterprise_id"),
    )

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
