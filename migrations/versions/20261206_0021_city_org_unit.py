"""A city above its districts in the organisation tree

Revision ID: 0021_city_org_unit
Revises: 0020_audit_object_index
Create Date: 2026-12-06

A city's emergency-management bureau (市应急管理局) oversees its districts: the tree may now
start at a city (kind ``city``), its districts beneath it. Only the allowed kinds change.
"""
from alembic import op

revision = '0021_city_org_unit'
down_revision = '0020_audit_object_index'
branch_labels = None
depends_on = None

BEFORE = "kind IN ('district', 'town', 'street', 'zone')"
AFTER = "kind IN ('city', 'district', 'town', 'street', 'zone')"


def _allow(condition: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f('ck_org_units_kind'), 'org_units', type_='check')
        op.create_check_constraint(op.f('ck_org_units_kind'), 'org_units', condition)
        return
    # SQLite keeps a CHECK in the table's definition: the table is copied with the new one.
    with op.batch_alter_table('org_units', recreate='always') as batch:
        batch.drop_constraint(op.f('ck_org_units_kind'), type_='check')
        batch.create_check_constraint(op.f('ck_org_units_kind'), condition)


def upgrade():
    _allow(AFTER)


def downgrade():
    op.execute("UPDATE org_units SET kind = 'district' WHERE kind = 'city'")
    _allow(BEFORE)
