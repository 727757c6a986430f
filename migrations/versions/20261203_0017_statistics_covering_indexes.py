"""Indexes that answer a town's statistics without reading the tables

Revision ID: 0017_statistics_covering_indexes
Revises: 0016_enterprise_last_inspected
Create Date: 2026-12-03

The statistics of a town count its ~15,000 hazards per grid, industry and level: a bitmap heap
scan of ~4,000 hazard blocks and a pass over every enterprise for its industry (~42 ms of
PostgreSQL per page). The hazards' grid index now carries the columns counted (PostgreSQL's
INCLUDE; SQLite ignores it), and an index on (id, industry) gives the industries: ~13 ms.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017_statistics_covering_indexes'
down_revision = '0016_enterprise_last_inspected'
branch_labels = None
depends_on = None

COUNTED = ['id', 'enterprise_id', 'level', 'proposed_level', 'created_at', 'confirmed_at', 'closed_at']


def _grid_index(include: list[str]) -> None:
    op.drop_index('ix_hazards_grid_id_status_deadline', table_name='hazards')
    op.create_index('ix_hazards_grid_id_status_deadline', 'hazards', ['grid_id', 'status', 'deadline'],
                    postgresql_include=include)


def upgrade():
    _grid_index(COUNTED)
    op.create_index('ix_enterprises_id_industry', 'enterprises', ['id', 'industry'])


def downgrade():
    op.drop_index('ix_enterprises_id_industry', table_name='enterprises')
    _grid_index(['id'])
