"""Bimonthly full coverage: periods and their boundaries (China time), what counts as due and
as covered, grid reassignment, the dashboard and the inspector's own list."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from fieldapp import clock
from fieldapp.clock import SHANGHAI
from fieldapp.db import db
from fieldapp.models import AuditEvent, Enterprise, Inspection
from fieldapp.services import coverage, inspections, statistics
from tests.factories import inspect, signature_url
from tests.helpers import logged_in


@pytest.mark.parametrize(
    "day,start,end",
    [
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 2, 28)),
        (date(2026, 2, 28), date(2026, 1, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 30)),
        (date(2028, 2, 29), date(2028, 1, 1), date(2028, 2, 29)),
        (date(2026, 12, 31), date(2026, 11, 1), date(2026, 12, 31)),
        (date(2026, 7, 15), date(2026, 7, 1), date(2026, 8, 31)),
    ],
)
def test_periods(day, start, end):
    p = coverage.period_of(day)
    assert (p.start, p.end) == (start, end)
    assert p.next().start == date.fromordinal(end.toordinal() + 1)
    assert p.previous().end == date.fromordinal(start.toordinal() - 1)
    assert coverage.parse(p.key) == p


def test_days_left_and_parsing():
    p = coverage.period_of(date(2026, 11, 22))
    assert p.days_left(date(2026, 11, 22)) == 40 and p.days_left(date(2026, 12, 31)) == 1
    assert p.days_left(date(2027, 1, 1)) == 0
    assert coverage.parse("2026-13") is None and coverage.parse("abc") is None and coverage.parse("1900-01") is None


def figures(user, period) -> dict[str, tuple[int, int]]:
    return {r.grid.code: (r.covered, r.due) for r in coverage.by_grid(user, period)}


@pytest.mark.dated
def test_boundaries_are_china_time(world):
    jan_feb, mar_apr = coverage.period_of(date(2026, 2, 1)), coverage.period_of(date(2026, 3, 1))
    # 23:30 on 28 February in China is still Jan–Feb; 00:10 on 1 March is Mar–Apr (16:10 UTC the day before).
    inspect(world, world.ent_a1, datetime(2026, 2, 28, 23, 30, tzinfo=SHANGHAI))
    inspect(world, world.ent_a1, datetime(2026, 3, 1, 0, 10, tzinfo=SHANGHAI))
    assert datetime(2026, 3, 1, 0, 10, tzinfo=SHANGHAI).astimezone(UTC).day == 28
    code = world.grid_a1.code
    # ent_a1 and ent_a1_other (status "new") are due in grid A1.
    assert figures(world.officer_a, jan_feb)[code] == (1, 2)
    assert figures(world.officer_a, mar_apr)[code] == (1, 2)
    assert figures(world.officer_a, coverage.period_of(date(2026, 5, 1)))[code] == (0, 2)


@pytest.mark.dated
def test_drafts_do_not_count_and_closed_enterprises_are_not_due(world):
    now = clock.local(clock.now())
    period = coverage.period_of(now.date())
    inspect(world, world.ent_a1, now, sign=False)
    assert figures(world.officer_a, period)[world.grid_a1.code] == (0, 2)
    world.ent_a1_other.status = "closed"
    db.session.commit()
    assert figures(world.officer_a, period)[world.grid_a1.code] == (0, 1)
    inspect(world, world.ent_a1, now)
    assert figures(world.officer_a, period)[world.grid_a1.code] == (1, 1)
    assert [e.id for e in coverage.uncovered(world.officer_a, period, world.grid_a1)] == []


def test_last_inspection_is_kept_by_the_database_whoever_writes(world):
    """``enterprises.last_inspected_at`` (what coverage reads first) equals a recount from the
    finished inspections after the services and after SQL written behind their back."""

    def last(enterprise):
        db.session.expire_all()
        return db.session.get(Enterprise, enterprise.id).last_inspected_at

    def recount(enterprise):
        return db.session.scalar(
            sa.select(sa.func.max(Inspection.started_at)).where(
                Inspection.enterprise_id == enterprise.id, Inspection.state != "draft"
            )
        )

    a1, a2 = world.ent_a1, world.ent_a1_other
    march, may = datetime(2026, 3, 10, 9, tzinfo=UTC), datetime(2026, 5, 10, 9, tzinfo=UTC)
    draft = inspect(world, a1, may, sign=False)
    assert last(a1) is None  # a draft covers nothing
    first = inspect(world, a1, march)
    assert last(a1) == march
    inspections.sign(world.inspector_a1, draft, "朱春生", "", signature_url(), inspections.summary_sha256(draft))
    assert last(a1) == may  # the draft signed
    db.session.execute(sa.update(Inspection).where(Inspection.id == draft.id).values(enterprise_id=a2.id))
    db.session.commit()
    assert (last(a1), last(a2)) == (march, may)  # moved to another enterprise: both recounted
    db.session.execute(sa.update(Inspection).where(Inspection.id == first.id).values(state="draft"))
    db.session.execute(sa.delete(Inspection).where(Inspection.id == draft.id))
    db.session.commit()
    assert (last(a1), last(a2)) == (None, None)
    assert all(last(e) == recount(e) for e in (a1, a2, world.ent_a2))

    # Derived from audited rows and left out of the audit's digests: the enterprise's next audited
    # change starts from the state its last event left, whatever the triggers wrote in between.
    def events():
        return db.session.execute(
            sa.select(AuditEvent.before_sha256, AuditEvent.after_sha256)
            .where(AuditEvent.object_type == "Enterprise", AuditEvent.object_id == str(a2.id))
            .order_by(AuditEvent.seq)
        ).all()

    a2 = db.session.get(Enterprise, a2.id)
    a2.notes = "东侧为仓库"
    db.session.commit()
    known = events()[-1].after_sha256
    inspect(world, a2, may)
    assert last(a2) == may
    a2.notes = "东侧为仓库，门卫室旁新设危化品库"
    db.session.commit()
    assert known and events()[-1].before_sha256 == known


@pytest.mark.dated
def test_covered_in_a_period_after_later_visits(world):
    """An enterprise inspected again after a period still counts for it; one inspected only before
    it does not — the three ways the coverage condition answers."""
    jan_feb, mar_apr, may_jun = (coverage.period_of(date(2026, m, 1)) for m in (1, 3, 5))
    inspect(world, world.ent_a1, datetime(2026, 1, 20, 10, tzinfo=SHANGHAI))
    inspect(world, world.ent_a1, datetime(2026, 5, 20, 10, tzinfo=SHANGHAI))
    inspect(world, world.ent_a1_other, datetime(2026, 3, 20, 10, tzinfo=SHANGHAI))
    code = world.grid_a1.code
    assert [figures(world.officer_a, p)[code] for p in (jan_feb, mar_apr, may_jun)] == [(1, 2), (1, 2), (1, 2)]
    assert [e.name for e in coverage.uncovered(world.officer_a, mar_apr, world.grid_a1)] == [world.ent_a1.name]
    assert figures(world.officer_a, coverage.period_of(date(2026, 7, 1)))[code] == (0, 2)


def test_coverage_follows_an_enterprise_to_its_new_grid(world):
    now = clock.local(clock.now())
    period = coverage.period_of(now.date())
    inspect(world, world.ent_a1, now)
    assert figures(world.officer_a, period)[world.grid_a1.code] == (1, 2)
    world.ent_a1.grid_id = world.grid_a2.id
    db.session.commit()
    after = figures(world.officer_a, period)
    assert after[world.grid_a1.code] == (0, 1) and after[world.grid_a2.code] == (1, 2)
    people = {
        p.user.username: p
        for p in coverage.by_inspector(world.officer_a, period, coverage.by_grid(world.officer_a, period))
    }
    # insp_a1's grid now has one due enterprise, not yet covered; their own inspection still counts as theirs.
    assert (people["insp_a1"].covered, people["insp_a1"].due, people["insp_a1"].own) == (0, 1, 1)
    assert (people["tech_a2"].covered, people["tech_a2"].due) == (1, 2)


@pytest.mark.dated
def test_dashboard_pages_and_scope(world, make_client):
    now = clock.local(clock.now())
    inspect(world, world.ent_a1, now)
    officer = logged_in(make_client(), "officer_a")
    page = officer.get("/coverage").get_data(as_text=True)
    assert world.grid_a1.name in page and world.grid_a2.name in page and world.grid_b1.name not in page
    assert 'id="days-left"' in page
    grid_page = officer.get(f"/coverage/grids/{world.grid_a1.id}").get_data(as_text=True)
    assert world.ent_a1_other.name in grid_page and world.ent_a1.name not in grid_page
    previous = coverage.current().previous().key
    old = officer.get(f"/coverage?period={previous}")
    assert old.status_code == 200 and 'id="days-left"' not in old.get_data(as_text=True)
    assert officer.get("/coverage?period=nonsense").status_code == 404
    assert logged_in(make_client(), "insp_b1").get(f"/coverage/grids/{world.grid_a1.id}").status_code == 404
    assert logged_in(make_client(), "company_a1").get("/coverage").status_code == 403
    inspector = logged_in(make_client(), "insp_a1")
    home = inspector.get("/").get_data(as_text=True)
    assert "本期还需检查 1 家" in home and world.ent_a1_other.name in home
    mine = inspector.get(f"/coverage/grids/{world.grid_a1.id}").get_data(as_text=True)
    assert "开始检查" in mine


def test_large_scopes_start_with_one_line_per_department(world, make_client, monkeypatch):
    monkeypatch.setattr(statistics, "GRIDS_ON_ONE_PAGE", 2)  # the district admin sees 3 grids
    inspect(world, world.ent_a1, clock.local(clock.now()))
    admin = logged_in(make_client(), "admin_d")
    page = admin.get("/coverage").get_data(as_text=True)
    assert 'id="coverage-units"' in page and 'id="coverage-grids"' not in page
    assert f'data-unit="{world.town_a.code}"' in page and f'data-unit="{world.town_b.code}"' in page
    assert 'data-stat="covered">1<' in page and 'data-stat="due">4<' in page
    town = admin.get(f"/coverage?unit={world.town_a.id}").get_data(as_text=True)
    assert world.grid_a1.name in town and world.grid_b1.name not in town and 'id="coverage-people"' in town
