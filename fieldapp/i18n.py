"""Language and time zone: Simplified Chinese and Shanghai time unless told otherwise."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, request
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from fieldapp.extensions import babel

LANG_COOKIE = "lang"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def supported(locale) -> bool:
    return bool(locale) and locale in current_app.config["LANGUAGES"]


def select_locale() -> str:
    """User preference, then the language cookie, then Accept-Language, then Chinese.

    Outside a request (CLI, background jobs) messages are in Chinese.
    """
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


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else "")
    app.jinja_env.filters["date"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else "")
    # For long lists: the same Shanghai time as ISO-like digits, readable in any language,
    # at a fraction of Babel's cost per row.
    app.jinja_env.filters["minute"] = lambda value: (
        value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else "")
