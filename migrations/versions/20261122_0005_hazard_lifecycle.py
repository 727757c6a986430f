"""hazard lifecycle: officer decisions, stop-work orders, events, re-check, notifications

Revision ID: 0005_hazard_lifecycle
Revises: 0004_sync
Create Date: 2026-11-22 04:47:17.725222

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_hazard_lifecycle'
down_revision = '0004_sync'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hazard_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hazard_id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=36), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('actor_role', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=False),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_hazard_events_actor_id_users')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_hazard_events_hazard_id_hazards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hazard_events')),
    sa.UniqueConstraint('client_uuid', name=op.f('uq_hazard_events_client_uuid'))
    )
    with op.batch_alter_table('hazard_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazard_events_hazard_id'), ['hazard_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('hazard_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id'], name=op.f('fk_notifications_hazard_id_hazards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_notifications_user_id_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_id_read_at', ['user_id', 'read_at'], unique=False)

    op.create_table('hazard_event_files',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['hazard_events.id'], name=op.f('fk_hazard_event_files_event_id_hazard_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['media_id'], ['media_files.id'], name=op.f('fk_hazard_event_files_media_id_media_files')),
    sa.PrimaryKeyConstraint('event_id', 'media_id', name=op.f('pk_hazard_event_files'))
    )
    op.create_table('hazard_event_photos',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['hazard_events.id'], name=op.f('fk_hazard_event_photos_event_id_hazard_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], name=op.f('fk_hazard_event_photos_photo_id_photos')),
    sa.PrimaryKeyConstraint('event_id', 'photo_id', name=op.f('pk_hazard_event_photos'))
    )
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grid_id', sa.Integer(), nullable=True))
    op.execute("UPDATE hazards SET grid_id = (SELECT grid_id FROM enterprises WHERE enterprises.id = hazards.enterprise_id)")
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.alter_column('grid_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_hazards_grid_id_grids'), 'grids', ['grid_id'], ['id'])
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=False, server_default=sa.func.now()))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('level', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('officer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deadline', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('required_measures', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('decision_basis', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reject_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('notice_number', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('stop_work', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('stop_scope', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('workers_withdrawn', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('emergency_measures', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('order_number', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_hazards_status_deadline', ['status', 'deadline'], unique=False)
        batch_op.create_index('ix_hazards_grid_id_status_created_at', ['grid_id', 'status', 'created_at'], unique=False,
                              postgresql_include=['proposed_level', 'id'])
        batch_op.create_index('ix_hazards_grid_id_status_deadline', ['grid_id', 'status', 'deadline'], unique=False,
                              postgresql_include=['id'])
        batch_op.create_foreign_key(batch_op.f('fk_hazards_officer_id_users'), 'users', ['officer_id'], ['id'])
        batch_op.create_check_constraint('level', "level IS NULL OR level IN ('general', 'major')")
        batch_op.create_check_constraint('status', "status IN ('reported', 'confirmed', 'rejected', 'rectifying', "
                                                   "'awaiting_recheck', 'awaiting_closure', 'closed')")



def downgrade():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.drop_index('ix_hazards_grid_id_status_deadline')
        batch_op.drop_index('ix_hazards_grid_id_status_created_at')
        batch_op.drop_constraint(batch_op.f('ck_hazards_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_hazards_level'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_hazards_officer_id_users'), type_='foreignkey')
        batch_op.drop_index('ix_hazards_status_deadline')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('order_number')
        batch_op.drop_column('emergency_measures')
        batch_op.drop_column('workers_withdrawn')
        batch_op.drop_column('stop_scope')
        batch_op.drop_column('stop_work')
        batch_op.drop_column('notice_number')
        batch_op.drop_column('reject_reason')
        batch_op.drop_column('decision_basis')
        batch_op.drop_column('required_measures')
        batch_op.drop_column('deadline')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('officer_id')
        batch_op.drop_column('level')
        batch_op.drop_column('version')
        batch_op.drop_column('updated_at')
        batch_op.drop_constraint(batch_op.f('fk_hazards_grid_id_grids'), type_='foreignkey')
        batch_op.drop_column('grid_id')

    op.drop_table('hazard_event_photos')
    op.drop_table('hazard_event_files')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_id_read_at')

    op.drop_table('notifications')
    with op.batch_alter_table('hazard_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hazard_events_hazard_id'))

    op.drop_table('hazard_events')
