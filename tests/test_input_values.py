"""Values no form expects, read the same way everywhere: NUL characters removed from queries,
forms and JSON; ids and years past what the columns and calendars hold treated as absent;
"nan" days refused with a message. Each was a 500 (found by tests/test_form_fuzz.py)."""

import sqlalchemy as sa

from fieldapp import fields
from fieldapp.http.params import without_nul
from fieldapp.models import Enterprise
from tests.factories import enterprise_form
from tests.helpers import logged_in, post


def test_ids_and_years_read_from_text():
    assert [fields.ident(v) for v in ("12", " 7 ", "0", "-1", "9" * 20, "²", "１２", "", None)] == [
        12,
        7,
        None,
        None,
        None,
        None,
        12,
        None,
        None,
    ]
    assert fields.ident(str(2**31 - 1)) == 2**31 - 1 and fields.ident(str(2**31)) is None
    # Python's int() refuses more than 4,300 digits: such an id is "not found", not an error.
    assert fields.ident("9" * 5000) is None and fields.year("9" * 5000) is None
    assert [fields.year(v) for v in ("2026", "10000", "1999", "x", None)] == [2026, None, None, None, None]


def test_nul_leaves_every_string_and_nothing_else():
    sent = {"a\x00": ["b\x00c", 1, None, {"d": "\x00"}], "e": 2.5}
    assert without_nul(sent) == {"a": ["bc", 1, None, {"d": ""}], "e": 2.5}


def test_nul_in_a_search_a_form_and_json_is_dropped(make_client, world, db):
    inspector = logged_in(make_client(), "insp_a1")
    found = inspector.get("/enterprises/", query_string={"q": "甲一精密\x00"})
    assert found.status_code == 200 and world.ent_a1.name in found.get_data(as_text=True)
    admin = logged_in(make_client(), "admin_d")
    r = post(
        admin,
        "/enterprises/new",
        enterprise_form(world, name="苏州新建\x00精工有限公司", notes="\x00"),
        "/enterprises/new",
    )
    assert r.status_code == 302
    assert db.session.execute(
        sa.select(Enterprise.name, Enterprise.notes).where(Enterprise.name == "苏州新建精工有限公司")
    ).one() == ("苏州新建精工有限公司", "")
    token = inspector.get("/api/v1/me").get_json()["csrf_token"]
    r = inspector.patch("/api/v1/me", json={"locale": "en\x00"}, headers={"X-CSRFToken": token})
    assert r.status_code == 200 and r.get_json()["locale"] == "en"


def test_ids_and_years_out_of_range_are_ignored_not_500(make_client, world, db):
    officer = logged_in(make_client(), "officer_a")
    assert officer.get("/hazards/", query_string={"tab": "open", "grid": "9" * 20}).status_code == 200
    assert officer.get("/statistics", query_string={"unit": "9" * 20}).status_code == 200
    admin = logged_in(make_client(), "admin_d")
    page = admin.get("/admin/holidays?year=10000")
    assert page.status_code == 200
    # An id longer than Python's int() reads (4,300 digits) is "not yours", not a 500.
    r = post(admin, "/clues/bulletins", {"org_unit_id": "9" * 5000, "period_start": "x"}, "/clues/bulletins")
    assert r.status_code == 400 and "请选择您管理的区域" in r.get_data(as_text=True)
    r = post(admin, "/enterprises/new", {"name": "苏州某某有限公司", "grid": "9" * 20}, "/enterprises/new")
    assert r.status_code == 400 and "请选择您管辖范围内的网格" in r.get_data(as_text=True)


def test_nan_days_of_training_get_a_message(make_client, world, db):
    admin = logged_in(make_client(), "admin_d")
    for days in ("nan", "inf", "-Infinity"):
        r = post(
            admin,
            "/corps/training",
            {"title": "岗前培训", "kind": "pre_job", "starts_on": "2026-01-05", "ends_on": "2026-01-06", "days": days},
            "/corps/training",
        )
        assert r.status_code == 400 and "请填写天数" in r.get_data(as_text=True), days
