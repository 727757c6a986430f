"""The offline data pack: scope, delta by cursor, ETag, bad cursors."""

from datetime import timedelta

import pytest

from fieldapp import clock
from fieldapp.schemas.commands.hazards import HazardReport
from fieldapp.services import inspections
from tests.helpers import logged_in, post
from tests.images import jpeg


def test_pack_holds_the_inspectors_grids_only(client, world):
    logged_in(client, "insp_a1")
    response = client.get("/api/v1/pack")
    data = response.get_json()
    assert response.status_code == 200 and data["full"] is True
    assert data["enterprise_ids"] == sorted([world.ent_a1.id, world.ent_a1_other.id])
    first = next(e for e in data["enterprises"] if e["id"] == world.ent_a1.id)
    assert first["latitude"] == 31.26 and first["grid"] == world.grid_a1.code and first["open_hazards"] == []
    assert data["templates"] and len(data["templates"][0]["items"]) >= 20


def test_etag_gives_304_until_something_changes(client, world, db):
    logged_in(client, "insp_a1")
    first = client.get("/api/v1/pack")
    tag = first.headers["ETag"]
    assert client.get("/api/v1/pack", headers={"If-None-Match": tag}).status_code == 304
    record = inspections.start(world.inspector_a1, world.ent_a1)
    link = inspections.add_photo(world.inspector_a1, record, jpeg())
    inspections.report_hazard(world.inspector_a1, record, HazardReport("通道堵塞", "仓库", "general", "", [link.id]))
    changed = client.get("/api/v1/pack", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    hazards = next(e for e in changed.get_json()["enterprises"] if e["id"] == world.ent_a1.id)["open_hazards"]
    assert [h["description"] for h in hazards] == ["通道堵塞"]


@pytest.mark.dated
def test_delta_since_cursor(client, world, db):
    logged_in(client, "insp_a1")
    cursor = client.get("/api/v1/pack").get_json()["cursor"]
    assert client.get("/api/v1/pack", query_string={"since": cursor}).get_json()["enterprises"] == []
    path = f"/enterprises/{world.ent_a1_other.id}/status"
    post(client, path, {"status": "closed", "note": "已关门"}, token_from=path)
    delta = client.get("/api/v1/pack", query_string={"since": cursor}).get_json()
    assert delta["full"] is False and [e["id"] for e in delta["enterprises"]] == [world.ent_a1_other.id]
    assert delta["enterprises"][0]["status"] == "closed"


def test_bad_cursors_are_refused_clearly(client, world):
    logged_in(client, "insp_a1")
    for bad in ("yesterday", "2026-11-22T10:00:00"):
        response = client.get("/api/v1/pack", query_string={"since": bad})
        assert response.status_code == 422 and "ISO 8601" in response.get_json()["message"]
    future = (clock.now() + timedelta(days=3)).isoformat()
    skewed = client.get("/api/v1/pack", query_string={"since": future})
    assert skewed.status_code == 422 and "手机时钟" in skewed.get_json()["message"]


def test_pack_is_for_inspectors(make_client, world):
    assert make_client().get("/api/v1/pack").status_code == 401
    for username in ("officer_a", "company_a1", "admin_d"):
        assert logged_in(make_client(), username).get("/api/v1/pack").status_code == 403


def test_pack_tells_the_phone_who_signs_which_checklist_and_where_to_recuse(client, world, db):
    """What the phone needs to build the signed summary and refuse a recused start offline."""
    from fieldapp.models import InterestDeclaration
    from fieldapp.services import checklists

    logged_in(client, "insp_a1")
    data = client.get("/api/v1/pack").get_json()
    assert data["me"] == {
        "id": world.inspector_a1.id,
        "display_name": world.inspector_a1.display_name,
        "work_id": world.inspector_a1.work_id or "",
    }
    for e in data["enterprises"]:
        enterprise = db.session.get(type(world.ent_a1), e["id"])
        assert e["template_id"] == checklists.template_for(enterprise).id
    db.session.rollback()
    assert data["recused"] == {}
    again = client.get("/api/v1/pack")
    assert again.status_code == 200, again.get_data(as_text=True)[:500]
    tag = again.headers["ETag"]
    db.session.add(
        InterestDeclaration(
            user_id=world.inspector_a1.id,
            enterprise_id=world.ent_a1.id,
            kind="relative",
            note="表弟在该企业任职",
            status="pending",
        )
    )
    db.session.commit()
    changed = client.get("/api/v1/pack", headers={"If-None-Match": tag})
    assert changed.status_code == 200  # a new declaration reaches the phone
    assert "回避" in changed.get_json()["recused"][str(world.ent_a1.id)]
