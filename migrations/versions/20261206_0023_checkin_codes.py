"""Enterprise check-in codes (一企一码) and the scan kept with each record

Revision ID: 0023_checkin_codes
Revises: 0022_official_holidays
Create Date: 2026-12-06

Each enterprise's poster carries a token signed by the server for its ``checkin_version``; an
admin rotating the code raises the version, so an old poster's scan is told apart (issue 34). A
record keeps the scan made on site — token, time, position — and what the server found of it.
"""
import sqlalchemy as sa
from alembic import op

revision = '0023_checkin_codes'
down_revision = '0022_official_holidays'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy on SQLite): both tables carry triggers (migrations 0013, 0016).
    op.add_column('enterprises', sa.Column('checkin_version', sa.Integer(), nullable=False, server_default='1'))
    op.add_column('inspections', sa.Column('checkin', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('inspections', 'checkin')
    op.drop_column('enterprises', 'checkin_version')
