"""Outbound messages: the outbox of what is announced outside the app

Revision ID: 0024_outbound_messages
Revises: 0023_checkin_codes
Create Date: 2026-12-06

Written in the same transaction as the event it announces, delivered by ``flask fieldapp notify``
with retries (issue 35): a request never waits for a provider, a message is never lost.
"""
import sqlalchemy as sa
from alembic import op

revision = '0024_outbound_messages'
down_revision = '0023_checkin_codes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbound_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('target', sa.String(length=300), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('link', sa.String(length=500), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('lease_until', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('receipt', sa.String(length=200), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'dead')", name=op.f('ck_outbound_messages_status')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_messages')),
        sa.UniqueConstraint('key', name=op.f('uq_outbound_messages_key')),
    )
    op.create_index('ix_outbound_messages_status_due_at', 'outbound_messages', ['status', 'due_at'])


def downgrade():
    op.drop_index('ix_outbound_messages_status_due_at', table_name='outbound_messages')
    op.drop_table('outbound_messages')
