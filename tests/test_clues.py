"""Clues and feedback (seed 001 art. 19-20): the public form (anonymous, throttled, spam-proofed),
tracking codes, handling (assign, site check, hazard report, answer), bulletins to supervisors."""

import re
from datetime import UTC, timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa

from fieldapp import clock, roles
from fieldapp.db import db
from fieldapp.models import Bulletin, Clue, ClueEvent, Hazard, Notification, ThrottleHit
from fieldapp.services import bulletins, clues
from tests.factories import GOOD_CLUE, clue_form
from tests.helpers import logged_in, post
from tests.images import jpeg


@pytest.fixture
def quick(app, monkeypatch):
    """People need seconds to write; the tests don't."""
    monkeypatch.setitem(app.config, "CLUE_MIN_FILL_SECONDS", 0)


def submit(client, data: dict, path="/clues/new", photos=()):
    body = clue_form(client, path) | data
    if photos:
        body["photos"] = [(BytesIO(b), n) for b, n in photos]
    return client.post(path, data=body, content_type="multipart/form-data")


def code_of(response, client) -> str:
    assert response.status_code == 302 and response.headers["Location"].endswith("/clues/receipt")
    html = client.get("/clues/receipt").get_data(as_text=True)
    return re.search(r'id="tracking-code">([^<]+)<', html).group(1)


def test_anonymous_clue_from_a_grid_board_and_tracking(world, make_client, quick):
    public = make_client()
    r = submit(
        public,
        GOOD_CLUE | {"latitude": "31.2612345", "longitude": "120.6100001"},
        f"/clues/new?grid={world.grid_a1.code}",
        photos=[(jpeg(800, 600), "scene.jpg")],
    )
    code = code_of(r, public)
    assert re.fullmatch(r"XS-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", code)
    clue = db.session.scalar(sa.select(Clue))
    assert clue.org_unit_id == world.town_a.id and clue.grid_id == world.grid_a1.id and clue.submitter_id is None
    assert len(clue.photos) == 1 and clue.status == "received"
    assert (round(clue.latitude, 4), round(clue.longitude, 4)) == (31.2612, 120.61)
    assert (clue.due_on - clue.created_at.date()).days in (14, 15, 16)
    told = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "clue_new")))
    assert told == {world.officer_a.id, world.officer_district.id, world.admin.id, world.admin_a.id}
    # Typed as a person might: lower case, no dashes, O for 0.
    typed = code.replace("-", "").lower().replace("0", "o")
    page = make_client().get(f"/clues/track?code={typed}")
    assert page.status_code == 200 and "待分办" in page.get_data(as_text=True)
    assert GOOD_CLUE["content"] not in page.get_data(as_text=True)  # the content is not shown to whoever has a code


@pytest.mark.parametrize("code", ["XS-00000-00000", "XS-ABCDE-FGHJK", "nonsense", "' OR 1=1 --", "X" * 40])
def test_forged_or_unknown_codes_find_nothing_alike(world, client, code, quick):
    r = client.get("/clues/track", query_string={"code": code})
    assert r.status_code == 404 and "没有找到该编号的线索" in r.get_data(as_text=True)


def test_lookups_are_throttled(world, app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CLUE_LOOKUP_LIMIT", 3)
    for _ in range(3):
        assert client.get("/clues/track?code=XS-00000-00000").status_code == 404
    r = client.get("/clues/track?code=XS-00000-00000")
    assert r.status_code == 429 and "查询过于频繁" in r.get_data(as_text=True)


def test_a_flood_is_throttled_and_the_text_kept(world, app, make_client, monkeypatch, quick):
    monkeypatch.setitem(app.config, "CLUE_PUBLIC_LIMIT", 3)
    public = make_client()
    path = f"/clues/new?grid={world.grid_a1.code}"
    for _ in range(3):
        assert submit(public, GOOD_CLUE, path).status_code == 302
    r = submit(public, GOOD_CLUE | {"content": "第四条：我写了很久的内容，不能丢。"}, path)
    html = r.get_data(as_text=True)
    assert r.status_code == 429 and "提交过于频繁" in html and "第四条：我写了很久的内容，不能丢。" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clue)) == 3
    # Refused attempts count too: invalid floods are throttled as well.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ThrottleHit)) == 3
    # A signed-in social supervisor is not throttled per IP.
    sup = logged_in(make_client(), "supervisor1")
    assert submit(sup, GOOD_CLUE | {"org_unit_id": str(world.town_a.id)}).status_code == 302


def test_spam_traps(world, app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CLUE_MIN_FILL_SECONDS", 3)
    r = submit(client, GOOD_CLUE | {"org_unit_id": str(world.town_a.id)})
    assert r.status_code == 400 and "提交过快" in r.get_data(as_text=True)
    monkeypatch.setitem(app.config, "CLUE_MIN_FILL_SECONDS", 0)
    r = submit(client, GOOD_CLUE | {"org_unit_id": str(world.town_a.id), "website": "http://spam.example"})
    assert r.status_code == 400 and "提交未被接受" in r.get_data(as_text=True)
    r = submit(client, GOOD_CLUE | {"org_unit_id": str(world.town_a.id), "stamp": "forged"})
    assert r.status_code == 400
    r = client.post("/clues/new", data=GOOD_CLUE | {"org_unit_id": str(world.town_a.id)})  # no CSRF token
    assert r.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clue)) == 0


def test_a_stamp_serves_one_post_from_the_address_it_was_given_to(world, make_client, quick):
    """The form's signed stamp cannot be copied into a script and posted again, nor from elsewhere."""
    public = make_client()
    body = clue_form(public, "/clues/new") | GOOD_CLUE | {"org_unit_id": str(world.town_a.id)}
    assert public.post("/clues/new", data=body, content_type="multipart/form-data").status_code == 302
    again = public.post("/clues/new", data=body, content_type="multipart/form-data")
    assert again.status_code == 400 and "已经提交过" in again.get_data(as_text=True)
    fresh = clue_form(public, "/clues/new") | GOOD_CLUE | {"org_unit_id": str(world.town_a.id)}
    elsewhere = public.post(
        "/clues/new", data=fresh, content_type="multipart/form-data", environ_base={"REMOTE_ADDR": "198.51.100.9"}
    )
    assert elsewhere.status_code == 400 and "提交未被接受" in elsewhere.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clue)) == 1


@pytest.mark.parametrize(
    "data,photos,field,message",
    [
        ({"kind": ""}, (), "kind", "请选择类别"),
        ({"content": "太短"}, (), "content", "至少 10 个字"),
        ({"contact_phone": "call me maybe"}, (), "contact_phone", "电话号码格式不正确"),
        ({"org_unit_id": "999999"}, (), "org_unit_id", "请选择所在的镇"),
        ({}, [(b"GIF89a not a photo", "x.jpg")], "photos", "x.jpg"),
        ({}, [(jpeg(), "1.jpg")] * 4, "photos", "照片最多 3 张"),
        ({}, [(b"", "empty.jpg")], "photos", "空的"),
    ],
)
def test_bad_input_keeps_the_form(world, client, data, photos, field, message, quick):
    r = submit(
        client, GOOD_CLUE | {"org_unit_id": str(world.town_a.id), "contact_name": "张先生"} | data, photos=photos
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and message in html and "张先生" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clue)) == 0


def test_oversize_upload_is_refused_cleanly(world, app, client, monkeypatch, quick):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 200_000)
    r = submit(
        client, GOOD_CLUE | {"org_unit_id": str(world.town_a.id)}, photos=[(b"\xff\xd8" + b"0" * 300_000, "big.jpg")]
    )
    assert r.status_code in (303, 413)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clue)) == 0


def _clue(world, client_factory, grid=True) -> Clue:
    public = client_factory()
    path = f"/clues/new?grid={world.grid_a1.code}" if grid else "/clues/new"
    data = GOOD_CLUE if grid else GOOD_CLUE | {"org_unit_id": str(world.town_a.id)}
    code_of(submit(public, data, path, photos=[(jpeg(640, 480), "scene.jpg")]), public)
    return db.session.scalar(sa.select(Clue).order_by(Clue.id.desc()))


def test_handling_lifecycle(world, make_client, quick):
    clue = _clue(world, make_client)
    officer = logged_in(make_client(), "officer_a")
    page = officer.get(f"/clues/{clue.id}")
    assert page.status_code == 200 and GOOD_CLUE["content"] in page.get_data(as_text=True)
    # Assign to an officer of the district; a person from elsewhere is refused.
    r = post(officer, f"/clues/{clue.id}/assign", {"assignee_id": str(world.company_a1.id)}, f"/clues/{clue.id}")
    assert r.status_code == 400 and "请选择本辖区的执法人员" in r.get_data(as_text=True)
    r = post(
        officer,
        f"/clues/{clue.id}/assign",
        {"assignee_id": str(world.officer_district.id), "note": "请核查"},
        f"/clues/{clue.id}",
    )
    assert r.status_code == 302
    # A site check: the enterprise first, then its grid's inspector.
    r = post(officer, f"/clues/{clue.id}/task", {"enterprise_id": str(world.ent_a1.id)}, f"/clues/{clue.id}")
    assert r.status_code == 400 and world.inspector_a1.display_name in r.get_data(as_text=True)
    r = post(
        officer,
        f"/clues/{clue.id}/task",
        {"enterprise_id": str(world.ent_a1.id), "inspector_id": str(world.tech_a2.id)},
        f"/clues/{clue.id}",
    )
    assert r.status_code == 400 and "负责该企业网格的网格员" in r.get_data(as_text=True)
    r = post(
        officer,
        f"/clues/{clue.id}/task",
        {"enterprise_id": str(world.ent_a1.id), "inspector_id": str(world.inspector_a1.id)},
        f"/clues/{clue.id}",
    )
    assert r.status_code == 302
    inspector = logged_in(make_client(), "insp_a1")
    home = inspector.get("/").get_data(as_text=True)
    assert 'id="clue-tasks"' in home and world.ent_a1.name in home
    assert inspector.get(f"/clues/{clue.id}").status_code == 200
    r = post(inspector, f"/clues/{clue.id}/note", {"note": "已到现场，确有堆放。"}, f"/clues/{clue.id}")
    assert r.status_code == 302
    r = post(inspector, f"/clues/{clue.id}/answer", {"note": "越权答复"}, f"/clues/{clue.id}")
    assert r.status_code == 403
    # Turned into a hazard report with the clue's photos, for the officers to confirm.
    r = post(officer, f"/clues/{clue.id}/hazard", {"enterprise_id": str(world.ent_a1.id)}, f"/clues/{clue.id}")
    assert r.status_code == 302
    hazard = db.session.scalar(sa.select(Hazard))
    assert hazard.status == "reported" and hazard.enterprise_id == world.ent_a1.id
    assert [p.id for p in hazard.photos] == [p.id for p in clue.photos] and "来自线索" in hazard.description
    r = post(officer, f"/clues/{clue.id}/answer", {"note": ""}, f"/clues/{clue.id}")
    assert r.status_code == 400 and "请填写答复内容" in r.get_data(as_text=True)
    r = post(
        officer,
        f"/clues/{clue.id}/answer",
        {"note": "经核查属实，已责令企业限期整改。感谢您的监督。"},
        f"/clues/{clue.id}",
    )
    assert r.status_code == 302
    db.session.expire_all()
    clue = db.session.get(Clue, clue.id)
    assert clue.status == "answered" and clue.answered_at is not None
    assert [e.action for e in clue.events] == ["submit", "assign", "task", "note", "hazard", "answer"]
    track = make_client().get(f"/clues/track?code={clue.code}").get_data(as_text=True)
    assert "已答复" in track and "经核查属实" in track
    r = post(officer, f"/clues/{clue.id}/note", {"note": "已办结后再记"}, f"/clues/{clue.id}")
    assert r.status_code == 403 and "已办结" in r.get_data(as_text=True)


def test_scope_of_clues(world, factory, make_client, quick):
    clue = _clue(world, make_client)
    officer_b = factory.user(roles.ENFORCEMENT_OFFICER, units=[world.town_b], username="officer_b")
    assert officer_b
    for username, status in {
        "officer_a": 200,
        "officer_d": 200,
        "admin_a": 200,
        "officer_b": 404,
        "insp_a1": 404,
        "supervisor1": 404,
        "company_a1": 403,
        "discipline1": 403,
    }.items():
        assert logged_in(make_client(), username).get(f"/clues/{clue.id}").status_code == status, username
    photo = clue.photos[0]
    assert logged_in(make_client(), "officer_b").get(f"/clues/{clue.id}/photos/{photo.id}/thumb").status_code == 404
    assert logged_in(make_client(), "officer_a").get(f"/clues/{clue.id}/photos/{photo.id}/thumb").status_code == 200


def test_supervisor_submits_signed_in_and_follows_their_own(world, make_client, quick):
    sup = logged_in(make_client(), "supervisor1")
    r = submit(
        sup,
        GOOD_CLUE
        | {"kind": "criticism", "org_unit_id": str(world.town_a.id), "content": "网格员检查走过场，没有出示证件。"},
    )
    assert r.status_code == 302
    clue = db.session.scalar(sa.select(Clue))
    assert clue.submitter_id == world.supervisor.id and clue.kind == "criticism"
    listing = sup.get("/clues/").get_data(as_text=True)
    assert "批评或投诉" in listing
    assert sup.get(f"/clues/{clue.id}").status_code == 200
    assert post(sup, f"/clues/{clue.id}/answer", {"note": "x"}, f"/clues/{clue.id}").status_code == 403


@pytest.mark.dated
def test_overdue_clues_are_counted_for_handlers(world, make_client, quick):
    clue = _clue(world, make_client)
    clue.due_on = clock.today().replace(day=1) if clock.today().day > 1 else clock.today()
    db.session.commit()
    counts = clues.counts(world.officer_a)
    assert counts["open"] == 1 and counts["overdue"] == (1 if clue.due_on < clock.today() else 0)
    home = logged_in(make_client(), "officer_a").get("/").get_data(as_text=True)
    assert 'data-stat="clues_open">1<' in home


@pytest.mark.dated
def test_bulletin_published_to_supervisors(world, factory, make_client, quick):
    _clue(world, make_client)
    town_b_supervisor = factory.user(roles.SOCIAL_SUPERVISOR, units=[world.town_b], username="sup_b")
    admin = logged_in(make_client(), "admin_a")
    today = clock.today()  # a period ending today has not ended yet
    r = post(
        admin,
        "/clues/bulletins",
        {"org_unit_id": str(world.town_a.id), "period_start": str(today.replace(day=1)), "period_end": str(today)},
        "/clues/bulletins",
    )
    assert r.status_code == 400 and "已经结束的时段" in r.get_data(as_text=True)
    last_month_end = today.replace(day=1) - timedelta(days=1)
    last_month = {"period_start": str(last_month_end.replace(day=1)), "period_end": str(last_month_end)}
    r = post(admin, "/clues/bulletins", {"org_unit_id": str(world.town_b.id), **last_month}, "/clues/bulletins")
    assert r.status_code == 400 and "请选择您管理的区域" in r.get_data(as_text=True)
    r = post(
        admin,
        "/clues/bulletins",
        {"org_unit_id": str(world.town_a.id), **last_month, "remarks": "本月重点整治仓储消防。"},
        "/clues/bulletins",
    )
    assert r.status_code == 302
    bulletin = db.session.scalar(sa.select(Bulletin))
    assert bulletin.figures["clues_received"] == 0  # the clue came today, after the period
    assert set(bulletin.figures) == {k for k, _ in bulletins.FIGURES}
    r = post(admin, "/clues/bulletins", {"org_unit_id": str(world.town_a.id), **last_month}, "/clues/bulletins")
    assert r.status_code == 409 and "已经发布过" in r.get_data(as_text=True)
    told = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "bulletin")))
    assert told == {world.supervisor.id}  # the district's supervisor; not town B's
    sup = logged_in(make_client(), "supervisor1")
    page = sup.get(f"/clues/bulletins/{bulletin.id}").get_data(as_text=True)
    assert "本月重点整治仓储消防" in page and "收到线索和意见" in page
    assert logged_in(make_client(), "sup_b").get(f"/clues/bulletins/{bulletin.id}").status_code == 404
    assert town_b_supervisor
    assert logged_in(make_client(), "insp_a1").get("/clues/bulletins").status_code == 403


def test_bulletin_figures_count_the_period(world, make_client, quick):
    from datetime import date, datetime

    clue = _clue(world, make_client)
    clue.created_at = datetime(2026, 10, 5, 2, tzinfo=UTC)
    clue.status, clue.answered_at, clue.due_on = "answered", datetime(2026, 10, 9, 2, tzinfo=UTC), date(2026, 10, 20)
    db.session.add(ClueEvent(clue_id=clue.id, action="answer"))
    db.session.commit()
    figures = bulletins.figures(world.town_a, date(2026, 10, 1), date(2026, 10, 31))
    assert figures["clues_received"] == 1 and figures["clues_answered"] == 1
    assert figures["clues_answered_on_time"] == 1
    assert bulletins.figures(world.town_b, date(2026, 10, 1), date(2026, 10, 31))["clues_received"] == 0
