"""sync

Revision ID: 0004_sync
Revises: 0003_inspections
Create Date: 2026-11-22 03:35:32.634551

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_sync'
down_revision = '0003_inspections'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('client_media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media_files.id'], name=op.f('fk_client_media_media_id_media_files')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_client_media_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_media')),
    sa.UniqueConstraint('uuid', name=op.f('uq_client_media_uuid'))
    )
    with op.batch_alter_table('client_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_media_owner_id'), ['owner_id'], unique=False)

    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payload_sha256', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('client_version', sa.String(length=32), nullable=False, server_default=''))




def downgrade():

    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_column('client_version')
        batch_op.drop_column('payload_sha256')

    with op.batch_alter_table('client_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_media_owner_id'))

    op.drop_table('client_media')

