"""Risk points and self-checks by the company; gaps and findings in the online patrol."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from fieldapp import clock
from fieldapp.models import PatrolFinding, RiskPoint, SelfCheck
from fieldapp.services import selfchecks
from tests.factories import POINT
from tests.helpers import logged_in, post


def _point(world, **over) -> RiskPoint:
    values = dict(POINT, **over)
    return selfchecks.add_risk_point(world.company_a1, world.ent_a1, values)


def test_company_adds_and_edits_a_risk_point(client, world, db):
    logged_in(client, "company_a1")
    path = f"/enterprises/{world.ent_a1.id}/risk-points/new"
    assert post(client, path, POINT, token_from=path).status_code == 302
    point = db.session.scalars(sa.select(RiskPoint)).one()
    assert point.check_every_days == 7 and point.risk_level == "orange"
    edit = f"/enterprises/{world.ent_a1.id}/risk-points/{point.id}"
    assert post(client, edit, dict(POINT, risk_level="red"), token_from=edit).status_code == 302
    page = client.get(f"/enterprises/{world.ent_a1.id}").get_data(as_text=True)
    assert "重大风险（红）" in page and "喷漆车间" in page


def test_risk_point_refusals(client, world):
    logged_in(client, "company_a1")
    path = f"/enterprises/{world.ent_a1.id}/risk-points/new"
    response = post(
        client, path, {"place": "", "hazard_type": "aliens", "risk_level": "", "check_every_days": "0"}, token_from=path
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in (
        "请填写风险点所在部位或设备",
        "请选择可能导致的事故类型",
        "请选择风险等级",
        "自查周期应为 1 到 366 天",
    ):
        assert message in body


def test_risk_points_belong_to_the_company_only(make_client, world):
    other = logged_in(make_client(), "company_b1")
    assert other.get(f"/enterprises/{world.ent_a1.id}/risk-points/new").status_code == 404
    inspector = logged_in(make_client(), "insp_a1")
    assert inspector.get(f"/enterprises/{world.ent_a1.id}/risk-points/new").status_code == 403
    point = _point(world)
    # Guessing a risk point id through another enterprise's URL finds nothing.
    mine = logged_in(make_client(), "company_a1")
    assert mine.get(f"/enterprises/{world.ent_a1.id}/risk-points/{point.id + 999}").status_code == 404


@pytest.mark.dated
def test_self_check_with_a_problem(client, world, db):
    point = _point(world)
    logged_in(client, "company_a1")
    path = f"/enterprises/{world.ent_a1.id}/self-checks/new"
    today = clock.today().isoformat()
    form = {
        "checked_on": today,
        "checked_by": "王工",
        f"result-{point.id}": "problem",
        f"problem-{point.id}": "灭火器过期 2 具",
    }
    assert post(client, path, form, token_from=path).status_code == 302
    check = db.session.scalars(sa.select(SelfCheck)).one()
    assert check.items[0].problem == "灭火器过期 2 具" and not check.items[0].fixed


@pytest.mark.dated
def test_self_check_refusals_keep_input(client, world):
    point = _point(world)
    logged_in(client, "company_a1")
    path = f"/enterprises/{world.ent_a1.id}/self-checks/new"
    future = (clock.today() + timedelta(days=2)).isoformat()
    response = post(
        client,
        path,
        {"checked_on": future, "checked_by": "王工", f"result-{point.id}": "problem", f"problem-{point.id}": ""},
        token_from=path,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "自查日期不能晚于今天" in body and 'value="王工"' in body
    nothing = post(client, path, {"checked_on": clock.today().isoformat(), "checked_by": "王工"}, token_from=path)
    assert "请至少勾选一个检查过的风险点" in nothing.get_data(as_text=True)


def test_gaps_find_each_kind(world, db):
    today = date(2026, 11, 22)
    no_measures = _point(world, place="配电房", control_measures="", risk_level="yellow", check_every_days="30")
    overdue = _point(world, place="液氨储罐", risk_level="red", check_every_days="7")
    fine = _point(world, place="仓库", risk_level="blue", check_every_days="30")
    _point(world, place="冲压机", risk_level="orange", check_every_days="30")
    selfchecks.record_self_check(
        world.company_a1,
        world.ent_a1,
        (today - timedelta(days=10)).isoformat(),
        "王工",
        [
            selfchecks.ItemInput(overdue.id, ok=True),
            selfchecks.ItemInput(no_measures.id, ok=True),
            selfchecks.ItemInput(fine.id, ok=False, problem="通道堆放杂物"),
        ],
        today=today,
    )
    gaps = selfchecks.gaps(world.ent_a1, today=today)
    kinds = [(g.kind, g.risk_point.place) for g in gaps]
    assert kinds == [
        ("unfixed_problem", "仓库"),
        ("missing_measures", "配电房"),
        ("overdue_check", "液氨储罐"),
        ("never_checked", "冲压机"),
    ]
    assert gaps[2].days_overdue == 3
    # Fixing the problem removes that gap.
    selfchecks.mark_fixed(world.company_a1, gaps[0].item, today=today)
    assert "unfixed_problem" not in [g.kind for g in selfchecks.gaps(world.ent_a1, today=today)]


def test_online_patrol_lists_gaps_and_records_a_finding(client, world, db):
    point = _point(world, control_measures="")
    logged_in(client, "insp_a1")
    path = f"/enterprises/{world.ent_a1.id}/online-patrol"
    page = client.get(path).get_data(as_text=True)
    assert "风险点没有填写管控措施" in page and "从未自查" in page
    response = post(
        client,
        path,
        {"gap_kind": "missing_measures", "risk_point_id": str(point.id), "description": "喷漆车间无管控措施"},
        token_from=path,
    )
    assert response.status_code == 302
    finding = db.session.scalars(sa.select(PatrolFinding)).one()
    assert finding.inspector_id == world.inspector_a1.id and finding.risk_point_id == point.id
    assert "喷漆车间无管控措施" in client.get(path).get_data(as_text=True)


def test_finding_cannot_point_at_another_companys_risk_point(client, world):
    foreign = selfchecks.add_risk_point(world.company_b1, world.ent_b1, POINT)
    logged_in(client, "insp_a1")
    path = f"/enterprises/{world.ent_a1.id}/online-patrol"
    response = post(
        client, path, {"gap_kind": "other", "risk_point_id": str(foreign.id), "description": "x"}, token_from=path
    )
    assert response.status_code == 400 and "所选风险点不属于本企业" in response.get_data(as_text=True)


def test_online_patrol_scope(make_client, world):
    assert logged_in(make_client(), "insp_b1").get(f"/enterprises/{world.ent_a1.id}/online-patrol").status_code == 404
    assert (
        logged_in(make_client(), "company_a1").get(f"/enterprises/{world.ent_a1.id}/online-patrol").status_code == 403
    )
    officer = logged_in(make_client(), "officer_a")
    page = officer.get(f"/enterprises/{world.ent_a1.id}/online-patrol").get_data(as_text=True)
    assert "线上巡查" in page and "记录发现" not in page  # officers review; inspectors record


def test_company_does_not_see_inspectors_findings(make_client, world):
    point = _point(world)
    selfchecks.record_finding(world.inspector_a1, world.ent_a1, "other", "内部发现：待核实", risk_point_id=point.id)
    company = logged_in(make_client(), "company_a1")
    assert "内部发现：待核实" not in company.get(f"/enterprises/{world.ent_a1.id}").get_data(as_text=True)
    officer = logged_in(make_client(), "officer_a")
    assert "内部发现：待核实" in officer.get(f"/enterprises/{world.ent_a1.id}").get_data(as_text=True)
