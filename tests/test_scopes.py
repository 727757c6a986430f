"""Who sees what: every list starts from a scope; ids outside it are not found."""

import re

import pytest
import sqlalchemy as sa

from fieldapp import policy
from fieldapp.db import in_ids
from fieldapp.errors import Forbidden
from fieldapp.models import Enterprise, Grid, Hazard, Inspection
from tests.helpers import csrf_token, logged_in


def _names(db, user):
    return {e.name for e in db.session.scalars(policy.enterprise_scope(user))}


def test_enterprise_scope_per_role(db, world):
    w = world
    a1 = {w.ent_a1.name, w.ent_a1_other.name}
    assert _names(db, w.inspector_a1) == a1
    assert _names(db, w.inspector_b1) == {w.ent_b1.name}
    assert _names(db, w.tech_a2) == {w.ent_a2.name}
    assert _names(db, w.company_a1) == {w.ent_a1.name}
    assert _names(db, w.officer_a) == a1 | {w.ent_a2.name}
    assert _names(db, w.officer_district) == a1 | {w.ent_a2.name, w.ent_b1.name}
    assert _names(db, w.admin_a) == a1 | {w.ent_a2.name}
    assert _names(db, w.supervisor) == set()
    assert _names(db, w.discipline) == set()


def test_several_roles_see_the_union(db, factory, world):
    both = factory.user("grid_inspector", "company_manager", grids=[world.grid_b1], enterprises=[world.ent_a2])
    assert _names(db, both) == {world.ent_b1.name, world.ent_a2.name}


def test_grid_and_user_scopes(db, world):
    grids = lambda u: set(db.session.scalars(policy.grid_scope(u)))  # noqa: E731
    assert grids(world.inspector_a1) == {world.grid_a1}
    assert grids(world.officer_a) == {world.grid_a1, world.grid_a2}
    assert grids(world.company_a1) == set()
    managed = set(db.session.scalars(policy.user_scope(world.admin_a)))
    assert world.inspector_a1 in managed and world.tech_a2 in managed
    assert world.inspector_b1 not in managed and world.admin not in managed


def test_can_checks_objects(db, world):
    assert policy.can(world.inspector_a1, "enterprise.view", world.ent_a1)
    assert not policy.can(world.inspector_a1, "enterprise.view", world.ent_b1)
    assert policy.can(world.admin, "user.manage", world.inspector_b1)
    assert not policy.can(world.admin_a, "user.manage", world.inspector_b1)
    assert not policy.can(world.admin, "user.manage", world.admin)  # not oneself
    assert not policy.can(world.inspector_a1, "user.manage")
    with pytest.raises(Forbidden):
        policy.require(world.company_a1, "user.manage")
    with pytest.raises(KeyError):
        policy.can(world.admin, "no.such.action")


def test_disabled_user_can_do_nothing(db, factory, world):
    ghost = factory.user("admin", units=[world.district], active=False)
    assert not policy.can(ghost, "user.manage")


def test_inspector_cannot_open_another_grids_enterprise(client, world):
    logged_in(client, "insp_a1")
    assert client.get(f"/enterprises/{world.ent_a1.id}").status_code == 200
    other = client.get(f"/enterprises/{world.ent_b1.id}")
    missing = client.get("/enterprises/999999")
    assert other.status_code == missing.status_code == 404
    body = other.get_data(as_text=True)
    assert world.ent_b1.name not in body and world.ent_b1.uscc not in body
    # Same words for "exists but not yours" and "does not exist": nothing leaks
    # (the page's CSRF token carries a timestamp, so it is left out of the comparison).
    token = re.compile(r'content="[^"]+"')
    assert token.sub("", body) == token.sub("", missing.get_data(as_text=True))


def test_inspector_list_and_search_stay_in_scope(client, world):
    logged_in(client, "insp_a1")
    page = client.get("/enterprises/").get_data(as_text=True)
    assert world.ent_a1.name in page and world.ent_b1.name not in page
    searched = client.get("/enterprises/?q=乙").get_data(as_text=True)
    assert world.ent_b1.name not in searched and "没有符合条件的企业" in searched
    # A grid filter naming someone else's grid filters to nothing, it does not widen.
    other_grid = client.get(f"/enterprises/?grid={world.grid_b1.id}").get_data(as_text=True)
    assert world.ent_b1.name not in other_grid


def test_search_by_code_and_status(client, world):
    logged_in(client, "officer_a")
    by_code = client.get(f"/enterprises/?q={world.ent_a2.uscc[4:].lower()}").get_data(as_text=True)
    assert world.ent_a2.name in by_code and world.ent_a1.name not in by_code
    new = client.get("/enterprises/?status=new").get_data(as_text=True)
    assert world.ent_a1_other.name in new and world.ent_a1.name not in new
    # Wildcards typed by the user are literal.
    assert "没有符合条件的企业" in client.get("/enterprises/?q=%25").get_data(as_text=True)


def test_company_manager_sees_only_their_company(client, world):
    logged_in(client, "company_a1")
    assert client.get(f"/enterprises/{world.ent_a1.id}").status_code == 200
    assert client.get(f"/enterprises/{world.ent_a1_other.id}").status_code == 404
    assert client.get(f"/api/v1/enterprises/{world.ent_b1.id}").status_code == 404
    listed = client.get("/api/v1/enterprises").get_json()
    assert [e["id"] for e in listed["items"]] == [world.ent_a1.id]


def test_supervisor_and_discipline_have_no_enterprise_files(make_client, world):
    for username in ("supervisor1", "discipline1"):
        c = logged_in(make_client(), username)
        assert c.get("/enterprises/").status_code == 403
        assert c.get(f"/enterprises/{world.ent_a1.id}").status_code == 403
        api = c.get("/api/v1/enterprises")
        assert api.status_code == 403 and api.get_json()["error"] == "forbidden"


def test_officer_sees_jurisdiction_subtree_only(client, world):
    logged_in(client, "officer_a")
    assert client.get(f"/enterprises/{world.ent_a2.id}").status_code == 200
    assert client.get(f"/enterprises/{world.ent_b1.id}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/enterprises/0",
        "/enterprises/-1",
        "/enterprises/abc",
        "/enterprises/1e3",
        "/enterprises/99999999999999999999999",
        "/api/v1/enterprises/0",
        "/api/v1/enterprises/99999999999999999999999",
        "/admin/users/99999999999999999999",
        "/enterprises/?page=-5",
        "/enterprises/?page=abc",
        "/enterprises/?grid=abc",
        "/enterprises/?page=99999999999",
        "/api/v1/enterprises?per_page=-3",
    ],
)
def test_malformed_ids_never_500(make_client, world, path):
    for username in ("insp_a1", "admin_d"):
        response = logged_in(make_client(), username).get(path)
        assert response.status_code in (200, 403, 404), (username, path, response.status_code)


def test_api_answers_json_for_errors(client, world):
    unauth = client.get("/api/v1/me")
    assert unauth.status_code == 401 and unauth.get_json()["error"] == "unauthorized"
    logged_in(client, "insp_a1")
    me = client.get("/api/v1/me").get_json()
    assert me["username"] == "insp_a1" and me["roles"] == ["grid_inspector"]
    assert [g["id"] for g in me["grids"]] == [world.grid_a1.id]
    nf = client.get(f"/api/v1/enterprises/{world.ent_b1.id}")
    assert nf.status_code == 404 and nf.get_json()["message"] == "找不到该记录，或您无权查看。"
    assert client.get("/api/v1/nothing").get_json()["error"] == "not_found"


def test_admin_pages_forbidden_to_others(make_client, world):
    for username in ("insp_a1", "officer_a", "company_a1", "supervisor1", "discipline1"):
        c = logged_in(make_client(), username)
        assert c.get("/admin/users").status_code == 403, username
        assert "您没有权限" in c.get("/admin/users/new").get_data(as_text=True)


def test_town_admin_cannot_reach_accounts_outside_the_town(client, world):
    logged_in(client, "admin_a")
    assert client.get(f"/admin/users/{world.inspector_a1.id}").status_code == 200
    assert client.get(f"/admin/users/{world.inspector_b1.id}").status_code == 404
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "insp_a1" in listing and "insp_b1" not in listing


ENTERPRISE_PAGES = [
    "/enterprises/{id}",
    "/enterprises/{id}/edit",
    "/enterprises/{id}/status",
    "/enterprises/{id}/online-patrol",
    "/enterprises/{id}/risk-points/new",
    "/enterprises/{id}/self-checks/new",
    "/api/v1/enterprises/{id}",
]


@pytest.mark.parametrize("username", ["insp_a1", "tech_a2", "officer_a", "company_a1", "admin_a"])
def test_every_enterprise_page_is_closed_outside_the_scope(make_client, world, username):
    """Each user asks for every page of an enterprise outside their scope: nothing but 403/404."""
    c = logged_in(make_client(), username)
    for template in ENTERPRISE_PAGES:
        response = c.get(template.format(id=world.ent_b1.id))
        assert response.status_code in (403, 404), (username, template, response.status_code)
        assert world.ent_b1.name not in response.get_data(as_text=True)
    for template in (
        "/enterprises/{id}/status",
        "/enterprises/{id}/confirm",
        "/enterprises/{id}/online-patrol",
        "/enterprises/{id}/self-checks/items/1/fixed",
        "/enterprises/{id}/risk-points/new",
    ):
        token = csrf_token(c, "/account")
        response = c.post(
            template.format(id=world.ent_b1.id),
            data={"csrf_token": token, "status": "closed", "note": "x", "description": "x"},
        )
        assert response.status_code in (403, 404), (username, template, response.status_code)


def test_only_served_grids_may_be_inspected_whatever_else_one_may_see(factory, world):
    """Seeing a grid (an officer's jurisdiction) is not serving it: an inspector who is also an
    officer of the town inspects the enterprises of the grid they serve, not of the others."""
    from fieldapp import roles
    from fieldapp.services import inspections

    both = factory.user(roles.GRID_INSPECTOR, roles.ENFORCEMENT_OFFICER, grids=[world.grid_a1], units=[world.town_a])
    assert world.grid_a2.id in policy.scope_grid_ids(both)
    assert policy.serves_grid(both, world.grid_a1.id) and not policy.serves_grid(both, world.grid_a2.id)
    assert inspections.why_not_inspect(both, world.ent_a1) is None
    assert "不在您负责的网格内" in inspections.why_not_inspect(both, factory.enterprise(world.grid_a2))
    inspector = world.inspector_a1
    assert policy.serves_grid(inspector, world.grid_a1.id) and not policy.serves_grid(inspector, world.grid_b1.id)
    assert "不在您负责的网格内" in inspections.why_not_inspect(inspector, world.ent_b1)
    assert not policy.serves_grid(world.officer_a, world.grid_a1.id)


def test_hazard_actions_follow_the_scope_whether_known_from_the_grids_or_asked(factory, world):
    """In scope by one's grids (no query needed) or as the company's manager (asked): the same
    rules as the scope query; out of both, nothing may be done."""
    from fieldapp.services import hazards
    from tests.factories import confirm_values, report

    h = report(world)
    officer_b = factory.user("enforcement_officer", units=[world.town_b])
    assert "confirm" in hazards.allowed(world.officer_a, h)
    assert hazards.allowed(officer_b, h) == []
    assert hazards.allowed(world.company_a1, h) == []  # not yet confirmed: not the company's to see
    hazards.confirm(world.officer_a, h, confirm_values())
    assert "acknowledge" in hazards.allowed(world.company_a1, h)
    assert hazards.allowed(world.inspector_b1, h) == []


def test_scopes_built_once_per_shape_see_what_the_scopes_see(db, factory, world):
    """Hot pages run their scope built once per shape with the values bound later
    (``policy.scope_binding``): for every kind of user, exactly the rows of the scopes built
    with the values in them — enterprises, hazards, inspections (drafts only their author's)."""
    from fieldapp.services import hazards, inspections
    from tests.factories import confirm_values, report

    confirmed = report(world)
    hazards.confirm(world.officer_a, confirmed, confirm_values())
    report(world)  # left unconfirmed: no company sees it
    inspections.start(world.inspector_a1, world.ent_a1_other)  # a draft: only its author sees it
    both = factory.user("grid_inspector", "company_manager", grids=[world.grid_b1], enterprises=[world.ent_a1])
    users = [
        world.inspector_a1,
        world.inspector_b1,
        world.tech_a2,
        world.company_a1,
        world.officer_a,
        world.officer_district,
        world.admin_a,
        world.supervisor,
        world.discipline,
        both,
    ]
    seen_any = set()
    for user in users:
        shape, values = policy.scope_binding(user)
        for model, literal, built in (
            (Enterprise, policy.enterprise_scope(user), policy.enterprise_condition_of(shape)),
            (Hazard, hazards.scope(user), hazards.scope_condition(shape)),
            (Inspection, inspections.scope(user), inspections.scope_condition(shape)),
        ):
            expected = set(db.session.scalars(literal.with_only_columns(model.id)))
            got = set(db.session.scalars(sa.select(model.id).where(built), values))
            assert got == expected, (user.username, model.__name__)
            seen_any |= {(model.__name__, user.username)} if got else set()
    # Not a comparison of empty sets: the company sees the confirmed hazard and not the other.
    assert ("Hazard", world.company_a1.username) in seen_any
    company_shape, company_values = policy.scope_binding(world.company_a1)
    assert set(
        db.session.scalars(sa.select(Hazard.id).where(hazards.scope_condition(company_shape)), company_values)
    ) == {confirmed.id}
    array = db.engine.dialect.name == "postgresql"  # id lists bound as one array (db.in_ids)
    assert policy.scope_binding(world.inspector_a1)[0] == policy.Shape(True, False, True, array)
    assert policy.scope_binding(both)[0] == policy.Shape(grids=True, company=True, staff=True, array=array)
    assert policy.scope_binding(world.supervisor)[0] == policy.Shape(False, False, False, array)


def test_id_lists_are_one_array_on_postgresql(db, world):
    """``db.in_ids`` answers as IN does — no ids, some, hundreds, a set; with values or bound by
    name to a statement built once — and on PostgreSQL sends the list as one parameter."""
    grids = sorted(db.session.scalars(sa.select(Grid.id)))
    many = [*range(10_000, 10_400), *grids]  # a district's worth of ids, most of them no grid
    for ids in ([], grids[:1], many, set(grids[1:])):
        literal = sa.select(Grid.id).where(in_ids(Grid.id, ids))
        assert sorted(db.session.scalars(literal)) == sorted(set(ids) & set(grids))
    array = db.engine.dialect.name == "postgresql"
    built = sa.select(Grid.id).where(in_ids(Grid.id, sa.bindparam("ids", expanding=True), array))
    for ids in (grids[:1], many, []):  # the same statement, run with other values
        assert sorted(db.session.scalars(built, {"ids": ids})) == sorted(set(ids) & set(grids))
    sql = str(sa.select(Grid.id).where(in_ids(Grid.id, many)).compile(db.engine))
    assert ("= ANY" in sql) == array and (" IN (" in sql) != array
