"""Alert routing: people's channels and quiet hours, departments' robots and routes, digests

Revision ID: 0025_alert_routing
Revises: 0024_outbound_messages
Create Date: 2026-12-07

Who hears what outside the app (issue 35): a person's SMS/email and quiet hours, a department's
WeCom/DingTalk robots, digest interval and route switches; an outbox message knows its department
(whose robot, which admins see it dead) and whether it folds into a digest.
"""
import sqlalchemy as sa
from alembic import op

revision = '0025_alert_routing'
down_revision = '0024_outbound_messages'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'alert_preferences',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('by_sms', sa.Boolean(), nullable=False),
        sa.Column('by_email', sa.Boolean(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('quiet_start', sa.SmallInteger(), nullable=True),
        sa.Column('quiet_end', sa.SmallInteger(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_alert_preferences_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_alert_preferences')),
    )
    op.create_table(
        'department_alerts',
        sa.Column('org_unit_id', sa.Integer(), nullable=False),
        sa.Column('wecom_webhook', sa.Text(), nullable=False),
        sa.Column('dingtalk_webhook', sa.Text(), nullable=False),
        sa.Column('dingtalk_secret', sa.Text(), nullable=False),
        sa.Column('digest_minutes', sa.Integer(), nullable=False),
        sa.Column('routes', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_department_alerts_org_unit_id_org_units'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('org_unit_id', name=op.f('pk_department_alerts')),
    )
    # Batch: SQLite adds a column with a foreign key only by copying the table (no triggers here).
    with op.batch_alter_table('outbound_messages') as batch:
        batch.add_column(sa.Column('digest', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('org_unit_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f('fk_outbound_messages_org_unit_id_org_units'), 'org_units', ['org_unit_id'], ['id'], ondelete='SET NULL'
        )
    # The worker's other questions: what this target had in the last minute (a provider's cap),
    # what waits to fold into its digest.
    op.create_index('ix_outbound_messages_channel_target_sent_at', 'outbound_messages', ['channel', 'target', 'sent_at'])


def downgrade():
    op.drop_index('ix_outbound_messages_channel_target_sent_at', table_name='outbound_messages')
    with op.batch_alter_table('outbound_messages') as batch:
        batch.drop_column('org_unit_id')
        batch.drop_column('digest')
    op.drop_table('department_alerts')
    op.drop_table('alert_preferences')
