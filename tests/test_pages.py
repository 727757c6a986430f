"""Headers, errors and markup rules that hold on every page."""

import base64
import hashlib
import re
from pathlib import Path

import pytest

from fieldapp.web import pwa
from tests.conftest import make_app
from tests.helpers import logged_in

STATIC = Path(__file__).resolve().parent.parent / "static"
PAGES = ["/", "/enterprises/", "/account", "/account/password", "/admin/users", "/admin/users/new"]


def _pages(make_client):
    """Every page as the admin sees it, and the login page as a stranger does."""
    admin = logged_in(make_client(), "admin_d")
    for path in PAGES:
        yield path, admin.get(path)
    yield "/login", make_client().get("/login")


def test_strict_headers(make_client, world):
    for path, response in _pages(make_client):
        assert response.status_code == 200, path
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in response.headers  # plain http here


def test_no_inline_script_or_handlers_and_no_external_assets(make_client, world):
    for path, response in _pages(make_client):
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        assert not re.search(r"""(src|href)=["']https?://""", html), path
        assert " style=" not in html, path
        # The only inline style: the stylesheet itself, on a first visit's page, allowed by its hash.
        styles = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
        assert html.count("<style") == len(styles) == (1 if path == "/login" else 0), path
        if styles:
            digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
            assert styles[0] == (STATIC / "css/app.css").read_text(encoding="utf-8")
            assert f"style-src 'self' 'sha256-{digest}';" in response.headers["Content-Security-Policy"]
            assert 'rel="stylesheet"' not in html
        else:
            assert "style-src 'self';" in response.headers["Content-Security-Policy"], path


def test_first_visits_pages_carry_the_stylesheet_only_for_strangers(make_client, world):
    """The public's pages are someone's first visit: they carry the stylesheet (a round trip saved
    on a weak link); a signed-in user, who has it kept, gets the link."""
    stranger, admin = make_client(), logged_in(make_client(), "admin_d")
    for path in ["/login", "/clues/new", f"/board/{world.grid_a1.code}"]:
        answer = stranger.get(path)
        assert answer.status_code == 200 and answer.get_data(as_text=True).count("<style>") == 1, path
    page = admin.get("/clues/new").get_data(as_text=True)
    assert "<style" not in page and 'rel="stylesheet"' in page


def test_every_form_carries_a_csrf_token(client, world):
    logged_in(client, "admin_d")
    for path in PAGES + [f"/admin/users/{world.inspector_a1.id}"]:
        html = client.get(path).get_data(as_text=True)
        for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S):
            if 'method="post"' in form:
                assert 'name="csrf_token"' in form, (path, form[:200])


def test_static_files_exist_and_are_local(client):
    assert client.get("/static/css/app.css").status_code == 200
    assert client.get("/static/js/app.js").status_code == 200


def test_errors_are_pages_in_chinese(client, world):
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "找不到该页面" in missing.get_data(as_text=True)
    assert client.post("/healthz").status_code == 405


@pytest.fixture
def crashing_app(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'crash.db'}", str(tmp_path))

    @app.route("/boom")
    def boom():
        raise RuntimeError("kaboom")

    @app.route("/api/v1/boom")
    def api_boom():
        raise RuntimeError("kaboom")

    return app


def test_unexpected_errors_are_a_polite_500(crashing_app):
    c = crashing_app.test_client()
    page = c.get("/boom")
    assert page.status_code == 500 and "服务器出错了" in page.get_data(as_text=True)
    assert "kaboom" not in page.get_data(as_text=True)
    api = c.get("/api/v1/boom")
    assert api.status_code == 500 and api.get_json()["error"] == "server_error"


def test_forms_never_nest(client, world):
    """A form inside a form is dropped by the HTML parser and its end tag closes the
    outer form, leaving later buttons without a form: check every page a draft shows."""
    from fieldapp.services import inspections
    from tests.images import jpeg

    record = inspections.start(world.inspector_a1, world.ent_a1)
    inspections.update(world.inspector_a1, record, {}, {record.results[0].id: ("fail", "x")})
    inspections.add_photo(world.inspector_a1, record, jpeg(), item_result_id=record.results[0].id)
    logged_in(client, "insp_a1")
    paths = (f"/inspections/{record.id}", f"/inspections/{record.id}/hazards/new", f"/enterprises/{world.ent_a1.id}")
    for path in paths:
        depth = 0
        for tag in re.findall(r"<(/?)form\b", client.get(path).get_data(as_text=True)):
            depth += -1 if tag else 1
            assert depth in (0, 1), path


def test_favicon_is_the_apps_icon(client):
    """Browsers ask for /favicon.ico by themselves; a 404 there is a console error on every such page."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG") and "max-age=86400" in response.headers["Cache-Control"]


def test_pages_kept_on_the_phone_share_the_inspectors_navigation(make_client, world):
    """The capture form, the outbox and the offline list carry the same bottom navigation as every
    other page an inspector sees (they are cached for all inspectors, so they list it themselves)."""

    def nav(html):
        part = html.split('class="bottom-nav"')[1].split("</nav>")[0]
        return re.findall(r'<a href="([^"]+)"', part), re.findall(r"<span>(.*?)</span>", part)

    inspector = logged_in(make_client(), "insp_a1")
    expected = nav(inspector.get("/").get_data(as_text=True))
    assert len(expected[0]) >= 5
    for path in pwa.APP_PAGES:
        html = inspector.get(path).get_data(as_text=True)
        assert nav(html) == expected, path
        assert 'class="topbar-bell"' in html, path
    assert 'aria-current="page"' in inspector.get("/outbox").get_data(as_text=True).split('class="bottom-nav"')[1]


def test_the_name_in_the_top_bar_is_part_of_its_accessible_name(make_client, world):
    html = logged_in(make_client(), "insp_a1").get("/").get_data(as_text=True)
    name = re.search(r'class="topbar-user"[^>]*aria-label="([^"]+)"[^>]*>([^<]+)</a>', html)
    assert name and name.group(2).strip() in name.group(1)


def test_the_unsent_work_banner_sits_inside_the_main_landmark(make_client, world):
    html = logged_in(make_client(), "insp_a1").get("/").get_data(as_text=True)
    assert html.index('<main id="main"') < html.index('class="pending-banner"') < html.index("</main>")
