"""Holidays from the State Council's calendar, told apart from the admins' own

Revision ID: 0022_official_holidays
Revises: 0021_city_org_unit
Create Date: 2026-12-06

``fieldapp calendar load`` fills the working-day calendar from the maintained
``chinesecalendar`` package (issue 33). Its rows are ``official``; an admin's entry is not, and
the loader never writes over one. Rows already there were typed by admins.
"""
import sqlalchemy as sa
from alembic import op

revision = '0022_official_holidays'
down_revision = '0021_city_org_unit'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('holidays') as batch:
        batch.add_column(sa.Column('official', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('holidays') as batch:
        batch.drop_column('official')
