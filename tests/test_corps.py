"""The inspector corps: records, training against the rules, work IDs issued only after pre-job
training and never twice, equipment and the dismissal checklist."""

import base64
import re
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image

from fieldapp import clock
from fieldapp.db import db
from fieldapp.errors import Conflict, Forbidden, InputError
from fieldapp.models import InspectorGrid, UserSession, WorkIdIssue
from fieldapp.services import corps
from tests.helpers import logged_in, post


def session(world, kind="pre_job", start="2026-03-02", end="2026-04-10", days="30", title="岗前培训"):
    return corps.create_session(
        world.admin,
        {
            "title": title,
            "kind": kind,
            "starts_on": start,
            "ends_on": end,
            "days": days,
            "org_unit_id": str(world.district.id),
        },
    )


def attend(world, s, person, days, **extra):
    return corps.record_attendance(world.admin, s, {"user_id": str(person.id), "days": str(days), **extra})


@pytest.mark.parametrize(
    "values,field,message",
    [
        ({"term_start": "2026-05-01", "term_end": "2026-04-01"}, "term_end", "不能早于"),
        ({"kind": "technical_part", "term_start": "2026-01-01", "term_end": "2029-06-01"}, "term_end", "3 年"),
        ({"kind": "wizard"}, "kind", "类别"),
        ({"status": "dismissed"}, "status", "解聘清单"),
        ({"term_start": "someday"}, "term_start", "日期格式"),
    ],
)
def test_bad_records_are_refused(world, values, field, message):
    with pytest.raises(InputError) as refused:
        corps.save_record(world.admin, world.inspector_a1, values)
    assert message in refused.value.errors[field]


@pytest.mark.parametrize(
    "values,field,message",
    [
        ({"days": "-2"}, "days", "负数"),
        ({"days": "45"}, "days", "不能超过"),
        ({"days": "1.3"}, "days", "半天"),
        ({"days": "abc"}, "days", "天数"),
        ({"end": "2026-02-01"}, "ends_on", "不能早于"),
        ({"days": "0"}, "days", "大于 0"),
    ],
)
def test_bad_sessions_are_refused(world, values, field, message):
    with pytest.raises(InputError) as refused:
        session(world, **values)
    assert message in refused.value.errors[field]


@pytest.mark.dated
def test_training_totals_against_the_rules(world):
    s1 = session(world, "in_service", "2026-05-04", "2026-05-13", "10", "在岗培训一")
    attend(world, s1, world.inspector_a1, 10)
    attend(world, s1, world.tech_a2, 7.5)
    corps.save_record(world.admin, world.tech_a2, {"kind": "technical_full"})
    totals = corps.training(
        [world.inspector_a1.id, world.tech_a2.id],
        2026,
        {world.inspector_a1.id: "grid", world.tech_a2.id: "technical_full"},
    )
    assert totals[world.inspector_a1.id].shortfall == Decimal(5)  # 15 required of grid inspectors
    assert totals[world.tech_a2.id].shortfall == 0  # 7 of technical inspectors
    assert corps.training([world.inspector_a1.id], 2027, {})[world.inspector_a1.id].in_service_days == 0
    overlapping = session(world, "in_service", "2026-05-10", "2026-05-11", "2", "重叠的培训")
    with pytest.raises(InputError) as refused:
        attend(world, overlapping, world.inspector_a1, 2)
    assert "时间重叠" in refused.value.errors["user_id"]
    with pytest.raises(InputError) as refused:
        attend(world, s1, world.inspector_a1, 3, exam_score="120")
    assert "0 到 100" in refused.value.errors["exam_score"]
    with pytest.raises(InputError):
        attend(world, s1, world.company_a1, 3)  # not an inspector of this admin


@pytest.mark.dated
def test_work_ids_after_pre_job_training_and_never_twice(world, factory):
    with pytest.raises(Forbidden, match="岗前培训"):
        corps.issue_work_id(world.admin, world.inspector_a1)
    pre = session(world)
    attend(world, pre, world.inspector_a1, 30, exam_score="59")
    with pytest.raises(Forbidden, match="考试合格"):
        corps.issue_work_id(world.admin, world.inspector_a1)
    attend(world, pre, world.inspector_a1, 30, exam_score="86")
    attend(world, pre, world.tech_a2, 30, passed="1")
    on = date(2026, 11, 22)
    first = corps.issue_work_id(world.admin, world.inspector_a1, on)
    second = corps.issue_work_id(world.admin, world.tech_a2, on)
    region = world.district.code
    assert (first.number, second.number) == (f"{region}20260001", f"{region}20260002")
    assert world.inspector_a1.work_id == first.number
    assert corps.record_of(world.inspector_a1).status == "active"
    with pytest.raises(Conflict, match="已有工作证"):
        corps.issue_work_id(world.admin, world.inspector_a1, on)
    corps.revoke_work_id(world.admin, world.inspector_a1, on)
    again = corps.issue_work_id(world.admin, world.inspector_a1, on)
    assert again.number == f"{region}20260003"  # a revoked number is never issued again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkIdIssue)) == 3


def test_equipment_and_dismissal_checklist(world, make_client):
    pre = session(world)
    attend(world, pre, world.inspector_a1, 30, exam_score="90")
    corps.issue_work_id(world.admin, world.inspector_a1)
    helmet = corps.issue_equipment(world.admin, world.inspector_a1, {"item": "helmet", "serial": "AQM-001"})
    corps.issue_equipment(world.admin, world.inspector_a1, {"item": "terminal", "serial": "PDA-77"})
    with pytest.raises(InputError):
        corps.issue_equipment(world.admin, world.inspector_a1, {"item": "sword"})
    logged_in(make_client(), "insp_a1")  # a live session, to be ended
    with pytest.raises(Conflict, match="未归还"):
        corps.dismiss(world.admin, world.inspector_a1, "王某某自 2026 年 11 月起不再担任本网格网格员。")
    corps.return_equipment(world.admin, world.inspector_a1, helmet.id)
    with pytest.raises(Conflict):
        corps.return_equipment(world.admin, world.inspector_a1, helmet.id)
    for row in corps.equipment_of(world.inspector_a1):
        if row.returned_on is None:
            corps.return_equipment(world.admin, world.inspector_a1, row.id)
    with pytest.raises(InputError):
        corps.dismiss(world.admin, world.inspector_a1, "")
    corps.dismiss(world.admin, world.inspector_a1, "测试用户自 2026 年 11 月起不再担任本网格网格员，工作证作废。")
    person = world.inspector_a1
    assert person.work_id is None and not person.active
    assert all(done for _k, _l, done in corps.checklist(person))
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(InspectorGrid).where(InspectorGrid.user_id == person.id)
        )
        == 0
    )
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(UserSession).where(UserSession.user_id == person.id))
        == 0
    )
    board = make_client().get(f"/board/{world.grid_a1.code}").get_data(as_text=True)
    assert "工作证作废" in board and person.display_name not in board.split("人员变动公告")[0]
    assert "工作证作废" not in make_client().get(f"/board/{world.grid_b1.code}").get_data(as_text=True)
    with pytest.raises(Conflict):
        corps.issue_work_id(world.admin, person)


@pytest.mark.dated
def test_pages_renewals_and_card(world, make_client):
    pre = session(world)
    attend(world, pre, world.inspector_a1, 30, exam_score="90")
    admin = logged_in(make_client(), "admin_a")
    r = post(
        admin,
        f"/corps/{world.inspector_a1.id}",
        {
            "kind": "grid",
            "status": "training",
            "contract_type": "part_time",
            "term_start": "2024-01-01",
            "term_end": (clock.today() + timedelta(days=30)).isoformat(),
        },
        f"/corps/{world.inspector_a1.id}",
    )
    assert r.status_code == 302
    listing = admin.get("/corps/").get_data(as_text=True)
    assert 'id="renewals"' in listing and world.inspector_a1.display_name in listing
    assert world.inspector_b1.display_name not in listing  # not this admin's
    assert admin.get(f"/corps/{world.inspector_b1.id}").status_code == 404
    r = post(admin, f"/corps/{world.inspector_a1.id}/issue_work_id", {}, f"/corps/{world.inspector_a1.id}")
    assert r.status_code == 302
    card = admin.get(f"/corps/{world.inspector_a1.id}/card").get_data(as_text=True)
    number = re.search(r'id="card-number">([^<]+)<', card).group(1)
    assert number == db.session.get(type(world.inspector_a1), world.inspector_a1.id).work_id
    data = re.search(r'id="qr-card" src="data:image/png;base64,([^"]+)"', card).group(1)
    decoded = zxingcpp.read_barcodes(Image.open(BytesIO(base64.b64decode(data))).convert("L"))
    assert decoded[0].text == f"http://localhost/board/{world.grid_a1.code}"
    r = post(admin, f"/corps/{world.inspector_a1.id}/issue_work_id", {}, f"/corps/{world.inspector_a1.id}")
    assert r.status_code == 409 and "已有工作证" in r.get_data(as_text=True)
    r = post(
        admin,
        "/corps/training",
        {"title": "", "kind": "pre_job", "starts_on": "2026-01-05", "ends_on": "2026-01-01", "days": "-1"},
        "/corps/training",
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "请填写培训名称" in html and "不能早于开始日期" in html
    assert logged_in(make_client(), "officer_a").get("/corps/").status_code == 403
