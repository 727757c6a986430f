"""Chinese first, English on request; times in Shanghai; every UI string translated."""
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import format_datetime

from tests.helpers import csrf_token, logged_in

ROOT = Path(__file__).resolve().parent.parent


def test_chinese_by_default(client):
    body = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in body and "用户名或手机号" in body


def test_browser_language_english(client):
    body = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in body and "Username or mobile" in body


def test_any_chinese_variant_gets_chinese(client):
    body = client.get("/login", headers={"Accept-Language": "zh-TW,zh;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert "用户名或手机号" in body


def test_switch_language_is_remembered_on_the_account(make_client, world, db):
    c = logged_in(make_client(), "insp_a1")
    token = csrf_token(c, "/account")
    response = c.post("/account/language", data={"lang": "en", "next": "/account", "csrf_token": token})
    assert response.headers["Location"] == "/account"
    assert "My account" in c.get("/account").get_data(as_text=True)
    db.session.refresh(world.inspector_a1)
    assert world.inspector_a1.locale == "en"
    # Another device, Chinese browser: the account's choice wins.
    other = logged_in(make_client(), "insp_a1")
    assert "Log out" in other.get("/account", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)


def test_unknown_language_is_refused_politely(client, world):
    token = csrf_token(client)
    response = client.post("/account/language", data={"lang": "xx", "csrf_token": token})
    assert response.status_code == 302
    assert "不支持该语言" in client.get("/login").get_data(as_text=True)


def test_language_switch_works_before_login(client):
    token = csrf_token(client)
    client.post("/account/language", data={"lang": "en", "next": "/login", "csrf_token": token})
    assert "Log in" in client.get("/login").get_data(as_text=True)


def test_times_are_shown_in_shanghai_time(app):
    moment = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)  # 01:30 next day in Shanghai
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        shown = format_datetime(moment, "yyyy-MM-dd HH:mm")
    assert shown == "2026-03-02 01:30"


def test_every_ui_string_has_an_english_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-o", str(pot), "--no-location", "."], cwd=ROOT, check=True,
                   capture_output=True)
    with pot.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with (ROOT / "fieldapp/translations/en/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id for m in catalog if m.id and m.string and "fuzzy" not in m.flags}
    missing = sorted(wanted - translated)
    assert not missing, f"untranslated (run `make extract-messages`, then translate): {missing}"


def test_template_translations_follow_a_forced_locale(app):
    """Templates look their catalogue up once per request; force_locale still switches it."""
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string("{{ _('首页') }}") == "Home"
        with force_locale("zh_CN"):
            assert render_template_string("{{ _('首页') }}") == "首页"
        assert render_template_string("{{ _('首页') }}") == "Home"


def test_python_gettext_matches_flask_babels(app):
    """Python code translates through fieldapp.i18n (one catalogue lookup per request): the
    same text as Flask-Babel's in each language, with variables, lazily, under a forced
    locale, and outside a request."""
    import flask_babel

    from fieldapp import i18n

    message, variables = "该隐患当前为「%(status)s」，不能%(action)s。", {"status": "待确认", "action": "销号"}
    lazy = i18n.lazy_gettext("首页")
    for lang, home in (("en", "Home"), ("zh-CN", "首页")):
        with app.test_request_context("/", headers={"Accept-Language": lang}):
            assert i18n.gettext("首页") == flask_babel.gettext("首页") == home == str(lazy)
            assert i18n.gettext(message, **variables) == flask_babel.gettext(message, **variables)
            with flask_babel.force_locale("zh_CN"):
                assert i18n.gettext("首页") == "首页" == str(lazy)
            assert i18n.gettext("首页") == home
    with app.app_context():
        assert i18n.gettext("首页") == flask_babel.gettext("首页") == "首页"
    assert i18n.gettext("首页") == "首页"  # no context at all: the source text


def test_formatted_times_are_remembered_per_language(app):
    """The datetime filter keeps what Babel formatted, keyed by language: the same instant
    shows in each language's own form, however often and in whatever order it is asked for."""
    from flask import render_template_string

    when = datetime(2026, 3, 5, 1, 2, 3, tzinfo=UTC)
    page = "{{ t|datetime }} / {{ t|date }}"
    shown = {}
    for lang in ("zh-CN", "en", "zh-CN", "en"):
        with app.test_request_context("/", headers={"Accept-Language": lang}):
            shown.setdefault(lang, set()).add(render_template_string(page, t=when))
    assert shown["zh-CN"] == {"2026年3月5日 09:02:03 / 2026年3月5日"}
    assert len(shown["en"]) == 1 and "Mar 5, 2026" in next(iter(shown["en"])) and "9:02:03" in next(iter(shown["en"]))


def test_template_gettext_matches_jinjas_newstyle_gettext(app):
    """Templates translate through one call of our own (fieldapp.i18n._template_gettext) rather
    than Jinja's alias and wrapper: every case renders exactly as Jinja's newstyle gettext
    renders it — translated, values filled in and escaped, ``%%`` unescaped, autoescape off."""
    from flask import render_template_string
    from jinja2 import Environment

    from fieldapp import i18n

    reference = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    reference.install_gettext_callables(gettext=lambda s: i18n._catalog().ugettext(s),
                                        ngettext=lambda s, p, n: i18n._catalog().ungettext(s, p, n),
                                        newstyle=True)
    cases = ["{{ _('首页') }}", "{{ gettext('首页') }}", "{{ _('共 %(n)d 条', n=12) }}",
             "{{ _('%(who)s 上报于 %(t)s', who='<b>王</b>', t='10:00') }}", "{{ _('100%%') }}",
             "{{ _('工作证号：%(id)s', id=none) }}",
             "{% autoescape false %}{{ _('%(who)s 上报于 %(t)s', who='<b>', t='&') }}{% endautoescape %}",
             "{{ ngettext('%(num)d 项', '%(num)d 项', 3) }}"]
    for lang in ("zh-CN", "en"):
        with app.test_request_context("/", headers={"Accept-Language": lang}):
            assert app.jinja_env.globals["_"] is i18n._template_gettext
            for case in cases:
                assert render_template_string(case) == reference.from_string(case).render(), (lang, case)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string("{{ _('首页') }}") == "Home"
