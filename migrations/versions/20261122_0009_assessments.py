"""Half-yearly assessments: items and scored assessments

Revision ID: 0009_assessments
Revises: 0008_corps
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_assessments'
down_revision = '0008_corps'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessment_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('max_score > 0 AND max_score <= 100', name=op.f('ck_assessment_items_max_score')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_assessment_items_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_items'))
    )
    with op.batch_alter_table('assessment_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_items_org_unit_id'), ['org_unit_id'], unique=False)

    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('half', sa.String(length=8), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('max_total', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=12), nullable=False),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("grade IN ('excellent', 'good', 'pass', 'fail')", name=op.f('ck_assessments_grade')),
    sa.ForeignKeyConstraint(['assessor_id'], ['users.id'], name=op.f('fk_assessments_assessor_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assessments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('user_id', 'half', name=op.f('uq_assessments_user_id_half'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_user_id'))

    op.drop_table('assessments')
    with op.batch_alter_table('assessment_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_items_org_unit_id'))

    op.drop_table('assessment_items')
