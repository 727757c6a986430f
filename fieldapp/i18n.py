"""Language and time zone: Simplified Chinese and Shanghai time unless told otherwise."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from babel import Locale
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import format_date, get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup, escape

from fieldapp.clock import SHANGHAI
from fieldapp.extensions import babel

LANG_COOKIE = "lang"


def supported(locale) -> bool:
    return bool(locale) and locale in current_app.config["LANGUAGES"]


@lru_cache(maxsize=8)
def _locale(name: str) -> Locale:
    # Parsing a locale name walks Babel's list of every locale (~1 ms); the few we serve are kept.
    return Locale.parse(name)


def select_locale() -> Locale:
    """User preference, then the language cookie, then Accept-Language, then Chinese.

    Outside a request (CLI, background jobs) messages are in Chinese.
    """
    return _locale(_locale_name())


def _locale_name() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if supported(user_locale):
        return user_locale
    cookie = request.cookies.get(LANG_COOKIE)
    if supported(cookie):
        return cookie
    # Any Chinese variant gets the Simplified UI: it is the only Chinese we have.
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    if best and best.startswith("en"):
        return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def html_lang() -> str:
    """The page's language as HTML and HTTP name it (zh-CN, en)."""
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    return "zh-CN" if locale.startswith("zh") else locale.replace("_", "-")


def _catalog():
    """The current locale's translations, looked up once per request and locale.

    Flask-Babel walks its context locals (``g``) eight times or so for each string it
    translates, and formats the locale's name again; a page translates a hundred strings or
    more, in templates and in Python. Kept beside Flask-Babel's own per-request state and keyed
    by the locale object, so ``force_locale`` (which sets another) gets its own language."""
    if not g:
        return get_translations()  # outside any app context: Flask-Babel's null translations
    state = g.get("_flask_babel")
    cached = getattr(state, "fieldapp_catalog", None)
    if cached is not None and cached[0] is getattr(state, "babel_locale", None):
        return cached[1]
    locale = get_locale()
    translations = get_translations()
    g._flask_babel.fieldapp_catalog = (locale, translations)  # get_locale made the namespace
    return translations


def gettext(string: str, **variables) -> str:
    """Flask-Babel's ``gettext``, without its context-local lookups for each string."""
    rv = _catalog().ugettext(string)
    return rv % variables if variables else rv


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """The form the language uses for ``num`` things (English: "1 day", "2 days"; Chinese has
    one), with ``%(num)d`` and the other variables filled in, as Jinja's ``ngettext`` does."""
    return _catalog().ungettext(singular, plural, num) % {"num": num, **variables}


def lazy_gettext(string: str, **variables) -> LazyString:
    """Translated when shown (module-level labels), by ``gettext``."""
    return LazyString(gettext, string, **variables)


@pass_context
def _template_gettext(context, string: str, **variables) -> str:
    """Jinja's newstyle ``gettext`` — and ``_`` — in one call.

    Jinja's own goes through an alias and a wrapper (two context calls) and formats every string
    with ``%`` even when there is nothing to fill in: ~24 µs a string, and a page translates
    100-160 (10-20 % of its CPU). Same result: marked safe when autoescaping, ``%(name)s``
    filled in (escaped) and ``%%`` unescaped; formatting skipped only where it changes nothing.
    The catalogue comes with the template's context (``_catalog``, put there as it renders), not
    through Flask-Babel's context locals for every string."""
    rv = (context.get("_catalog") or _catalog()).ugettext(string)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 - our own catalogue, as Jinja's newstyle gettext does
    return rv % variables if variables or "%" in rv else rv


@lru_cache(maxsize=8192)
def _formatted(formatter, value, fmt: str, locale: Locale) -> str:
    """Babel's formatting costs ~0.1 ms a value; pages show the same times to every viewer
    again and again. Keyed by the locale (the time zone is the configured one, for everyone)."""
    return formatter(value, fmt)


def formatted_date(value, fmt: str = "medium") -> str:
    """Babel's ``format_date`` in the current language, remembered (a name or a pattern)."""
    return _formatted(format_date, value, fmt, get_locale()) if value else ""


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _catalog().ugettext(s),
        ngettext=lambda s, p, n: _catalog().ungettext(s, p, n),
        pgettext=lambda c, s: _catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalog().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["gettext"] = app.jinja_env.globals["_"] = _template_gettext
    app.context_processor(lambda: {"_catalog": _catalog()})
    # One format for moments, one for days, one for periods, in every language and on every page
    # (the ``fmt`` some templates pass is ignored: there is one format).
    # On pages a moment or a day is one unit, never split across lines (the ``nb`` class).
    app.jinja_env.filters["datetime"] = lambda value, fmt=None: _unbroken(show_moment(value))
    app.jinja_env.filters["minute"] = lambda value: _unbroken(show_moment(value))
    app.jinja_env.filters["date"] = lambda value, fmt=None: _unbroken(show_day(value))
    app.jinja_env.filters["period"] = lambda start, end=None: _unbroken(show_period(start, end))
    app.jinja_env.filters["codes"] = codes_unbroken


def _unbroken(text: str) -> Markup:
    return Markup('<span class="nb">%s</span>') % text if text else Markup("")


#: A code, a number, a date inside a sentence: letters and digits with the - / : . that join them.
_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-/:.]*[0-9A-Za-z]")


def codes_unbroken(text) -> Markup:
    """Text with each code in it (a record number, a grid code, a credit code) kept on one line;
    browsers otherwise break XJ-20261206-000001 at its hyphens."""
    return Markup("").join(
        _unbroken(part) if i % 2 else escape(part) for i, part in enumerate(_split_codes(str(text or "")))
    )


def _split_codes(text: str) -> list[str]:
    out, last = [], 0
    for m in _CODE.finditer(text):
        if any(c.isdigit() for c in m.group()) and len(m.group()) >= 3:
            out += [text[last : m.start()], m.group()]
            last = m.end()
    return out + [text[last:]]


#: Between a day and its time: they stay on one line.
NBSP = "\u00a0"


def show_moment(value) -> str:
    """A moment as people here read it, in China time: 2026-12-06 15:34 (the same in English).
    An ISO 8601 text with its offset is read first."""
    if isinstance(value, str) and value:
        value = datetime.fromisoformat(value)
    return value.astimezone(SHANGHAI).strftime(f"%Y-%m-%d{NBSP}%H:%M") if value else ""


def show_day(value) -> str:
    """A day: 2026-12-06 (a moment gives its China-time day)."""
    if not value:
        return ""
    if hasattr(value, "astimezone") and getattr(value, "tzinfo", None) is not None:
        value = value.astimezone(SHANGHAI)
    return value.strftime("%Y-%m-%d")


def show_period(start, end=None) -> str:
    """A span of months, such as a bimonthly coverage period: 2026年11–12月, Nov–Dec 2026."""
    end = end or start
    if str(get_locale()).startswith("zh"):
        if start.year == end.year:
            return (
                f"{start.year}年{start.month}–{end.month}月"
                if start.month != end.month
                else f"{start.year}年{start.month}月"
            )
        return f"{start.year}年{start.month}月–{end.year}年{end.month}月"
    first, last = _formatted(format_date, start, "MMM", get_locale()), _formatted(format_date, end, "MMM", get_locale())
    if start.year == end.year:
        return f"{first}–{last} {start.year}" if start.month != end.month else f"{first} {start.year}"
    return f"{first} {start.year}–{last} {end.year}"
