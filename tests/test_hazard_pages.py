"""The hazard pages for each role: lists, the hazard page and its forms, the notice,
notifications, attachments — and what each role must not see or do."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fieldapp import clock, roles
from fieldapp.models import Hazard, Notification
from fieldapp.schemas.commands.hazards import HazardReport
from fieldapp.services import hazards, inspections
from tests.factories import confirm_values, report
from tests.helpers import logged_in, post
from tests.images import jpeg


def test_officer_queue_is_major_first_then_oldest(make_client, world, db):
    general, major = report(world), report(world, "major")
    client = logged_in(make_client(), "officer_a")
    html = client.get("/hazards/").get_data(as_text=True)
    assert html.index(f"/hazards/{major.id}") < html.index(f"/hazards/{general.id}")
    assert "待确认" in html
    client = logged_in(make_client(), "company_a1")
    assert f"/hazards/{general.id}" not in client.get("/hazards/?tab=all").get_data(as_text=True)
    assert client.get(f"/hazards/{general.id}").status_code == 404  # an unconfirmed report does not exist for them


def test_confirm_form_keeps_what_was_typed_and_says_what_is_missing(client, world, db):
    h = report(world, "major")
    logged_in(client, "officer_a")
    path = f"/hazards/{h.id}"
    values = confirm_values("major", order_number="", required_measures="立即清理")
    response = post(client, f"{path}/confirm", {**values, "version": h.version}, token_from=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "确认重大事故隐患须填写此项" in html
    assert "立即清理" in html and "仓库区域全部作业" in html  # nothing typed is lost
    values["order_number"] = "苏吴应急停〔2026〕12号"
    response = post(client, f"{path}/confirm", {**values, "version": h.version}, token_from=path)
    assert response.status_code == 302
    notice = client.get(f"{path}/notice").get_data(as_text=True)
    assert "责令限期整改指令书" in notice and "停产停业整顿" in notice and "苏吴应急停〔2026〕12号" in notice


def test_a_stale_form_is_told_what_happened(client, world, db):
    h = report(world)
    seen = h.version
    hazards.confirm(world.officer_district, h, confirm_values())
    logged_in(client, "officer_a")
    path = f"/hazards/{h.id}"
    response = post(client, f"{path}/reject", {"reason": "误报", "version": seen}, token_from=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "刚刚已由" in html and "误报" in html


def test_inspector_cannot_confirm_and_company_cannot_close(make_client, world, db):
    h = report(world)
    client = logged_in(make_client(), "insp_a1")
    path = f"/hazards/{h.id}"
    assert 'id="act-confirm"' not in client.get(path).get_data(as_text=True)
    response = post(client, f"{path}/confirm", {**confirm_values(), "version": h.version}, token_from=path)
    assert response.status_code == 403 and "网格员只上报" in response.get_data(as_text=True)
    db.session.refresh(h)
    assert h.status == "reported" and h.events == []
    hazards.confirm(world.officer_a, h, confirm_values())
    client = logged_in(make_client(), "company_a1")
    response = post(client, f"{path}/close", {"version": h.version}, token_from=path)
    assert response.status_code in (403, 409)
    assert post(client, f"{path}/teleport", {}, token_from=path).status_code == 404


def test_company_rectifies_with_photos_and_a_pdf_then_inspector_rechecks(make_client, world, db):
    h = report(world)
    hazards.confirm(world.officer_a, h, confirm_values())
    client = logged_in(make_client(), "company_a1")
    path = f"/hazards/{h.id}"
    page = client.get(path).get_data(as_text=True)
    assert "签收整改通知" in page and "剩 7 天" in page
    assert post(client, f"{path}/acknowledge", {"version": 2}, token_from=path).status_code == 302
    bad = post(
        client,
        f"{path}/submit",
        {
            "description": "已整改",
            "version": 3,
            "photos": (io.BytesIO(jpeg(800, 600)), "after.jpg"),
            "documents": (io.BytesIO(b"<html>not a pdf"), "report.pdf"),
        },
        token_from=path,
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "不是 PDF" in bad.get_data(as_text=True)
    ok = post(
        client,
        f"{path}/submit",
        {
            "description": "已整改",
            "version": 3,
            "photos": (io.BytesIO(jpeg(800, 600)), "after.jpg"),
            "documents": (io.BytesIO(b"%PDF-1.4 report"), "report.pdf"),
        },
        token_from=path,
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    db.session.refresh(h)
    event = h.events[-1]
    file_url = f"/hazards/events/{event.id}/files/{event.files[0].id}"
    download = client.get(file_url)
    assert download.status_code == 200 and download.headers["Content-Disposition"] == "attachment"
    assert download.headers["Content-Type"] == "application/pdf"
    photo_url = f"/photos/{event.photos[0].id}/thumb"
    assert client.get(photo_url).status_code == 200
    client = logged_in(make_client(), "company_b1")
    assert client.get(photo_url).status_code == 404 and client.get(file_url).status_code == 404

    client = logged_in(make_client(), "insp_a1")
    page = client.get(path).get_data(as_text=True)
    assert "现场复查" in page
    done = post(
        client,
        f"{path}/recheck_pass",
        {
            "version": h.version,
            "note": "已整改到位",
            "latitude": "31.26",
            "longitude": "120.6",
            "photos": (io.BytesIO(jpeg(640, 480)), "r.jpg"),
        },
        token_from=path,
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "已销号" in page and 'id="before-after"' in page and "整改前" in page and "复查时" in page
    notice = client.get(f"{path}/notice").get_data(as_text=True)
    assert "复查情况" in notice and notice.count("/photos/") >= 3
    assert [e.action for e in db.session.get(Hazard, h.id).events] == [
        "confirm",
        "acknowledge",
        "submit",
        "recheck_pass",
    ]


@pytest.mark.dated
def test_overdue_is_shown_in_lists_and_on_the_enterprise_page(client, world, db):
    h = report(world)
    hazards.confirm(world.officer_a, h, confirm_values())
    db.session.execute(sa.update(Hazard).where(Hazard.id == h.id).values(deadline=clock.today() - timedelta(days=2)))
    db.session.commit()
    logged_in(client, "officer_a")
    assert "已逾期 2 天" in client.get("/hazards/?tab=overdue").get_data(as_text=True)
    assert "已逾期 2 天" in client.get(f"/enterprises/{world.ent_a1.id}").get_data(as_text=True)


def test_notifications_badge_open_and_read_all(make_client, world, db):
    report(world)
    client = logged_in(make_client(), "officer_a")
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'id="bell"[^>]*aria-label="通知：1 条未读"', home)
    page = client.get("/notifications").get_data(as_text=True)
    assert "新上报的隐患待您确认" in page
    row = db.session.scalar(sa.select(Notification).where(Notification.user_id == world.officer_a.id))
    opened = post(client, f"/notifications/{row.id}", token_from="/notifications")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/hazards/{row.hazard_id}")
    assert 'class="badge"' not in client.get("/").get_data(as_text=True)
    client = logged_in(make_client(), "officer_d")
    assert post(client, f"/notifications/{row.id}", token_from="/notifications").status_code == 404
    assert post(client, "/notifications/read-all", token_from="/notifications").status_code == 302


@pytest.mark.dated
def test_remind_command_is_idempotent(app, world, db):
    h = report(world)
    hazards.confirm(world.officer_a, h, confirm_values(deadline=(clock.today() + timedelta(days=1)).isoformat()))
    runner = app.test_cli_runner()
    assert "1 reminders created" in runner.invoke(args=["fieldapp", "remind"]).output
    assert "0 reminders created" in runner.invoke(args=["fieldapp", "remind"]).output


@pytest.mark.dated
def test_home_pages_count_the_work_waiting(make_client, world, db):
    general, major = report(world), report(world, "major")
    hazards.confirm(world.officer_a, general, confirm_values())
    officer = logged_in(make_client(), "officer_a").get("/").get_data(as_text=True)
    assert re.search(r'data-stat="to_confirm">1<', officer) and re.search(r'data-stat="to_close">0<', officer)
    company = logged_in(make_client(), "company_a1").get("/").get_data(as_text=True)
    assert re.search(r'data-stat="to_rectify">1<', company)
    inspector = logged_in(make_client(), "insp_a1").get("/").get_data(as_text=True)
    assert re.search(r'data-stat="to_recheck">0<', inspector)
    assert major.status == "reported"


@pytest.mark.dated
def test_company_home_lists_the_hazards_waiting_nearest_deadline_first(make_client, world, db):
    """Not only a count: each hazard waiting for the company, with what is left of its deadline,
    and the main button opens the most urgent one."""
    later, sooner, unconfirmed = report(world), report(world), report(world)
    hazards.confirm(world.officer_a, later, confirm_values(deadline=(clock.today() + timedelta(days=20)).isoformat()))
    hazards.confirm(world.officer_a, sooner, confirm_values(deadline=(clock.today() + timedelta(days=3)).isoformat()))
    home = logged_in(make_client(), "company_a1").get("/").get_data(as_text=True)
    waiting = home.split('id="waiting"')[1].split("</section>")[0]
    links = re.findall(r'href="/hazards/(\d+)"', waiting)
    assert links == [str(sooner.id), str(later.id)] and str(unconfirmed.id) not in links
    assert "剩 3 天" in waiting and "剩 20 天" in waiting
    main = re.search(r'<a class="button primary block" href="/hazards/(\d+)">', home)
    assert main and main.group(1) == str(sooner.id)


def test_confirm_form_shows_stop_work_fields_for_a_major_hazard_only(make_client, world, db):
    """Rendered hidden for a general hazard (the page's script shows them when 重大 is chosen),
    shown for one proposed as major; the deadline offers +7 / +15 / +30 days from China's today."""
    general, major = report(world), report(world, "major")
    officer = logged_in(make_client(), "officer_a")
    page = officer.get(f"/hazards/{general.id}").get_data(as_text=True)
    assert re.search(r'<fieldset class="field stop-work-fields" data-shown-when="level=major" hidden>', page)
    assert re.findall(r'data-add-days="(\d+)" data-for="f-deadline" data-today="([\d-]+)"', page) == [
        (d, clock.today().isoformat()) for d in ("7", "15", "30")
    ]
    assert "<h1>隐患：" in page
    page = officer.get(f"/hazards/{major.id}").get_data(as_text=True)
    assert re.search(r'<fieldset class="field stop-work-fields" data-shown-when="level=major">', page)


def test_home_names_the_jurisdiction_of_roles_that_have_one(make_client, factory, world, db):
    """An officer's home names the departments of their jurisdiction; an inspector whose account
    kept a jurisdiction from a role since taken away shows none (it scopes nothing)."""
    officer = logged_in(make_client(), "officer_a").get("/").get_data(as_text=True)
    assert f"· {world.town_a.name}" in officer
    factory.user(roles.GRID_INSPECTOR, grids=[world.grid_a1], units=[world.town_a], username="insp_was_officer")
    inspector = logged_in(make_client(), "insp_was_officer").get("/").get_data(as_text=True)
    assert 'data-section="inspector"' in inspector and f"· {world.town_a.name}" not in inspector


def test_list_filters_each_narrow_the_list(make_client, world, db):
    """Every filter of the list, alone and together (each combination is its own statement,
    built once): status, level, grid, industry, deadline, and the tabs bound to the user and day."""
    h_a1, h_major, h_other = report(world), report(world, "major"), report(world)
    hazards.confirm(world.officer_a, h_a1, confirm_values())
    hazards.confirm(world.officer_a, h_other, confirm_values(deadline=(clock.today() + timedelta(days=30)).isoformat()))
    db.session.execute(
        sa.update(Hazard).where(Hazard.id == h_other.id).values(enterprise_id=world.ent_a2.id, grid_id=world.grid_a2.id)
    )
    world.ent_a2.industry = "C13"
    db.session.commit()
    officer = logged_in(make_client(), "officer_a")

    def listed(query: str) -> set[int]:
        response = officer.get(f"/hazards/?{query}")
        assert response.status_code == 200
        return {h.id for h in (h_a1, h_major, h_other) if f'href="/hazards/{h.id}"' in response.get_data(as_text=True)}

    assert listed("tab=all") == {h_a1.id, h_major.id, h_other.id}
    assert listed("tab=all&status=confirmed") == {h_a1.id, h_other.id}
    assert listed("tab=all&level=major") == {h_major.id}
    assert listed(f"tab=all&grid={world.grid_a2.id}") == {h_other.id}
    assert listed("tab=all&industry=C13") == {h_other.id}
    before = (clock.today() + timedelta(days=10)).isoformat()
    assert listed(f"tab=all&deadline_before={before}") == {h_a1.id}
    assert listed(f"tab=all&status=confirmed&grid={world.grid_a1.id}&deadline_before={before}") == {h_a1.id}
    assert listed("tab=all&status=closed") == set()
    assert listed("tab=to_confirm") == {h_major.id}
    assert listed("tab=overdue") == set()
    db.session.execute(
        sa.update(Hazard)
        .where(Hazard.id == h_a1.id)
        .values(status="rectifying", deadline=clock.today() - timedelta(days=1))
    )
    db.session.commit()
    assert listed("tab=overdue") == {h_a1.id}
    inspector = logged_in(make_client(), "insp_a1")
    assert all(
        f'href="/hazards/{h.id}"' in inspector.get("/hazards/?tab=mine").get_data(as_text=True) for h in (h_a1, h_major)
    )


def test_the_page_shows_every_photo_step_and_file(make_client, world, db):
    """The page loads its collections by statements of its own (not the relationships): every
    photo of the report, every step with its actor, and each step's photos and files, in order —
    however many rows the joins make."""
    record = inspections.start(world.inspector_a1, world.ent_a1)
    links = [
        inspections.add_photo(world.inspector_a1, record, jpeg(320, 240, color=(10 * i, 20, 30))) for i in range(3)
    ]
    h = inspections.report_hazard(
        world.inspector_a1, record, HazardReport("消防通道堵塞", "仓库", "general", "", [link.id for link in links])
    )
    hazards.confirm(world.officer_a, h, confirm_values())
    hazards.acknowledge(world.company_a1, h, "收到")
    hazards.submit(
        world.company_a1,
        h,
        "已整改",
        [(jpeg(320, 240, color=(200, 10 * i, 30)), f"after{i}.jpg") for i in range(2)],
        [(b"%PDF-1.4 one", "one.pdf"), (b"%PDF-1.4 two", "two.pdf")],
    )
    hazards.recheck(
        world.inspector_a1,
        h,
        False,
        {
            "note": "未到位",
            "reason": "仍有杂物",
            "deadline": (clock.today() + timedelta(days=3)).isoformat(),
            "latitude": "31.26",
            "longitude": "120.6",
        },
        [(jpeg(320, 240, color=(5, 5, 5 + i)), f"r{i}.jpg") for i in range(2)],
    )
    db.session.expire_all()
    expected = db.session.get(Hazard, h.id)
    steps = [(e.id, e.actor.display_name, [p.id for p in e.photos], [f.id for f in e.files]) for e in expected.events]
    assert len(expected.photos) == 3 and [len(s[2]) for s in steps] == [0, 0, 2, 2]
    assert [len(s[3]) for s in steps] == [0, 0, 2, 0]

    html = logged_in(make_client(), "officer_a").get(f"/hazards/{h.id}").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r"/photos/(\d+)/display", html)]
    assert shown == [p.id for p in expected.photos] + [p for s in steps for p in s[2]]
    files = re.findall(r"/hazards/events/(\d+)/files/(\d+)", html)
    assert files == [(str(e), str(f)) for e, _actor, _p, fs in steps for f in fs]
    for _id, actor, _p, _f in steps:
        assert actor in html
