"""Chinese first, English on request; times in Shanghai; every UI string translated."""

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
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
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with (ROOT / "fieldapp/translations/en/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    # A count's entry has a form for one and a form for many: both must be there.
    translated = {
        m.id
        for m in catalog
        if m.id and "fuzzy" not in m.flags and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(wanted - translated, key=str)
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


def test_one_format_for_moments_days_and_periods_in_every_language(app):
    """A moment, a day and a period show one way on every page, in both languages, in China time,
    and never split across lines (issue 30)."""
    from datetime import date

    from flask import render_template_string

    when = datetime(2026, 3, 5, 1, 2, 3, tzinfo=UTC)
    page = "{{ t|datetime('short') }} / {{ t|minute }} / {{ t|date('long') }} / {{ a|period(b) }}"
    shown = {}
    for lang in ("zh-CN", "en"):
        with app.test_request_context("/", headers={"Accept-Language": lang}):
            shown[lang] = render_template_string(page, t=when, a=date(2026, 11, 1), b=date(2026, 12, 31))
    nb = '<span class="nb">%s</span>'
    moment, day = nb % "2026-03-05\u00a009:02", nb % "2026-03-05"
    assert shown["zh-CN"] == f"{moment} / {moment} / {day} / {nb % '2026年11–12月'}"
    assert shown["en"] == f"{moment} / {moment} / {day} / {nb % 'Nov–Dec 2026'}"


def test_template_gettext_matches_jinjas_newstyle_gettext(app):
    """Templates translate through one call of our own (fieldapp.i18n._template_gettext) rather
    than Jinja's alias and wrapper: every case renders exactly as Jinja's newstyle gettext
    renders it — translated, values filled in and escaped, ``%%`` unescaped, autoescape off."""
    from flask import render_template_string
    from jinja2 import Environment

    from fieldapp import i18n

    reference = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    reference.install_gettext_callables(
        gettext=lambda s: i18n._catalog().ugettext(s),
        ngettext=lambda s, p, n: i18n._catalog().ungettext(s, p, n),
        newstyle=True,
    )
    cases = [
        "{{ _('首页') }}",
        "{{ gettext('首页') }}",
        "{{ _('共 %(n)d 条', n=12) }}",
        "{{ _('%(who)s 上报于 %(t)s', who='<b>王</b>', t='10:00') }}",
        "{{ _('100%%') }}",
        "{{ _('工作证号：%(id)s', id=none) }}",
        "{% autoescape false %}{{ _('%(who)s 上报于 %(t)s', who='<b>', t='&') }}{% endautoescape %}",
        "{{ ngettext('%(num)d 项', '%(num)d 项', 3) }}",
    ]
    for lang in ("zh-CN", "en"):
        with app.test_request_context("/", headers={"Accept-Language": lang}):
            assert app.jinja_env.globals["_"] is i18n._template_gettext
            for case in cases:
                assert render_template_string(case) == reference.from_string(case).render(), (lang, case)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string("{{ _('首页') }}") == "Home"


def test_templates_have_no_chinese_outside_translated_strings():
    """Every Chinese word or mark in a template — the punctuation（）、：，included — goes through
    gettext, so the English pages show none of it. Names and addresses are data, never template
    text. Comments are skipped."""
    import re

    cjk = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    text = r"""(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
    translated = re.compile(rf"\b(?:(?:_|gettext|pgettext)\(\s*{text}|ngettext\(\s*{text}\s*,\s*{text})")
    skipped = re.compile(r"\{#.*?#\}|<!--.*?-->|\{%\s*trans\b.*?\{%\s*endtrans\s*%\}", re.S)
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        source = skipped.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text())
        for number, line in enumerate(translated.sub("_()", source).splitlines(), 1):
            if cjk.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not found, "Chinese outside gettext:\n" + "\n".join(found)


@pytest.mark.dated
def test_english_pages_use_english_marks_months_and_messages(make_client, world, db):
    """What used to stay Chinese on English pages: punctuation around names and codes, the
    statistics chart's months, the attendance sheet's marks, the audit trail's verdict."""
    from babel.dates import format_date

    from fieldapp import clock
    from tests.helpers import post

    en = {"Accept-Language": "en"}
    inspector = logged_in(make_client(), "insp_a1")
    page = inspector.get(f"/enterprises/{world.ent_a1.id}", headers=en).get_data(as_text=True)
    code = f'<span class="nb">{world.grid_a1.code}</span>'  # a code never split across lines
    assert f"{world.grid_a1.name} ({code})" in page and "（" not in page
    assert f"{world.grid_a1.name}（{code}）" in inspector.get(f"/enterprises/{world.ent_a1.id}").get_data(as_text=True)

    admin = logged_in(make_client(), "admin_d")

    def chart(**kw):
        return admin.get("/statistics", **kw).get_data(as_text=True).split('<svg class="chart"')[1].split("</svg>")[0]

    this_month = clock.today().replace(day=1)  # China's date, as the report's months are
    shown = format_date(this_month, "MMM" if this_month.month != 1 else "yyyy.M", locale="en")
    assert f">{shown}<" in chart(headers=en) and "月" not in chart(headers=en)
    assert (f">{this_month.month}月<" if this_month.month != 1 else f">{this_month.year}.1<") in chart()

    sheet = admin.get("/worklog/attendance?month=2026-10", headers=en).get_data(as_text=True)
    assert (
        "<td>Off</td>" in sheet
        and "休" not in sheet
        and "<td>休</td>" in admin.get("/worklog/attendance?month=2026-10").get_data(as_text=True)
    )

    verdict = post(admin, "/admin/audit", token_from="/admin/audit", headers=en).get_data(as_text=True)
    assert "Intact: " in verdict and "完整" not in verdict


def test_counts_take_the_languages_singular_or_plural(app):
    """English says "1 day" and "2 days"; Chinese has one form. In Python, in templates and in
    the hazard lists' per-row labels alike."""
    from flask import render_template_string

    from fieldapp import i18n

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert i18n.ngettext("已逾期 %(num)d 天", "已逾期 %(num)d 天", 1) == "1 day overdue"
        assert i18n.ngettext("已逾期 %(num)d 天", "已逾期 %(num)d 天", 3) == "3 days overdue"
        page = "{{ ngettext('%(num)d 家企业', '%(num)d 家企业', n) }}"
        assert [render_template_string(page, n=n) for n in (1, 2)] == ["1 enterprise", "2 enterprises"]
        left = app.jinja_env.globals["hazard_labels"]()["left"]
        assert left("2026-12-10", 1) == "Due 2026-12-10 (1 day left)"
        assert left("2026-12-10", 5) == "Due 2026-12-10 (5 days left)"
    with app.test_request_context("/"):
        assert i18n.ngettext("已逾期 %(num)d 天", "已逾期 %(num)d 天", 1) == "已逾期 1 天"
        assert render_template_string("{{ ngettext('%(num)d 家企业', '%(num)d 家企业', 2) }}") == "2 家企业"
