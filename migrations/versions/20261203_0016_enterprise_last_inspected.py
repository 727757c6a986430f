"""When each enterprise was last inspected, kept by triggers, and an index, for coverage

Revision ID: 0016_enterprise_last_inspected
Revises: 0015_photo_renditions_on_view
Create Date: 2026-12-03

Coverage asked, for every enterprise of a scope, whether a finished inspection started in the
period: 19,200 index probes for a district, ~50 ms of PostgreSQL per coverage page.
``enterprises.last_inspected_at`` (the start of its latest finished inspection) answers it for
every enterprise not inspected again since the period (services/coverage.py). Triggers keep it
in the writing transaction, on PostgreSQL and SQLite alike, whoever writes — the services, the
sync, a restore or a hand-made SQL fix: an enterprise whose finished inspections change is
recounted from them (one index probe). The SQL is written out here, frozen with the revision.

The per-inspector coverage of a town reads the period's inspections of its inspectors by a new
index on (inspector_id, started_at) instead of all their inspections (13 → 3 ms).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_enterprise_last_inspected'
down_revision = '0015_photo_renditions_on_view'
branch_labels = None
depends_on = None

WATCHED = "state, started_at, enterprise_id"


def _recount(*enterprise_ids: str) -> str:
    return ("UPDATE enterprises SET last_inspected_at = (SELECT max(i.started_at) FROM inspections AS i "
            f"WHERE i.enterprise_id = enterprises.id AND i.state <> 'draft') WHERE id IN ({', '.join(enterprise_ids)})")


def _postgresql() -> list[str]:
    return [
        f"""CREATE FUNCTION enterprise_last_inspected() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN {_recount('NEW.enterprise_id')};
    ELSIF TG_OP = 'DELETE' THEN {_recount('OLD.enterprise_id')};
    ELSE {_recount('OLD.enterprise_id', 'NEW.enterprise_id')};
    END IF;
    RETURN NULL;
END $$""",
        "CREATE TRIGGER enterprise_last_inspected_insert AFTER INSERT ON inspections FOR EACH ROW "
        "WHEN (NEW.state <> 'draft') EXECUTE FUNCTION enterprise_last_inspected()",
        f"CREATE TRIGGER enterprise_last_inspected_update AFTER UPDATE OF {WATCHED} ON inspections FOR EACH ROW "
        "WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.started_at IS DISTINCT FROM NEW.started_at "
        "OR OLD.enterprise_id IS DISTINCT FROM NEW.enterprise_id) EXECUTE FUNCTION enterprise_last_inspected()",
        "CREATE TRIGGER enterprise_last_inspected_delete AFTER DELETE ON inspections FOR EACH ROW "
        "WHEN (OLD.state <> 'draft') EXECUTE FUNCTION enterprise_last_inspected()",
    ]


def _sqlite() -> list[str]:
    return [
        "CREATE TRIGGER enterprise_last_inspected_insert AFTER INSERT ON inspections "
        f"WHEN NEW.state <> 'draft' BEGIN {_recount('NEW.enterprise_id')}; END",
        f"CREATE TRIGGER enterprise_last_inspected_update AFTER UPDATE OF {WATCHED} ON inspections "
        "WHEN OLD.state IS NOT NEW.state OR OLD.started_at IS NOT NEW.started_at "
        "OR OLD.enterprise_id IS NOT NEW.enterprise_id "
        f"BEGIN {_recount('OLD.enterprise_id', 'NEW.enterprise_id')}; END",
        "CREATE TRIGGER enterprise_last_inspected_delete AFTER DELETE ON inspections "
        f"WHEN OLD.state <> 'draft' BEGIN {_recount('OLD.enterprise_id')}; END",
    ]


def upgrade():
    op.add_column('enterprises', sa.Column('last_inspected_at', sa.DateTime(), nullable=True))
    dialect = op.get_bind().dialect.name
    for statement in _postgresql() if dialect == "postgresql" else _sqlite():
        op.execute(statement)
    # The per-inspector coverage of a town: the period's inspections of its inspectors.
    op.create_index('ix_inspections_inspector_id_started_at', 'inspections', ['inspector_id', 'started_at'])
    # The inspections already recorded, counted once (the triggers only see what changes from now).
    op.execute("UPDATE enterprises SET last_inspected_at = (SELECT max(i.started_at) FROM inspections AS i "
               "WHERE i.enterprise_id = enterprises.id AND i.state <> 'draft')")


def downgrade():
    op.drop_index('ix_inspections_inspector_id_started_at', table_name='inspections')
    if op.get_bind().dialect.name == "postgresql":
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER enterprise_last_inspected_{name} ON inspections")
        op.execute("DROP FUNCTION enterprise_last_inspected()")
    else:
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER enterprise_last_inspected_{name}")
    # Not a batch: SQLite would copy the table, and the tally triggers that name it fail meanwhile.
    op.execute("ALTER TABLE enterprises DROP COLUMN last_inspected_at")
