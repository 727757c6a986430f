"""Checklist templates and their items (检查表): what an inspection is filled in against."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db


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
        back_populates="template", order_by="ChecklistItem.position", cascade="all, delete-orphan"
    )


class ChecklistItem(db.Model):
    __tablename__ = "checklist_items"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    template_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("checklist_templates.id", ondelete="CASCADE"), index=True
    )
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
