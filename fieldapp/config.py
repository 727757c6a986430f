"""Settings, read from the environment once at start-up.

Defaults give a working single-machine install: SQLite under ``instance/`` and a
local media folder. A district deployment sets ``DATABASE_URL`` (PostgreSQL) and
``SECRET_KEY``; nothing else is required.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from fieldapp.settings import app_settings

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("FIELDAPP_INSTANCE", BASE_DIR / "instance"))


def _bool(name: str, default: bool | None = False) -> bool | None:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one kept in the instance folder.

    Generated once and stored so that sessions survive a restart and all
    workers of one gunicorn share it; several machines must set SECRET_KEY.
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Accept the common ``postgres://`` / ``postgresql://`` spellings; use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    SECRET_KEY = None  # filled in by from_env()
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_DIR / 'fieldapp.db'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    MEDIA_ROOT = str(INSTANCE_DIR / "media")
    #: Where static/ is built under content-hashed names, precompressed (fieldapp/assets.py); one
    #: folder per content, shared by every worker and every app of the machine.
    STATIC_BUILD_DIR = str(BASE_DIR / "build" / "static")
    #: Pages and JSON compressed on the way out (Flask-Compress): brotli where the browser says it
    #: takes it, else gzip. Level 4 of brotli: most of the gain (a page of 40 KB to 6 KB) at a
    #: fraction of the cost of 11; streamed answers (exports) are left as they are.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 4
    COMPRESS_LEVEL = 6
    COMPRESS_MIN_SIZE = 500
    COMPRESS_STREAMS = False
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/plain",
        "text/csv",
        "application/json",
        "application/javascript",
        "text/javascript",
        "application/manifest+json",
        "image/svg+xml",
    ]
    #: "local" (MEDIA_ROOT) or "s3" (an S3-compatible bucket, for several app instances).
    MEDIA_STORAGE = "local"
    S3_BUCKET = ""
    S3_PREFIX = "media/"
    S3_ENDPOINT_URL = ""
    S3_REGION = ""

    # Sessions: cookie holds only an opaque server-side session token (see services.sessions).
    SESSION_COOKIE_NAME = "fieldapp_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # None = Secure exactly when the request came over https (see web.security).
    SESSION_COOKIE_SECURE = None
    PERMANENT_SESSION_LIFETIME = timedelta(days=7)
    # The server-side session ends 7 days after login whatever the cookie says, so re-signing
    # and re-sending the cookie with every response (Flask's default) would buy nothing.
    SESSION_REFRESH_EACH_REQUEST = False
    REMEMBER_COOKIE_DURATION = timedelta(days=0)

    # CSRF: one token per session, valid as long as the session, so that a form
    # left open during a long site visit still submits.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_HEADERS = ["X-CSRFToken", "X-CSRF-Token"]

    # i18n: Chinese first. Times are stored in UTC and shown in Shanghai time.
    LANGUAGES = {"zh_CN": "简体中文", "en": "English"}
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "fieldapp" / "translations")

    # Login throttling (counted in the database, so it holds across instances).
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_IP = 30
    LOGIN_FAILURE_WINDOW = timedelta(minutes=15)

    # Clues from the public (seed 001 art. 19-20): answer within this many days; throttles per IP.
    CLUE_ANSWER_DAYS = 15
    CLUE_PUBLIC_LIMIT = 5  # anonymous clues per IP per hour
    CLUE_LOOKUP_LIMIT = 30  # tracking-code look-ups per IP per 10 minutes
    CLUE_MAX_PHOTOS = 3
    #: Work-ID numbers (seed 001 art. 14): region code of the district + year + sequence.
    WORK_ID_FORMAT = "{region}{year}{seq:04d}"
    #: Base of the links printed on notice-board posters (QR codes); empty = this request's host.
    PUBLIC_BASE_URL = ""
    #: Who may read /readyz's migration detail besides this machine (header X-Readyz-Token).
    READYZ_TOKEN = ""
    #: Who may read /metrics besides this machine (header ``Authorization: Bearer <token>``).
    METRICS_TOKEN = ""
    #: Email out (services/channels/email.py): the SMTP server, and the sender people see.
    SMTP_HOST = ""
    SMTP_PORT = 25
    SMTP_USER = ""
    SMTP_PASSWORD = ""
    SMTP_FROM = "fieldapp@localhost"
    SMTP_STARTTLS = False
    #: Group robots (services/channels/robots.py): their webhooks carry their keys, so are secrets.
    WECOM_WEBHOOK = ""
    DINGTALK_WEBHOOK = ""
    DINGTALK_SECRET = ""
    #: SMS out (services/channels/sms.py): Alibaba Cloud SMS, an approved signature and template.
    SMS_ACCESS_KEY_ID = ""
    SMS_ACCESS_KEY_SECRET = ""
    SMS_SIGN_NAME = ""
    SMS_TEMPLATE_CODE = ""
    #: Empty: services/channels/sms.py ENDPOINT (a test's stand-in sets its own).
    SMS_ENDPOINT = ""
    #: The capture form keeps improving its position until the phone reports this accuracy (metres).
    GPS_TARGET_ACCURACY_M = 50

    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    # A photo batch whose phone sends nothing for this long has lost its signal (under gunicorn;
    # nginx's client_body_timeout does it behind nginx): its worker thread is freed, the whole
    # photos kept.
    MEDIA_BODY_SILENCE_SECONDS = 30
    PAGE_SIZE = 20
    #: A deploy's release label; part of the offline shell's version, so a release with
    #: no changed file still reaches phones as an update.
    RELEASE = ""
    # Trust X-Forwarded-* from this many proxies (0 when gunicorn faces clients).
    PROXY_COUNT = 0
    #: Log each request as a JSON line with its request id (for several instances and a log shipper).
    LOG_JSON = False
    #: Say each response's server time in a Server-Timing header (the load benchmark reads it).
    SERVER_TIMING = False

    @classmethod
    def from_env(cls) -> dict:
        values = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        values["SECRET_KEY"] = _secret_key()
        if os.environ.get("DATABASE_URL"):
            values["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
        for setting in app_settings():  # the settings table (fieldapp/settings.py), each by its name
            name, default = setting.name, getattr(cls, setting.name)
            if setting.kind is int:
                values[name] = _int(name, default)
            elif setting.kind is bool:
                values[name] = _bool(name, default)
            elif os.environ.get(name):
                values[name] = os.environ[name]
        return values
