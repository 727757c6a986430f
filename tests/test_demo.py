"""The demo district: realistic, valid, idempotent, and scriptable."""

import json

import sqlalchemy as sa

from fieldapp import roles
from fieldapp.models import Enterprise, Grid, OrgUnit, User
from fieldapp.services import demo, uscc
from tests.helpers import logged_in


def _counts(db):
    return {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (OrgUnit, Grid, Enterprise, User)
    }


def test_demo_is_realistic_and_idempotent(app, db):
    assert demo.load(hash_method="scrypt:4096:8:1") is True
    first = _counts(db)
    assert demo.load(hash_method="scrypt:4096:8:1") is False
    assert _counts(db) == first
    assert first["OrgUnit"] == 4 and first["Grid"] >= 12 and first["Enterprise"] >= 300
    towns = db.session.scalars(sa.select(OrgUnit).where(OrgUnit.parent_id.is_not(None))).all()
    assert len(towns) == 3 and {t.kind for t in towns} == {"town", "zone"}
    codes = db.session.scalars(sa.select(Enterprise.uscc)).all()
    assert len(set(codes)) == len(codes) and all(uscc.is_valid(c) for c in codes)
    names = db.session.scalars(sa.select(Enterprise.name)).all()
    assert all(n.startswith("苏州") and n.endswith("有限公司") for n in names)
    # Every grid has an inspector.
    for grid in db.session.scalars(sa.select(Grid)):
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.grids.any(Grid.id == grid.id)))
            >= 1
        ), grid.code


def test_demo_accounts_cli_prints_json_for_every_role(app, db):
    runner = app.test_cli_runner()
    assert "loaded" in runner.invoke(args=["fieldapp", "demo"]).output
    assert "nothing changed" in runner.invoke(args=["fieldapp", "demo"]).output
    result = runner.invoke(args=["fieldapp", "demo-accounts", "--json"])
    assert result.exit_code == 0
    accounts = json.loads(result.output)
    assert {a["role"] for a in accounts} == set(roles.ALL)
    inspectors = [a for a in accounts if a["role"] == "grid_inspector"]
    assert len(inspectors) == 2 and inspectors[0]["grid"]["id"] != inspectors[1]["grid"]["id"]
    managers = [a for a in accounts if a["role"] == "company_manager"]
    assert len(managers) == 2 and managers[0]["enterprise"]["id"] != managers[1]["enterprise"]["id"]
    for a in accounts:
        assert {"role", "username", "password"} <= a.keys()
        assert a["role"] not in roles.INSPECTORS or "grid" in a


def test_every_demo_account_logs_in_and_sees_its_home(app, db, make_client):
    demo.load(hash_method="scrypt:4096:8:1")
    sections = {
        "grid_inspector": 'data-section="inspector"',
        "technical_inspector": 'data-section="inspector"',
        "enforcement_officer": 'data-section="officer"',
        "company_manager": 'data-section="company"',
        "social_supervisor": 'data-section="supervisor"',
        "admin": 'data-section="admin"',
        "discipline_inspector": 'data-section="discipline"',
    }
    for account in demo.accounts():
        c = logged_in(make_client(), account["username"], account["password"])
        assert sections[account["role"]] in c.get("/").get_data(as_text=True), account["username"]


def test_home_counts_come_from_the_database(app, db, make_client):
    demo.load(hash_method="scrypt:4096:8:1")
    c = logged_in(make_client(), "admin", demo.DEMO_PASSWORD)
    body = c.get("/").get_data(as_text=True)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Enterprise))
    assert f'data-stat="enterprises">{total}<' in body
    insp = logged_in(make_client(), "inspector", demo.DEMO_PASSWORD)
    grid_total = db.session.scalar(
        sa.select(sa.func.count()).select_from(Enterprise).join(Grid).where(Grid.code == "MD-01")
    )
    assert f'data-stat="enterprises">{grid_total}<' in insp.get("/").get_data(as_text=True)


def test_demo_activity_makes_a_working_loop_through_the_services(app, db):
    """`make run`'s day of work: signed records that verify, hazards in every state of the loop
    (a major one under a stop-work order), each step traced; added once."""
    from fieldapp.models import Hazard, HazardEvent, Inspection
    from fieldapp.services import audit, demo_activity, inspections

    demo.load(hash_method="pbkdf2:sha256:1")
    assert demo_activity.load() is True
    records = db.session.scalars(sa.select(Inspection)).all()
    assert {r.state for r in records} == {"signed", "draft"}
    assert all(inspections.verify(r) for r in records if r.state == "signed")
    states = {h.status for h in db.session.scalars(sa.select(Hazard))}
    assert states == {"reported", "rejected", "confirmed", "rectifying", "awaiting_recheck", "closed"}
    major = db.session.scalar(sa.select(Hazard).where(Hazard.stop_work.is_(True)))
    assert major.status == "rectifying" and major.order_number
    closed = db.session.scalar(sa.select(Hazard).where(Hazard.status == "closed"))
    assert [e.action for e in closed.events] == ["confirm", "acknowledge", "submit", "recheck_pass"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HazardEvent)) >= 10
    assert audit.verify().ok
    # Every row the district and its day of work wrote is what the trail last recorded of it.
    from fieldapp.services import tamper

    report = tamper.check_rows()
    assert report.checked > 500 and report.findings == [], report.findings[:10]
    assert demo_activity.load() is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == len(records)


def test_demo_cli_adds_activity_on_request(app, db):
    runner = app.test_cli_runner()
    assert "activity" not in runner.invoke(args=["fieldapp", "demo"]).output
    assert "Demo activity loaded" in runner.invoke(args=["fieldapp", "demo", "--with-activity"]).output
    assert "no activity added" in runner.invoke(args=["fieldapp", "demo", "--with-activity"]).output
