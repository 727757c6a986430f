"""Special campaigns: targets by industry, grid or list; the campaign's checklist is used for
its targets while it runs (online, through sync, and in the offline pack); tasks, progress, report."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from fieldapp import clock
from fieldapp.db import db
from fieldapp.errors import InputError
from fieldapp.models import Campaign, CampaignTarget, Inspection
from fieldapp.services import campaigns, checklists, inspections
from tests.factories import inspect
from tests.helpers import logged_in, post


def template(world):
    checklists.ensure_general_template()  # the district's own general checklist exists first
    return checklists.save_template(
        world.admin,
        None,
        "有限空间专项检查表",
        "",
        "有限空间 | 作业审批 | 《工贸企业有限空间作业安全规定》\n有限空间 | 通风检测 |",
    )


def launch(world, **values):
    t = template(world)
    today = clock.today()
    base = {
        "name": "有限空间专项整治",
        "template_id": str(t.id),
        "org_unit_id": str(world.district.id),
        "starts_on": (today - timedelta(days=1)).isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(),
    }
    grids = values.pop("grids", [])
    return campaigns.launch(world.admin, base | values, [str(g.id) for g in grids])


@pytest.mark.dated
def test_targets_by_grid_list_and_refusals(world):
    c = launch(world, grids=[world.grid_a1])
    targets = set(db.session.scalars(sa.select(CampaignTarget.enterprise_id).where(CampaignTarget.campaign_id == c.id)))
    assert targets == {world.ent_a1.id, world.ent_a1_other.id}
    listed = launch(world, name="名单专项", usccs=f"{world.ent_b1.uscc}\n{world.ent_a2.uscc}")
    assert set(
        db.session.scalars(sa.select(CampaignTarget.enterprise_id).where(CampaignTarget.campaign_id == listed.id))
    ) == {world.ent_b1.id, world.ent_a2.id}
    for values, field in (
        ({}, "industry"),
        ({"usccs": "123"}, "usccs"),
        ({"industry": "9999"}, "industry"),
        ({"ends_on": "2020-01-01", "grids": [world.grid_a1]}, "ends_on"),
        ({"name": "", "grids": [world.grid_a1]}, "name"),
    ):
        with pytest.raises(InputError) as refused:
            launch(world, **values)
        assert field in refused.value.errors
        db.session.rollback()


@pytest.mark.dated
def test_the_campaign_checklist_is_used_while_it_runs(world, make_client):
    c = launch(world, grids=[world.grid_a1])
    record = inspections.start(world.inspector_a1, world.ent_a1)
    assert record.template_id == c.template_id and [r.text for r in record.results] == ["作业审批", "通风检测"]
    other = inspections.start(world.inspector_b1, world.ent_b1)
    assert other.template_id != c.template_id
    # After the campaign, the usual checklist again; and the pack says the same.
    after = inspections.start(world.inspector_a1, world.ent_a1_other, on=c.ends_on + timedelta(days=1))
    assert after.template_id != c.template_id
    insp = logged_in(make_client(), "insp_a1")
    pack = insp.get("/api/v1/pack").get_json()
    rows = {e["id"]: e for e in pack["enterprises"]}
    assert rows[world.ent_a1.id]["template_id"] == c.template_id and rows[world.ent_a1.id]["campaign"] == c.name
    assert c.template_id in {t["id"] for t in pack["templates"]}


def test_a_new_campaign_reaches_phones_in_the_delta(world, make_client):
    insp = logged_in(make_client(), "insp_a1")
    first = insp.get("/api/v1/pack")
    cursor, etag = first.get_json()["cursor"], first.headers["ETag"]
    c = launch(world, grids=[world.grid_a1])
    assert insp.get("/api/v1/pack", headers={"If-None-Match": etag}).status_code == 200
    delta = insp.get("/api/v1/pack", query_string={"since": cursor}).get_json()
    changed = {e["id"]: e["template_id"] for e in delta["enterprises"]}
    assert changed[world.ent_a1.id] == c.template_id and world.ent_a2.id not in changed


@pytest.mark.dated
def test_tasks_progress_and_report(world, make_client):
    c = launch(world, grids=[world.grid_a1])
    tasks = [e.id for _c, e in campaigns.tasks_for(world.inspector_a1)]
    assert sorted(tasks) == sorted([world.ent_a1.id, world.ent_a1_other.id])
    assert campaigns.tasks_for(world.inspector_b1) == []
    patrol = logged_in(make_client(), "insp_a1").get("/inspections/patrol").get_data(as_text=True)
    assert 'id="campaign-tasks"' in patrol and c.name in patrol
    done = inspect(world, world.ent_a1, clock.local(clock.now()))
    assert done.template_id == c.template_id
    assert [e.id for _c, e in campaigns.tasks_for(world.inspector_a1)] == [world.ent_a1_other.id]
    grids = {g.grid.code: (g.done, g.targets) for g in campaigns.progress(c)}
    assert grids == {world.grid_a1.code: (1, 2)}
    report = campaigns.report(c)
    assert (report["done"], report["targets"], report["inspections"]) == (1, 2, 1)
    page = logged_in(make_client(), "admin_d").get(f"/campaigns/{c.id}").get_data(as_text=True)
    assert 'data-stat="done">1<' in page
    assert logged_in(make_client(), "officer_a").get("/campaigns/").status_code == 403


@pytest.mark.dated
def test_sync_uses_the_checklist_of_the_day_it_began(world, make_client):
    from tests.factories import offline_record, send

    c = launch(world, grids=[world.grid_a1])
    insp = logged_in(make_client(), "insp_a1")
    token = insp.get("/api/v1/me").get_json()["csrf_token"]
    # The campaign ended yesterday; this record was begun on the phone two days ago, during it.
    db.session.execute(
        sa.update(Campaign)
        .where(Campaign.id == c.id)
        .values(starts_on=clock.today() - timedelta(days=5), ends_on=clock.today() - timedelta(days=1))
    )
    db.session.commit()
    payload = offline_record(insp, token, world, db, sign=False)
    began = clock.now() - timedelta(days=2)
    payload |= {
        "started_at": began.isoformat(),
        "ended_at": (began + timedelta(minutes=40)).isoformat(),
        # The phone filled in the campaign's checklist, as its pack said then.
        "results": [{"position": i.position, "result": "pass", "note": ""} for i in c.template.items],
    }
    for h in payload["hazards"]:
        h["item_position"] = None
    r = send(insp, token, payload)
    assert r.status_code in (200, 201), r.get_json()
    assert (
        db.session.scalar(sa.select(Inspection.template_id).where(Inspection.uuid == payload["uuid"])) == c.template_id
    )
    today_record = inspections.start(world.inspector_a1, world.ent_a1_other)
    assert today_record.template_id != c.template_id
    r = post(logged_in(make_client(), "admin_d"), "/campaigns/", {"name": "", "template_id": ""}, "/campaigns/")
    assert r.status_code == 400 and "请填写专项名称" in r.get_data(as_text=True)
