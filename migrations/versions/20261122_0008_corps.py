"""Inspector corps: records, work IDs, equipment, training

Revision ID: 0008_corps
Revises: 0007_accountability
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_corps'
down_revision = '0007_accountability'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('training_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('days', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('pre_job', 'in_service')", name=op.f('ck_training_sessions_kind')),
    sa.CheckConstraint('days > 0', name=op.f('ck_training_sessions_days')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_training_sessions_dates')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_training_sessions_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sessions'))
    )
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_sessions_org_unit_id'), ['org_unit_id'], unique=False)

    op.create_table('equipment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=16), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.CheckConstraint("item IN ('helmet', 'terminal', 'protective', 'badge', 'other')", name=op.f('ck_equipment_item')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_equipment_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equipment'))
    )
    with op.batch_alter_table('equipment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_equipment_user_id'), ['user_id'], unique=False)

    op.create_table('inspector_records',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('degree', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=False),
    sa.Column('registered_safety_engineer', sa.Boolean(), nullable=False),
    sa.Column('qualifications', sa.Text(), nullable=False),
    sa.Column('contract_type', sa.String(length=16), nullable=False),
    sa.Column('term_start', sa.Date(), nullable=True),
    sa.Column('term_end', sa.Date(), nullable=True),
    sa.Column('dismissal_notice', sa.Text(), nullable=False),
    sa.Column('dismissed_on', sa.Date(), nullable=True),
    sa.Column('dismissal_grids', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('grid', 'technical_full', 'technical_part')", name=op.f('ck_inspector_records_kind')),
    sa.CheckConstraint("status IN ('candidate', 'training', 'active', 'suspended', 'dismissed')", name=op.f('ck_inspector_records_status')),
    sa.CheckConstraint('term_end IS NULL OR term_start IS NULL OR term_end >= term_start', name=op.f('ck_inspector_records_term')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_inspector_records_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_inspector_records'))
    )
    op.create_table('training_attendance',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('days', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.Column('exam_score', sa.Integer(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.CheckConstraint('days >= 0', name=op.f('ck_training_attendance_days')),
    sa.CheckConstraint('exam_score IS NULL OR (exam_score >= 0 AND exam_score <= 100)', name=op.f('ck_training_attendance_score')),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_training_attendance_session_id_training_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_attendance_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_training_attendance'))
    )
    with op.batch_alter_table('training_attendance', schema=None) as batch_op:
        batch_op.create_index('ix_training_attendance_user_id', ['user_id'], unique=False)

    op.create_table('work_id_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('series', sa.String(length=24), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_work_id_issues_issued_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_work_id_issues_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_id_issues')),
    sa.UniqueConstraint('number', name=op.f('uq_work_id_issues_number'))
    )
    with op.batch_alter_table('work_id_issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_id_issues_series'), ['series'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_id_issues_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('work_id_issues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_id_issues_user_id'))
        batch_op.drop_index(batch_op.f('ix_work_id_issues_series'))

    op.drop_table('work_id_issues')
    with op.batch_alter_table('training_attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_training_attendance_user_id')

    op.drop_table('training_attendance')
    op.drop_table('inspector_records')
    with op.batch_alter_table('equipment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_equipment_user_id'))

    op.drop_table('equipment')
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_sessions_org_unit_id'))

    op.drop_table('training_sessions')
