"""Tokens that may be used once (the public clue form's stamp)

Revision ID: 0019_used_tokens
Revises: 0018_capture_defaults
Create Date: 2026-12-06

A clue form's signed stamp could be posted again and again, from any address. Each stamp now
carries a random nonce, recorded here when it is used; the primary key makes the second use fail
even when two arrive at once. Rows older than the stamp's lifetime are pruned.
"""
import sqlalchemy as sa
from alembic import op

revision = '0019_used_tokens'
down_revision = '0018_capture_defaults'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'used_tokens',
        sa.Column('token', sa.String(64), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('token', name='pk_used_tokens'),
    )
    op.create_index('ix_used_tokens_used_at', 'used_tokens', ['used_at'])


def downgrade():
    op.drop_index('ix_used_tokens_used_at', table_name='used_tokens')
    op.drop_table('used_tokens')
