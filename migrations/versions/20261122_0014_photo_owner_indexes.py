"""Indexes from a photo to what it belongs to

Revision ID: 0014_photo_owner_indexes
Revises: 0013_hazard_tallies
Create Date: 2026-11-22

Serving a photo checks the scope starting from the photo (its records, its hazards), so that
the work — and the time of the answer — is the same for a photo of another grid and for one
that does not exist (bench/idor.py).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_photo_owner_indexes'
down_revision = '0013_hazard_tallies'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_inspection_photos_photo_id", "inspection_photos"),
    ("ix_inspections_refusal_photo_id", "inspections"),
    ("ix_hazard_photos_photo_id", "hazard_photos"),
    ("ix_hazard_event_photos_photo_id", "hazard_event_photos"),
)


def upgrade():
    for name, table in INDEXES:
        column = "refusal_photo_id" if table == "inspections" else "photo_id"
        op.create_index(name, table, [column])


def downgrade():
    for name, table in reversed(INDEXES):
        op.drop_index(name, table_name=table)
