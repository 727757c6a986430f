"""Declarations, interference records, clues, bulletins, holidays, portraits, throttle

Revision ID: 0007_accountability
Revises: 0006_audit
Create Date: 2026-11-22

Conflicts gain the declaration's details and a decision; enterprise_id may be empty
(a unit outside the registry). Interference records and their supplements/follow-ups
are append-only (guarded in services.integrity).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_accountability'
down_revision = '0006_audit'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('holidays',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('workday', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_holidays'))
    )
    op.create_table('throttle_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_hits'))
    )
    with op.batch_alter_table('throttle_hits', schema=None) as batch_op:
        batch_op.create_index('ix_throttle_hits_bucket_key_at', ['bucket', 'key', 'at'], unique=False)

    op.create_table('bulletins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_bulletins_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_bulletins_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletins')),
    sa.UniqueConstraint('org_unit_id', 'period_start', 'period_end', name=op.f('uq_bulletins_org_unit_id_period_start_period_end'))
    )
    with op.batch_alter_table('bulletins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulletins_org_unit_id'), ['org_unit_id'], unique=False)

    op.create_table('portraits',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_portraits_photo_id_photos')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_portraits_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_portraits'))
    )
    op.create_table('clues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('enterprise_name', sa.String(length=200), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('submitter_id', sa.Integer(), nullable=True),
    sa.Column('contact_name', sa.String(length=64), nullable=False),
    sa.Column('contact_phone', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('task_enterprise_id', sa.Integer(), nullable=True),
    sa.Column('task_inspector_id', sa.Integer(), nullable=True),
    sa.Column('task_at', sa.DateTime(), nullable=True),
    sa.Column('hazard_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('violation', 'hazard', 'criticism', 'suggestion')", name=op.f('ck_clues_kind')),
    sa.CheckConstraint("status IN ('received', 'handling', 'answered', 'dismissed')", name=op.f('ck_clues_status')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_clues_assignee_id_users')),
    sa.ForeignKeyConstraint(['grid_id'], ['grids.id'], name=op.f('fk_clues_grid_id_grids')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_clues_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_clues_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['submitter_id'], ['users.id'], name=op.f('fk_clues_submitter_id_users')),
    sa.ForeignKeyConstraint(['task_enterprise_id'], ['enterprises.id'], name=op.f('fk_clues_task_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['task_inspector_id'], ['users.id'], name=op.f('fk_clues_task_inspector_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clues')),
    sa.UniqueConstraint('code', name=op.f('uq_clues_code'))
    )
    with op.batch_alter_table('clues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clues_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_clues_org_unit_id_status', ['org_unit_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_clues_submitter_id'), ['submitter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clues_task_inspector_id'), ['task_inspector_id'], unique=False)

    op.create_table('interference_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recorder_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('leader_name', sa.String(length=64), nullable=False),
    sa.Column('leader_position', sa.String(length=100), nullable=False),
    sa.Column('leader_unit', sa.String(length=100), nullable=False),
    sa.Column('manner', sa.String(length=16), nullable=False),
    sa.Column('conduct', sa.String(length=24), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('request', sa.Text(), nullable=False),
    sa.Column('case_ref', sa.String(length=200), nullable=False),
    sa.Column('hazard_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("conduct IN ('case_acceptance', 'obstruction', 'through_relatives', 'exoneration', 'shielding', 'leaking', 'blocking_documents', 'other')", name=op.f('ck_interference_records_conduct')),
    sa.CheckConstraint("manner IN ('in_person', 'phone', 'written', 'through_others', 'other')", name=op.f('ck_interference_records_manner')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_interference_records_hazard_id_hazards')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_interference_records_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['recorder_id'], ['users.id'], name=op.f('fk_interference_records_recorder_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interference_records'))
    )
    with op.batch_alter_table('interference_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interference_records_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interference_records_recorder_id'), ['recorder_id'], unique=False)

    op.create_table('clue_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clue_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_clue_events_actor_id_users')),
    sa.ForeignKeyConstraint(['clue_id'], ['clues.id'], name=op.f('fk_clue_events_clue_id_clues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clue_events'))
    )
    with op.batch_alter_table('clue_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clue_events_clue_id'), ['clue_id'], unique=False)

    op.create_table('clue_photos',
    sa.Column('clue_id', sa.Integer(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['clue_id'], ['clues.id'], name=op.f('fk_clue_photos_clue_id_clues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_clue_photos_photo_id_photos')),
    sa.PrimaryKeyConstraint('clue_id', 'photo_id', name=op.f('pk_clue_photos'))
    )
    op.create_table('interference_files',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media_files.id'], name=op.f('fk_interference_files_media_id_media_files')),
    sa.ForeignKeyConstraint(['record_id'], ['interference_records.id'], name=op.f('fk_interference_files_record_id_interference_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'media_id', name=op.f('pk_interference_files'))
    )
    op.create_table('interference_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("state IN ('received', 'verifying', 'handled', 'referred')", name=op.f('ck_interference_follow_ups_state')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_interference_follow_ups_author_id_users')),
    sa.ForeignKeyConstraint(['record_id'], ['interference_records.id'], name=op.f('fk_interference_follow_ups_record_id_interference_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interference_follow_ups'))
    )
    with op.batch_alter_table('interference_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interference_follow_ups_record_id'), ['record_id'], unique=False)

    op.create_table('interference_supplements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_interference_supplements_author_id_users')),
    sa.ForeignKeyConstraint(['record_id'], ['interference_records.id'], name=op.f('fk_interference_supplements_record_id_interference_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interference_supplements'))
    )
    with op.batch_alter_table('interference_supplements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interference_supplements_record_id'), ['record_id'], unique=False)

    op.create_table('interference_supplement_files',
    sa.Column('supplement_id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media_files.id'], name=op.f('fk_interference_supplement_files_media_id_media_files')),
    sa.ForeignKeyConstraint(['supplement_id'], ['interference_supplements.id'], name=op.f('fk_interference_supplement_files_supplement_id_interference_supplements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('supplement_id', 'media_id', name=op.f('pk_interference_supplement_files'))
    )
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('role_title', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('pay', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('period_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('period_end', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('decision_note', sa.Text(), server_default='', nullable=False))
        batch_op.alter_column('enterprise_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_conflicts_decided_by_id_users'), 'users', ['decided_by_id'], ['id'])

    with op.batch_alter_table('read_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('denied', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duties', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link', sa.String(length=200), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('link')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('duties')

    with op.batch_alter_table('read_log', schema=None) as batch_op:
        batch_op.drop_column('denied')

    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_conflicts_decided_by_id_users'), type_='foreignkey')
        batch_op.alter_column('enterprise_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('decision_note')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('period_end')
        batch_op.drop_column('period_start')
        batch_op.drop_column('pay')
        batch_op.drop_column('role_title')
        batch_op.drop_column('unit_name')

    op.drop_table('interference_supplement_files')
    with op.batch_alter_table('interference_supplements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interference_supplements_record_id'))

    op.drop_table('interference_supplements')
    with op.batch_alter_table('interference_follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interference_follow_ups_record_id'))

    op.drop_table('interference_follow_ups')
    op.drop_table('interference_files')
    op.drop_table('clue_photos')
    with op.batch_alter_table('clue_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clue_events_clue_id'))

    op.drop_table('clue_events')
    with op.batch_alter_table('interference_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interference_records_recorder_id'))
        batch_op.drop_index(batch_op.f('ix_interference_records_org_unit_id'))

    op.drop_table('interference_records')
    with op.batch_alter_table('clues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clues_task_inspector_id'))
        batch_op.drop_index(batch_op.f('ix_clues_submitter_id'))
        batch_op.drop_index('ix_clues_org_unit_id_status')
        batch_op.drop_index(batch_op.f('ix_clues_assignee_id'))

    op.drop_table('clues')
    op.drop_table('portraits')
    with op.batch_alter_table('bulletins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulletins_org_unit_id'))

    op.drop_table('bulletins')
    with op.batch_alter_table('throttle_hits', schema=None) as batch_op:
        batch_op.drop_index('ix_throttle_hits_bucket_key_at')

    op.drop_table('throttle_hits')
    op.drop_table('holidays')
