"""Enterprise imports waiting for the admin's confirmation."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db


class ImportBatch(db.Model):
    """A parsed, checked upload. Nothing reaches ``enterprises`` until it is committed.

    The parsed rows are kept here (not in the web process) so that the preview and
    the confirmation may be served by different app instances.
    """

    __tablename__ = "import_batches"
    __table_args__ = (sa.CheckConstraint("state IN ('preview', 'committed', 'discarded')", name="state"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: Random public id, so batch URLs cannot be guessed.
    token: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    actor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    state: so.Mapped[str] = so.mapped_column(sa.String(16), default="preview")
    total_rows: so.Mapped[int] = so.mapped_column(default=0)
    valid_rows: so.Mapped[int] = so.mapped_column(default=0)
    #: [{"row": n, "values": {...}, "errors": [...]}] for every data row.
    rows: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    committed_count: so.Mapped[int] = so.mapped_column(default=0)
