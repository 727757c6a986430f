"""Database wiring: the declarative Base, constraint names, and a UTC datetime type."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC
from functools import wraps
from typing import ParamSpec, TypeVar

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm.attributes import set_committed_value

# Named constraints let Alembic drop and alter them by name on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.types.TypeDecorator):
    """Stored as naive UTC on every backend; always handed back as aware UTC.

    SQLite has no time zones, and mixing naive and aware values is a classic
    source of 8-hour errors in a UTC+8 product, so the type refuses naive input.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


#: Ids are INTEGER columns: PostgreSQL refuses a larger number in a query outright (an error,
#: not "no row"), so anything above this is answered as not found before it reaches SQL.
MAX_ID = 2**31 - 1


def on_postgresql() -> bool:
    """Whether the session's database is PostgreSQL (else SQLite): for SQL only one of them
    has, and for id lists, which PostgreSQL takes as one array (``in_ids``)."""
    return db.session.get_bind().dialect.name == "postgresql"


def in_ids(column, ids, array: bool | None = None) -> sa.ColumnElement[bool]:
    """``column IN ids`` — on PostgreSQL ``column = ANY(:ids)``, the list one array parameter.

    An expanding IN gives every id a parameter of its own, which SQLAlchemy renders and psycopg
    parses again on each execution: a district's ~400 grid ids make a 34,000-character statement
    and ~15 ms of CPU on its coverage page. PostgreSQL plans ``= ANY`` of a known array as it
    plans IN (it rewrites IN so). ``ids`` is a list of values, or a bind parameter of a statement
    built once, whose values are bound by name when it runs; ``array`` is ``on_postgresql()``,
    given where a statement is built once for several databases.
    """
    if array is None:
        array = on_postgresql()
    if not array:
        return column.in_(ids)
    if isinstance(ids, sa.BindParameter):
        return column == sa.any_(sa.bindparam(ids.key, type_=postgresql.ARRAY(column.type)))
    return column == sa.any_(sa.literal(list(ids), postgresql.ARRAY(column.type)))


def load_collection(parent, key: str, statement: sa.Select) -> None:
    """Fill ``parent``'s collection ``key`` from ``statement`` — built once, ``:id`` the parent's
    id, ordered as the relationship is — as if the relationship had loaded it (changes to it are
    then tracked as usual). For a page that gathers several collections into fewer statements
    than a selectinload each would take: fewer round trips to the database."""
    set_committed_value(parent, key, list(db.session.execute(statement, {"id": parent.id}).unique().scalars()))


def commit() -> None:
    """Commit — unless inside ``atomic()``, where the outermost block commits once.

    Services end with this, so each is a transaction on its own and several of
    them (one synced record: fields, photos, hazards, signature) can be one. Inside
    ``atomic()`` nothing is flushed here: a query flushes what it needs first (autoflush)
    and a service that needs a new row's id flushes itself, so the changes of a synced
    record reach the database in a few batched flushes, not one per service call (each
    flush costs its statements, and the audit trail an event per changed row).
    """
    if not db.session.info.get("atomic_depth"):
        db.session.commit()


@contextmanager
def atomic():
    """Run several service calls as one transaction: all or nothing."""
    info = db.session.info
    info["atomic_depth"] = info.get("atomic_depth", 0) + 1
    try:
        yield
        if info["atomic_depth"] == 1:
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        info["atomic_depth"] -= 1


P = ParamSpec("P")
R = TypeVar("R")


def transaction(service: Callable[P, R]) -> Callable[P, R]:
    """Mark a service entry point as owning its transaction: it ends with ``commit()``, and when
    it raises — a rule refused, or anything failed — what it had written is rolled back here,
    so the caller's session is clean for the page that says why (views never roll back).

    Inside ``atomic()`` the outermost block decides, as for ``commit()``."""

    @wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(*args, **kwargs)
        except BaseException:
            if not db.session.info.get("atomic_depth"):
                db.session.rollback()
            raise

    return run


def discard() -> None:
    """Forget what a failed request left in its session, before its error page reads from it."""
    db.session.rollback()


def unique_violation(error: sa.exc.IntegrityError, table: str, column: str) -> bool:
    """Whether ``error`` is the unique constraint on ``table.column`` — the loser of a race for a
    client-made identity (PostgreSQL names the constraint; SQLite names the column)."""
    orig = error.orig
    name = getattr(getattr(orig, "diag", None), "constraint_name", None)
    if name:
        return name == f"uq_{table}_{column}"
    return f"UNIQUE constraint failed: {table}.{column}" in str(orig)


def analyze(*tables: str) -> None:
    """Refresh the query planner's statistics after a bulk change.

    SQLite keeps none until told, and without them it picks a poor index for
    large scoped lists; PostgreSQL's autovacuum would get there, later.
    """
    for table in tables:
        db.session.execute(sa.text(f'ANALYZE "{table}"'))


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys (off by default) and let readers and a writer overlap."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def schema_heads() -> set[str]:
    """The migrations the database says it is at (reaching it: raises when it cannot be reached)."""
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
        return set(MigrationContext.configure(conn).get_current_heads())
