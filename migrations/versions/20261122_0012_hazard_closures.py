"""Index for statistics: hazards closed in a range

Revision ID: 0012_hazard_closures
Revises: 0011_campaigns
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_hazard_closures'
down_revision = '0011_campaigns'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.create_index('ix_hazards_closed_at', ['closed_at'], unique=False, postgresql_include=['confirmed_at', 'grid_id'])



def downgrade():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.drop_index('ix_hazards_closed_at', postgresql_include=['confirmed_at', 'grid_id'])

