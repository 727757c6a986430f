"""Half-yearly assessment: pre-filled figures match the records, scores within range, grades,
history, and the best flagged for commendation."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from fieldapp import clock, roles
from fieldapp.db import db
from fieldapp.errors import InputError
from fieldapp.models import Clue, Hazard, HazardEvent
from fieldapp.services import assessments, hazards
from tests.factories import PHOTO, confirm_values, inspect, report
from tests.helpers import logged_in, post


def test_halves():
    assert assessments.half_of(date(2026, 6, 30)) == "2026-H1" and assessments.half_of(date(2026, 7, 1)) == "2026-H2"
    assert assessments.half_bounds("2026-H2") == (date(2026, 7, 1), date(2026, 12, 31))
    assert assessments.previous_half("2026-H1") == "2025-H2"
    assert assessments.parse_half("2026-H3") is None and assessments.parse_half("x") is None


@pytest.mark.dated
def test_prefilled_figures_match_the_records(world):
    half = assessments.half_of(clock.today())
    inspect(world, world.ent_a1, clock.local(clock.now()))
    on_time, late, rejected = report(world), report(world), report(world)
    for h in (on_time, late):
        hazards.confirm(world.officer_a, h, confirm_values())
        hazards.acknowledge(world.company_a1, h)
        hazards.submit(world.company_a1, h, "已整改", PHOTO)
    hazards.reject(world.officer_a, rejected, "不属实")
    hazards.recheck(world.inspector_a1, on_time, True, {"note": "通过"}, PHOTO)
    hazards.recheck(world.inspector_a1, late, True, {"note": "通过"}, PHOTO)
    # The late one's submission was five days before its re-check.
    submit = db.session.scalar(
        sa.select(HazardEvent).where(HazardEvent.hazard_id == late.id, HazardEvent.action == "submit")
    )
    db.session.execute(
        sa.update(HazardEvent)
        .where(HazardEvent.id == submit.id)
        .values(created_at=submit.created_at - timedelta(days=5))
    )
    db.session.add(
        Clue(
            code="XS0000000001",
            kind="criticism",
            content="网格员态度差，检查走过场。",
            org_unit_id=world.town_a.id,
            grid_id=world.grid_a1.id,
            due_on=clock.today(),
        )
    )
    db.session.commit()
    f = assessments.figures(world.inspector_a1, half)
    reported = db.session.scalar(
        sa.select(sa.func.count()).select_from(Hazard).where(Hazard.reporter_id == world.inspector_a1.id)
    )
    assert f["hazards_reported"] == reported == 3 and f["hazards_confirmed"] == 2
    assert f["rechecks"] == 2 and f["rechecks_on_time"] == 50
    assert f["complaints"] == 1 and f["overdue"] == 0
    assert 0 < f["coverage"] < 100  # ent_a1 covered this period, ent_a1_other not


def _scores(admin_items, **by_name):
    return {f"item-{i.id}": str(by_name.get(i.name, i.max_score)) for i in admin_items}


@pytest.mark.dated
def test_scores_grades_and_commendation(world, factory, make_client):
    half = assessments.half_of(clock.today())
    items = assessments.items(world.admin)
    assert [i.name for i in items] == [n for n, _m, _k in assessments.DEFAULT_ITEMS]
    with pytest.raises(InputError) as refused:
        assessments.save(world.admin, world.inspector_a1, half, _scores(items, 巡查覆盖=31))
    assert "0 到 30" in next(iter(refused.value.errors.values()))
    with pytest.raises(InputError):
        assessments.save(world.admin, world.inspector_a1, half, _scores(items, 工作纪律="-1"))
    best = assessments.save(world.admin, world.inspector_a1, half, _scores(items) | {"comments": "表现突出"})
    assert (best.total, best.max_total, best.grade) == (100, 100, "excellent")
    fair = assessments.save(world.admin, world.tech_a2, half, _scores(items, 巡查覆盖=10, 隐患排查=10))
    assert fair.grade == "pass" and fair.total == 65
    again = assessments.save(world.admin, world.tech_a2, half, _scores(items, 巡查覆盖=20))
    assert again.id == fair.id and (again.total, again.grade) == (90, "excellent")
    others = [factory.user(roles.GRID_INSPECTOR, grids=[world.grid_a2]) for _ in range(3)]
    for person in others:
        assessments.save(world.admin, person, half, _scores(items, 巡查覆盖=0))
    flagged = assessments.commended(list(assessments.for_half(world.admin, half).values()))
    assert flagged == {world.inspector_a1.id}
    page = logged_in(make_client(), "admin_d").get(f"/corps/assessments?half={half}").get_data(as_text=True)
    assert "建议表彰" in page and "优秀" in page
    r = post(
        logged_in(make_client(), "admin_d"),
        f"/corps/{world.inspector_b1.id}/assessments/{half}",
        _scores(items, 群众评价=11),
        f"/corps/{world.inspector_b1.id}/assessments/{half}",
    )
    assert r.status_code == 400 and "0 到 10" in r.get_data(as_text=True)
    assert (
        logged_in(make_client(), "admin_d").get(f"/corps/{world.inspector_b1.id}/assessments/2026-H9").status_code
        == 404
    )
    history = assessments.history(world.inspector_a1)
    assert [a.half for a in history] == [half] and history[0].comments == "表现突出"
