"""Admins create, disable, re-enable accounts and reset passwords, inside their jurisdiction."""

import sqlalchemy as sa

from fieldapp.models import User, UserSession
from tests.helpers import logged_in, login, post


def _form(world, **over):
    data = {
        "username": "new_insp",
        "display_name": "赵新",
        "mobile": "13700000001",
        "password": "Start2026x",
        "roles": ["grid_inspector"],
        "org_unit_id": str(world.town_a.id),
        "grid_ids": [str(world.grid_a1.id)],
        "enterprise_uscc": "",
    }
    data.update(over)
    return data


def test_admin_creates_an_inspector_who_can_log_in(client, make_client, world, db):
    logged_in(client, "admin_d")
    response = post(client, "/admin/users/new", _form(world), token_from="/admin/users/new")
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "new_insp"))
    assert user.roles == {"grid_inspector"} and [g.id for g in user.grids] == [world.grid_a1.id]
    assert user.password_hash.startswith("scrypt:") and "Start2026x" not in user.password_hash
    assert "账号 new_insp 已创建" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert login(make_client(), "13700000001", "Start2026x").status_code == 302


def test_admin_creates_a_company_manager_by_credit_code(client, world, db):
    logged_in(client, "admin_d")
    data = _form(
        world,
        username="boss",
        roles=["company_manager"],
        grid_ids=[],
        mobile="",
        enterprise_uscc=world.ent_b1.uscc.lower(),
        org_unit_id=str(world.town_b.id),
    )
    assert post(client, "/admin/users/new", data, token_from="/admin/users/new").status_code == 302
    boss = db.session.scalar(sa.select(User).where(User.username == "boss"))
    assert [e.id for e in boss.enterprises] == [world.ent_b1.id]


def test_refusals_name_the_field_and_keep_what_was_typed(client, world):
    logged_in(client, "admin_a")
    bad = _form(
        world,
        username="1x",
        mobile="12345",
        password="short",
        roles=[],
        grid_ids=[str(world.grid_b1.id)],
        display_name="钱多多",
    )
    response = post(client, "/admin/users/new", bad, token_from="/admin/users/new")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("用户名须以字母开头", "请输入 11 位中国大陆手机号", "密码至少需要 8 位", "请至少选择一个有效角色"):
        assert message in body, message
    assert 'value="钱多多"' in body and 'value="12345"' in body


def test_grid_outside_jurisdiction_is_refused(client, world):
    logged_in(client, "admin_a")
    response = post(
        client, "/admin/users/new", _form(world, grid_ids=[str(world.grid_b1.id)]), token_from="/admin/users/new"
    )
    assert response.status_code == 400 and "所选网格不在您的管辖范围内" in response.get_data(as_text=True)


def test_garbage_choices_are_a_message_not_a_crash(client, world):
    logged_in(client, "admin_d")
    response = post(
        client,
        "/admin/users/new",
        _form(world, grid_ids=["abc"], org_unit_id="x", roles=["emperor"]),
        token_from="/admin/users/new",
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "选项无效，请重新选择" in body  # grid ids
    assert "请选择所属单位" in body  # the department select, judged at the same time


def test_duplicate_username_and_mobile(client, world):
    logged_in(client, "admin_d")
    response = post(
        client,
        "/admin/users/new",
        _form(world, username="INSP_A1", mobile="139 1234 5601"),
        token_from="/admin/users/new",
    )
    body = response.get_data(as_text=True)
    assert "用户名已被使用" in body and "该手机号已被其他账号使用" in body


def test_disable_then_enable(make_client, world, db):
    admin = logged_in(make_client(), "admin_d")
    logged_in(make_client(), "insp_b1")
    uid = world.inspector_b1.id
    post(admin, f"/admin/users/{uid}/active", {"active": "0"}, token_from=f"/admin/users/{uid}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession).where(UserSession.user_id == uid)) == 0
    assert "已停用" in admin.get(f"/admin/users/{uid}").get_data(as_text=True)
    post(admin, f"/admin/users/{uid}/active", {"active": "1"}, token_from=f"/admin/users/{uid}")
    assert login(make_client(), "insp_b1").status_code == 302


def test_admin_cannot_disable_themselves(client, world):
    logged_in(client, "admin_d")
    response = post(client, f"/admin/users/{world.admin.id}/active", {"active": "0"})
    assert response.status_code == 403
    assert client.get("/").status_code == 200


def test_reset_password_ends_sessions(make_client, world):
    admin = logged_in(make_client(), "admin_d")
    phone = logged_in(make_client(), "insp_b1")
    uid = world.inspector_b1.id
    weak = post(admin, f"/admin/users/{uid}/password", {"password": "abc"}, token_from=f"/admin/users/{uid}")
    assert "密码至少需要 8 位" in admin.get(weak.headers["Location"]).get_data(as_text=True)
    post(admin, f"/admin/users/{uid}/password", {"password": "Reset2026y"}, token_from=f"/admin/users/{uid}")
    assert phone.get("/").status_code == 302
    assert login(make_client(), "insp_b1", "Reset2026y").status_code == 302


def test_user_list_search(client, world):
    logged_in(client, "admin_d")
    body = client.get("/admin/users?q=officer").get_data(as_text=True)
    assert "officer_a" in body and "insp_a1" not in body
