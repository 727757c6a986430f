"""Photo renditions made on first view

Revision ID: 0015_photo_renditions_on_view
Revises: 0014_photo_owner_indexes
Create Date: 2026-11-22

The display copy and thumbnail were made with the upload — most of a synced record's CPU
(bench/load.py). They are now made the first time one is asked for, from the original and
the watermark text kept here; until then the two ids are empty. Photos stored before keep
theirs.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015_photo_renditions_on_view'
down_revision = '0014_photo_owner_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.alter_column('display_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('thumb_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('watermark', sa.Text(), server_default='', nullable=False))


def downgrade():
    # Copies not made yet cannot be made here (no image library in a migration): point them at
    # the original, which every client can show.
    op.execute("UPDATE photos SET display_id = original_id WHERE display_id IS NULL")
    op.execute("UPDATE photos SET thumb_id = original_id WHERE thumb_id IS NULL")
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_column('watermark')
        batch_op.alter_column('thumb_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('display_id', existing_type=sa.Integer(), nullable=False)
