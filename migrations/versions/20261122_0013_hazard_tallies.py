"""Hazard tallies kept by triggers, for statistics

Revision ID: 0013_hazard_tallies
Revises: 0012_hazard_closures
Create Date: 2026-11-22

Triggers keep ``hazard_tallies`` and ``hazard_close_days`` (models/tallies.py) in step with ``hazards`` inside the writing
transaction, on PostgreSQL and SQLite alike: a changed hazard's old contribution is taken back
and its new one added; a change of an enterprise's industry, or of a grid's department, moves
the contributions of their hazards.
The SQL is written out here, frozen with the revision, rather than imported from the app.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_hazard_tallies'
down_revision = '0012_hazard_closures'
branch_labels = None
depends_on = None

MEASURES = ("found", "confirmed", "rejected", "closed", "confirmed_closed", "rectifying_due")
#: Rectification runs, and is overdue past its deadline, in these states (models.inspections).
RECTIFYING = "('confirmed', 'rectifying')"


def _month(dialect: str, at: str) -> str:
    """The first day of the month of a day (a deadline), or of the China-time month of a stored
    UTC time (China keeps no daylight saving: eight hours on)."""
    if not at.endswith(".deadline"):
        at = f"{at} + interval '8 hours'" if dialect == "postgresql" else f"{at}, '+8 hours'"
    if dialect == "postgresql":
        return f"CAST(date_trunc('month', {at}) AS date)"
    return f"strftime('%Y-%m-01', {at})"


def _days_to_close(dialect: str, h: str) -> str:
    """Calendar days (China dates) from confirmation to closure."""
    if dialect == "postgresql":
        return (f"(CAST({h}.closed_at + interval '8 hours' AS date) "
                f"- CAST({h}.confirmed_at + interval '8 hours' AS date))")
    return (f"CAST(julianday(date({h}.closed_at, '+8 hours')) "
            f"- julianday(date({h}.confirmed_at, '+8 hours')) AS INTEGER)")


def _contribution(dialect: str, h: str, unit: str, industry: str, sign: int, source: str = "",
                  where: str = "") -> str:
    """Upserts adding ``sign`` times the contribution of hazard row ``h`` (NEW, OLD, or an alias
    in ``source`` filtered by ``where``), under department ``unit`` and ``industry``: to the
    tallies, and to the days-to-close counts. Rows are taken in key order, so concurrent steps
    lock them in the same order."""
    return f"{_tallied(dialect, h, unit, industry, sign, source, where)}; " \
           f"{_closure(dialect, h, unit, sign, source, where)}"


def _closure(dialect: str, h: str, unit: str, sign: int, source: str, where: str) -> str:
    conditions = f"{h}.closed_at IS NOT NULL AND {h}.confirmed_at IS NOT NULL" + (f" AND {where}" if where else "")
    key = "org_unit_id, month, days"
    return (f"INSERT INTO hazard_close_days ({key}, n) SELECT v.org_unit_id, v.month, v.days, sum(v.n) FROM ("
            f"SELECT {unit} AS org_unit_id, {_month(dialect, h + '.closed_at')} AS month, "
            f"{_days_to_close(dialect, h)} AS days, {sign} AS n{' FROM ' + source if source else ''} "
            f"WHERE {conditions}) AS v WHERE true GROUP BY v.org_unit_id, v.month, v.days "
            f"ORDER BY v.org_unit_id, v.month, v.days "
            f"ON CONFLICT ({key}) DO UPDATE SET n = hazard_close_days.n + excluded.n")


def _tallied(dialect: str, h: str, unit: str, industry: str, sign: int, source: str, where: str) -> str:
    def part(at: str, found="0", confirmed="0", rejected="0", closed="0", confirmed_closed="0",
             rectifying_due="0") -> str:
        return (f"SELECT {unit} AS org_unit_id, {_month(dialect, at)} AS month, {industry} AS industry, "
                f"coalesce({h}.level, {h}.proposed_level, '') AS level, {found} AS found, "
                f"{confirmed} AS confirmed, {rejected} AS rejected, {closed} AS closed, "
                f"{confirmed_closed} AS confirmed_closed, {rectifying_due} AS rectifying_due"
                f"{' FROM ' + source if source else ''} "
                f"WHERE {at} IS NOT NULL{' AND ' + where if where else ''}")
    s = str(sign)
    parts = " UNION ALL ".join((
        part(f"{h}.created_at", found=s, rejected=f"CASE WHEN {h}.status = 'rejected' THEN {s} ELSE 0 END"),
        part(f"{h}.confirmed_at", confirmed=s,
             confirmed_closed=f"CASE WHEN {h}.closed_at IS NOT NULL THEN {s} ELSE 0 END"),
        part(f"{h}.closed_at", closed=s),
        part(f"{h}.deadline", rectifying_due=f"CASE WHEN {h}.status IN {RECTIFYING} THEN {s} ELSE 0 END")))
    # Qualified with v.: PL/pgSQL has a variable called "found".
    sums = ", ".join(f"sum(v.{m})" for m in MEASURES)
    updates = ", ".join(f"{m} = hazard_tallies.{m} + excluded.{m}" for m in MEASURES)
    key = "org_unit_id, month, industry, level"
    v_key = ", ".join(f"v.{k}" for k in key.split(", "))
    # "WHERE true": SQLite's parser wants a WHERE before an upsert's ON CONFLICT.
    return (f"INSERT INTO hazard_tallies ({key}, {', '.join(MEASURES)}) "
            f"SELECT {v_key}, {sums} FROM ({parts}) AS v WHERE true GROUP BY {v_key} ORDER BY {v_key} "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}")


def _industry_of(h: str) -> str:
    return f"coalesce((SELECT industry FROM enterprises WHERE id = {h}.enterprise_id), '')"


def _unit_of(h: str) -> str:
    return f"(SELECT org_unit_id FROM grids WHERE id = {h}.grid_id)"


WATCHED = "grid_id, enterprise_id, status, level, proposed_level, created_at, confirmed_at, closed_at, deadline"
OF_ENTERPRISE = ("hazards AS h", "h.enterprise_id = NEW.id")
OF_GRID = ("hazards AS h", "h.grid_id = NEW.id")
OLD_INDUSTRY, NEW_INDUSTRY = "coalesce(OLD.industry, '')", "coalesce(NEW.industry, '')"


def _moves(dialect: str) -> tuple[str, str]:
    """Bodies for an enterprise changing industry and a grid changing department."""
    enterprise = (f"{_contribution(dialect, 'h', _unit_of('h'), OLD_INDUSTRY, -1, *OF_ENTERPRISE)}; "
                  f"{_contribution(dialect, 'h', _unit_of('h'), NEW_INDUSTRY, 1, *OF_ENTERPRISE)};")
    grid = (f"{_contribution(dialect, 'h', 'OLD.org_unit_id', _industry_of('h'), -1, *OF_GRID)}; "
            f"{_contribution(dialect, 'h', 'NEW.org_unit_id', _industry_of('h'), 1, *OF_GRID)};")
    return enterprise, grid


def _postgresql() -> list[str]:
    pg = "postgresql"
    enterprise, grid = _moves(pg)
    return [
        f"""CREATE FUNCTION hazard_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN {_contribution(pg, 'OLD', _unit_of('OLD'), _industry_of('OLD'), -1)}; END IF;
    IF TG_OP <> 'DELETE' THEN {_contribution(pg, 'NEW', _unit_of('NEW'), _industry_of('NEW'), 1)}; END IF;
    RETURN NULL;
END $$""",
        f"CREATE TRIGGER hazard_tally AFTER INSERT OR DELETE OR UPDATE OF {WATCHED} ON hazards "
        "FOR EACH ROW EXECUTE FUNCTION hazard_tally()",
        f"CREATE FUNCTION enterprise_industry_tally() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {enterprise} RETURN NULL; END $$",
        "CREATE TRIGGER enterprise_industry_tally AFTER UPDATE OF industry ON enterprises FOR EACH ROW "
        "WHEN (OLD.industry IS DISTINCT FROM NEW.industry) EXECUTE FUNCTION enterprise_industry_tally()",
        f"CREATE FUNCTION grid_unit_tally() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {grid} RETURN NULL; END $$",
        "CREATE TRIGGER grid_unit_tally AFTER UPDATE OF org_unit_id ON grids FOR EACH ROW "
        "WHEN (OLD.org_unit_id IS DISTINCT FROM NEW.org_unit_id) EXECUTE FUNCTION grid_unit_tally()",
    ]


def _sqlite() -> list[str]:
    lite = "sqlite"
    enterprise, grid = _moves(lite)
    take_back = _contribution(lite, 'OLD', _unit_of('OLD'), _industry_of('OLD'), -1)
    add = _contribution(lite, 'NEW', _unit_of('NEW'), _industry_of('NEW'), 1)
    return [
        f"CREATE TRIGGER hazard_tally_insert AFTER INSERT ON hazards BEGIN {add}; END",
        f"CREATE TRIGGER hazard_tally_update AFTER UPDATE OF {WATCHED} ON hazards BEGIN {take_back}; {add}; END",
        f"CREATE TRIGGER hazard_tally_delete AFTER DELETE ON hazards BEGIN {take_back}; END",
        f"CREATE TRIGGER enterprise_industry_tally AFTER UPDATE OF industry ON enterprises "
        f"WHEN OLD.industry IS NOT NEW.industry BEGIN {enterprise} END",
        f"CREATE TRIGGER grid_unit_tally AFTER UPDATE OF org_unit_id ON grids "
        f"WHEN OLD.org_unit_id IS NOT NEW.org_unit_id BEGIN {grid} END",
    ]


def upgrade():
    op.create_table('hazard_tallies',
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('industry', sa.String(length=8), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('found', sa.Integer(), nullable=False),
    sa.Column('confirmed', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.Column('confirmed_closed', sa.Integer(), nullable=False),
    sa.Column('rectifying_due', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_hazard_tallies_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('org_unit_id', 'month', 'industry', 'level', name=op.f('pk_hazard_tallies'))
    )
    op.create_table('hazard_close_days',
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_hazard_close_days_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('org_unit_id', 'month', 'days', name=op.f('pk_hazard_close_days'))
    )
    dialect = op.get_bind().dialect.name
    for statement in _postgresql() if dialect == "postgresql" else _sqlite():
        op.execute(statement)
    # The hazards already recorded, counted once (the triggers only see what changes from now).
    source = "hazards AS h JOIN grids AS g ON g.id = h.grid_id LEFT JOIN enterprises AS e ON e.id = h.enterprise_id"
    op.execute(_tallied(dialect, "h", "g.org_unit_id", "coalesce(e.industry, '')", 1, source, ""))
    op.execute(_closure(dialect, "h", "g.org_unit_id", 1, source, ""))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, table in (("hazard_tally", "hazards"), ("enterprise_industry_tally", "enterprises"),
                            ("grid_unit_tally", "grids")):
            op.execute(f"DROP TRIGGER {name} ON {table}")
            op.execute(f"DROP FUNCTION {name}()")
    else:
        for name in ("hazard_tally_insert", "hazard_tally_update", "hazard_tally_delete", "enterprise_industry_tally",
                     "grid_unit_tally"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table('hazard_close_days')
    op.drop_table('hazard_tallies')
