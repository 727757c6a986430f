"""An index from each audited row to its events

Revision ID: 0020_audit_object_index
Revises: 0019_used_tokens
Create Date: 2026-12-06

``fieldapp audit verify`` compares every audited row with the last digest the trail holds of it
(issue 29: rows edited, deleted or inserted outside the application). It reads, per kind of row,
each row's last event: an index on (object_type, object_id, seq) answers that without reading
the whole trail once per kind. The record page asks the same of one record.
"""
from alembic import op

revision = '0020_audit_object_index'
down_revision = '0019_used_tokens'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_audit_events_object_type_object_id_seq', 'audit_events',
                    ['object_type', 'object_id', 'seq'])


def downgrade():
    op.drop_index('ix_audit_events_object_type_object_id_seq', table_name='audit_events')
