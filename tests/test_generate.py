"""The district-scale data generator, at 1/100 scale, so that it never rots: counts, coverage,
consistency, and the key pages render over what it made."""
import sqlalchemy as sa

from bench.generate import PASSWORD, generate
from fieldapp.models import Enterprise, Hazard, HazardEvent, Inspection, InspectionPhoto, User
from fieldapp.services import coverage, statistics
from tests.helpers import logged_in


def test_generate_at_a_hundredth(db, make_client):
    counts = generate(scale=0.01, seed=7, log=lambda *_: None)
    assert counts["enterprises"] == 200 and counts["inspectors"] == counts["grids"] == 4
    assert counts["inspections"] == db.session.scalar(sa.select(sa.func.count()).select_from(Inspection))
    assert 2300 <= counts["inspections"] <= 2400  # twelve two-month periods
    assert counts["photos"] == db.session.scalar(sa.select(sa.func.count()).select_from(InspectionPhoto))
    assert counts["hazards"] == 1500 == db.session.scalar(sa.select(sa.func.count()).select_from(Hazard))
    # Every event's steps match its hazard's state; closed hazards were confirmed before closing.
    closed = db.session.scalars(sa.select(Hazard).where(Hazard.status == "closed").limit(50)).all()
    assert closed and all(h.confirmed_at <= h.closed_at for h in closed)
    last = {hid: to for hid, to in db.session.execute(
        sa.select(HazardEvent.hazard_id, HazardEvent.to_status).order_by(HazardEvent.id))}
    states = dict(db.session.execute(sa.select(Hazard.id, Hazard.status).where(Hazard.id.in_(last))).all())
    assert all(last[h] == states[h] for h in last)
    admin = db.session.get(User, counts["admin"])
    previous = coverage.current().previous()
    rows = coverage.by_grid(admin, previous)
    operating = db.session.scalar(sa.select(sa.func.count()).select_from(Enterprise).where(
        Enterprise.status.in_(coverage.DUE_STATUSES)))
    assert sum(r.due for r in rows) == operating and all(r.covered == r.due for r in rows)
    report = statistics.report(admin, statistics.default_filters())
    assert report.total.found > 0 and report.total.closed > 0
    client = logged_in(make_client(), admin.username, PASSWORD)
    for path in ("/", "/coverage", "/statistics", "/hazards/?tab=overdue", f"/coverage?period={previous.key}"):
        assert client.get(path).status_code == 200, path


def test_explain_and_idor_benchmarks_run(db):
    """bench.explain (the EXPLAIN evidence behind the indexes) and bench.idor (out-of-scope ids
    answered as missing ones) over a small district, so they never rot."""
    import pytest

    from bench import explain, idor

    if db.engine.dialect.name != "postgresql":
        # Justified: EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) and the benchmarks' plans exist on
        # PostgreSQL only; the same test runs in the PostgreSQL half of the suite.
        pytest.skip("the plans are PostgreSQL's")
    generate(scale=0.01, seed=7, log=lambda *_: None)
    db.session.commit()
    summary, detail = explain.run(db.engine.url.render_as_string(hide_password=False))
    pages = {r.label for r in explain.ROUTES if r.role != "anonymous" and r.path != "sync"}
    assert {row["page"] for row in summary} == pages
    assert all(row["statements"] > 0 and row["sql_ms"] > 0 for row in summary)
    assert {d["page"] for d in detail} == pages and all(d["sql"].startswith(("SELECT", "WITH")) for d in detail)
    # Each page loads its user by the session token's unique index — or, once autovacuum has
    # told the planner this small district's table holds a handful of rows, by reading it whole
    # (the right plan at that size; which one comes first depends on autovacuum's timing).
    for page in pages:
        lookups = [d for d in detail if d["page"] == page and d["sql"].startswith("SELECT user_sessions.id")]
        assert lookups and all("uq_user_sessions_token_hash" in d["indexes"] or "user_sessions" in d["small_seq_scans"]
                               for d in lookups), (page, lookups)
    assert not any("UNJUSTIFIED" in row["why"] for row in summary)
    rows = idor.run(db.engine.url.render_as_string(hide_password=False), requests=5)
    assert {r["object"] for r in rows} == {"enterprise", "inspection", "hazard", "photo"}
    assert all(r["same answer"] for r in rows), rows
