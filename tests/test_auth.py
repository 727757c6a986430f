"""Logging in and out, throttling, sessions that can be revoked, passwords, CSRF."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from fieldapp import clock
from fieldapp.models import LoginAttempt, UserSession
from tests.factories import PASSWORD
from tests.helpers import csrf_token, logged_in, login, post


def test_login_by_username_lands_on_home(client, world):
    response = login(client, "insp_a1")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "我的网格" in page and "甲镇一网格" in page


def test_login_by_mobile_number_in_any_common_spelling(make_client, world):
    for typed in ("13912345601", "139 1234 5601", "+86 139-1234-5601"):
        assert login(make_client(), typed).status_code == 302, typed


def test_login_name_is_case_insensitive(client, world):
    assert login(client, "  INSP_A1 ").status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_message(make_client, world):
    wrong = login(make_client(), "insp_a1", "nope-123x").get_data(as_text=True)
    unknown = login(make_client(), "nobody_here", "nope-123x").get_data(as_text=True)
    assert "用户名或密码错误。" in wrong and "用户名或密码错误。" in unknown
    # What the user typed as login name is kept; the password never is.
    assert 'value="insp_a1"' in wrong and "nope-123x" not in wrong


def test_empty_fields_get_a_clear_message(client, world):
    token = csrf_token(client)
    response = client.post("/login", data={"login": "", "password": "", "csrf_token": token})
    assert response.status_code == 400
    assert "请输入用户名或手机号。" in response.get_data(as_text=True)


def test_disabled_user_is_told_only_with_the_right_password(make_client, factory, world):
    factory.user("grid_inspector", grids=[world.grid_a1], username="gone", active=False)
    right = login(make_client(), "gone")
    assert right.status_code == 401 and "该账号已停用" in right.get_data(as_text=True)
    wrong = login(make_client(), "gone", "wrong-pass1").get_data(as_text=True)
    assert "该账号已停用" not in wrong


def test_account_locks_after_five_failures_even_for_the_right_password(make_client, world):
    for i in range(4):
        login(make_client(), "insp_a1", f"bad-pass{i}")
    fifth = login(make_client(), "insp_a1", "bad-pass-5")
    assert fifth.status_code == 429
    assert "已暂时锁定" in fifth.get_data(as_text=True)
    sixth = login(make_client(), "insp_a1", PASSWORD)
    assert sixth.status_code == 429 and "分钟后再试" in sixth.get_data(as_text=True)
    # Others are not locked out by someone hammering one account.
    assert login(make_client(), "insp_b1").status_code == 302


def test_the_lock_counts_the_account_whatever_name_it_is_tried_by(make_client, world):
    """Five guesses in all, by login name and by mobile number together — not five per name; an
    admin's password reset lets the inspector back in at once."""
    for i in range(3):
        login(make_client(), "insp_a1", f"bad-pass{i}")
    for i in range(2):
        last = login(make_client(), "13912345601", f"bad-mobile{i}")
    assert last.status_code == 429
    for name in ("insp_a1", "13912345601"):
        assert login(make_client(), name, PASSWORD).status_code == 429
    # Another account is not locked out by someone hammering this one.
    assert login(make_client(), "insp_b1").status_code == 302
    admin = logged_in(make_client(), "admin_a")
    uid = world.inspector_a1.id
    r = post(admin, f"/admin/users/{uid}/password", {"password": "Reset2026y"}, token_from=f"/admin/users/{uid}")
    assert r.status_code == 302
    assert login(make_client(), "13912345601", "Reset2026y").status_code == 302


def test_warning_before_the_lock(make_client, world):
    for i in range(3):
        body = login(make_client(), "insp_a1", f"bad-pass{i}").get_data(as_text=True)
    assert "再失败 2 次" in body


def test_lock_expires_after_the_window(make_client, world, db):
    for i in range(5):
        login(make_client(), "insp_a1", f"bad-pass{i}")
    assert login(make_client(), "insp_a1").status_code == 429
    # Age the failures past the 15-minute window.
    db.session.execute(sa.update(LoginAttempt).values(at=clock.now() - timedelta(minutes=16)))
    db.session.commit()
    assert login(make_client(), "insp_a1").status_code == 302


def test_success_resets_the_failure_count(make_client, world):
    for i in range(4):
        login(make_client(), "insp_a1", f"bad-pass{i}")
    assert login(make_client(), "insp_a1").status_code == 302
    for i in range(4):
        assert login(make_client(), "insp_a1", f"bad-again{i}").status_code == 401


def test_ip_is_throttled_across_accounts(app, make_client, world):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 6
    try:
        for i in range(6):
            login(make_client(), f"someone{i}", "bad-pass1")
        response = login(make_client(), "insp_b1")
        assert response.status_code == 429 and "此网络登录失败次数过多" in response.get_data(as_text=True)
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_IP"] = 30


def test_session_cookie_flags(client, world):
    response = login(client, "insp_a1")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_the_cookie_is_set_at_login_and_not_again_with_every_page(client, world):
    response = login(client, "insp_a1")
    assert "Expires=" in response.headers["Set-Cookie"]  # lasts the server session's 7 days
    client.get("/")  # the session's CSRF token is made with the first form (the login cleared it)
    for path in ("/", "/enterprises/", "/hazards/", "/api/v1/me"):
        page = client.get(path)
        assert page.status_code == 200 and "Set-Cookie" not in page.headers, path


def test_session_cookie_is_secure_over_https(make_client, world):
    c = make_client()
    token = csrf_token(c)
    response = c.post(
        "/login",
        data={"login": "insp_a1", "password": PASSWORD, "csrf_token": token},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},
    )
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_login_rotates_the_session(client, world, db):
    before = client.get_cookie("fieldapp_session").value if client.get_cookie("fieldapp_session") else None
    login(client, "insp_a1")
    first = client.get_cookie("fieldapp_session").value
    assert first != before
    post(client, "/logout")
    login(client, "insp_a1")
    assert client.get_cookie("fieldapp_session").value != first
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 1


def test_logout_needs_post_with_csrf(client, world):
    logged_in(client, "insp_a1")
    assert client.get("/logout").status_code == 405
    refused = client.post("/logout")
    assert refused.status_code == 400 and "安全校验失败" in refused.get_data(as_text=True)
    assert client.get("/").status_code == 200  # still logged in


def test_logout_revokes_a_copied_cookie(make_client, world):
    phone = logged_in(make_client(), "insp_a1")
    stolen = make_client()
    stolen.set_cookie("fieldapp_session", phone.get_cookie("fieldapp_session").value)
    assert stolen.get("/").status_code == 200
    response = post(phone, "/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert stolen.get("/").status_code == 302
    assert "您已安全退出" in phone.get("/login").get_data(as_text=True)


def test_protected_page_redirects_to_login_with_next(client, world):
    response = client.get("/enterprises/?q=甲")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    token = csrf_token(client, response.headers["Location"])
    back = client.post(
        response.headers["Location"], data={"login": "insp_a1", "password": PASSWORD, "csrf_token": token}
    )
    assert back.headers["Location"].startswith("/enterprises/?q=")


#: ``next`` values that lead off the site once a browser has done with them what it does with a
#: Location (drops tabs and newlines, reads ``\`` as ``/``), raw and percent-encoded.
EVIL_NEXT = [
    "//evil.example/x",
    "https://evil.example/",
    "/\\evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%0A/evil.example",
    "/%0D%0A/evil.example",
    "/%5C/evil.example",
    "/%2F/evil.example",
    "%2F%2Fevil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "%09//evil.example",
    "javascript:alert(1)",
    "/x%00y",
    " //evil.example",
]


def browser_target(location: str) -> str:
    """Where a browser goes for a Location on our origin."""
    from urllib.parse import urljoin

    cleaned = "".join(c for c in location if c not in "\t\r\n").replace("\\", "/")
    return urljoin("http://localhost/", cleaned)


@pytest.mark.parametrize("evil", EVIL_NEXT)
def test_next_to_another_site_is_ignored(client, world, evil):
    c = client.application.test_client()
    token = csrf_token(c)
    r = c.post(
        "/login", query_string={"next": evil}, data={"login": "insp_a1", "password": PASSWORD, "csrf_token": token}
    )
    assert r.status_code == 302 and r.headers["Location"] == "/", evil
    assert browser_target(r.headers["Location"]).startswith("http://localhost/")
    r = c.post("/account/language", data={"lang": "en", "next": evil, "csrf_token": csrf_token(c, "/")})
    assert r.status_code == 302 and browser_target(r.headers["Location"]).startswith("http://localhost/"), evil
    assert r.headers["Location"] == "/", evil


def test_next_within_the_site_is_kept(client, world):
    token = csrf_token(client)
    r = client.post(
        "/login",
        query_string={"next": "/enterprises/?q=%E8%8B%8F%E5%B7%9E"},
        data={"login": "insp_a1", "password": PASSWORD, "csrf_token": token},
    )
    assert r.headers["Location"] == "/enterprises/?q=%E8%8B%8F%E5%B7%9E"


def test_login_without_csrf_token_is_refused_with_a_message(client, world):
    response = client.post("/login", data={"login": "insp_a1", "password": PASSWORD})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "页面已过期，请重新输入密码后登录。" in body
    # The form comes back with the name kept and a fresh token, so the next try works.
    assert 'value="insp_a1"' in body and PASSWORD not in body
    assert client.get("/").status_code == 302
    assert login(client, "insp_a1").status_code == 302


def test_change_password_logs_out_other_devices_only(make_client, world):
    phone = logged_in(make_client(), "insp_a1")
    desk = logged_in(make_client(), "insp_a1")
    response = post(
        phone,
        "/account/password",
        {"current": PASSWORD, "new": "NewPass2027", "confirm": "NewPass2027"},
        token_from="/account/password",
    )
    assert response.status_code == 302
    assert phone.get("/").status_code == 200
    assert desk.get("/").status_code == 302
    assert login(make_client(), "insp_a1", "NewPass2027").status_code == 302
    assert login(make_client(), "insp_a1", PASSWORD).status_code == 401


def test_change_password_explains_each_refusal(client, world):
    logged_in(client, "insp_a1")
    cases = [
        ({"current": "wrong-one1", "new": "NewPass2027", "confirm": "NewPass2027"}, "当前密码不正确"),
        ({"current": PASSWORD, "new": "NewPass2027", "confirm": "NewPass2028"}, "两次输入的新密码不一致"),
        ({"current": PASSWORD, "new": "short1", "confirm": "short1"}, "至少需要 8 位"),
        ({"current": PASSWORD, "new": "allletters", "confirm": "allletters"}, "字母和数字"),
        ({"current": PASSWORD, "new": "insp_a1xyz9", "confirm": "insp_a1xyz9"}, "不能包含用户名"),
    ]
    for data, message in cases:
        response = post(client, "/account/password", data, token_from="/account/password")
        assert response.status_code == 400 and message in response.get_data(as_text=True), message


def test_disabled_user_is_cut_off_at_once(make_client, world, db):
    phone = logged_in(make_client(), "insp_a1")
    admin = logged_in(make_client(), "admin_d")
    response = post(
        admin,
        f"/admin/users/{world.inspector_a1.id}/active",
        {"active": "0"},
        token_from=f"/admin/users/{world.inspector_a1.id}",
    )
    assert response.status_code == 302
    assert phone.get("/").status_code == 302
    assert phone.get("/api/v1/me").status_code == 401


def test_json_api_needs_the_csrf_header(client, world):
    logged_in(client, "insp_a1")
    refused = client.patch("/api/v1/me", json={"locale": "en"})
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf_failed"
    token = csrf_token(client, "/")
    ok = client.patch("/api/v1/me", json={"locale": "en"}, headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and ok.get_json()["locale"] == "en"
    bad = client.patch("/api/v1/me", json={"locale": "fr", "admin": True}, headers={"X-CSRFToken": token})
    assert bad.status_code == 422 and set(bad.get_json()["fields"]) == {"locale", "admin"}
    # Messages follow the language the user just chose.
    assert bad.get_json()["fields"] == {"locale": ["That language is not supported."], "admin": ["Unknown field."]}
    junk = client.patch(
        "/api/v1/me", data="not json", headers={"X-CSRFToken": token, "Content-Type": "application/json"}
    )
    assert junk.status_code == 400 and junk.get_json()["message"] == "The request body must be a JSON object."


def test_sessions_expire_and_prune_removes_them(app, make_client, world, db):
    phone = logged_in(make_client(), "insp_a1")
    fresh = logged_in(make_client(), "insp_b1")
    old = clock.now() - timedelta(days=8)
    db.session.execute(
        sa.update(UserSession).where(UserSession.user_id == world.inspector_a1.id).values(created_at=old)
    )
    db.session.add(LoginAttempt(at=clock.now() - timedelta(days=91), account="x", ip="1.2.3.4"))
    db.session.commit()
    assert phone.get("/").status_code == 302  # past the 7-day lifetime
    result = app.test_cli_runner().invoke(args=["fieldapp", "prune"])
    assert "Removed 1 expired sessions, 1 old login attempts and" in result.output
    assert fresh.get("/").status_code == 200
