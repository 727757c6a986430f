"""Every setting of a deployment, in one table: what the app reads into its config (config.py
reads exactly these), what gunicorn's configuration, the job wrapper and the Makefile read, and
what the libraries underneath take from the environment. The README's settings table is printed
from it (``scripts/settings_table.py``) and a test holds both to the code that reads them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    meaning: str
    example: str = ""
    #: Who reads it: "app" (into Flask's config, by config.py), "gunicorn" (deploy/gunicorn.conf.py),
    #: "jobs" (deploy/fieldapp-job), "make" (the Makefile), "libraries" (boto3, the C library).
    read_by: str = "app"
    #: For the app's settings: how the value is read (str, int, bool).
    kind: type = str
    #: The default as said in the table, when it is not the config class's attribute.
    default: str | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        "the database; PostgreSQL (psycopg 3) for a district",
        "postgresql://fieldapp@db.internal/fieldapp",
        default="SQLite in the instance folder",
    ),
    Setting(
        "SECRET_KEY",
        "signs sessions, tokens and the enterprises' check-in posters (a new key voids them: print again); "
        "the same on every instance",
        "64 random hex characters",
        default="generated once into the instance folder",
    ),
    Setting(
        "FIELDAPP_INSTANCE",
        "the instance folder: the SQLite database, the generated key, local media",
        "/var/lib/fieldapp",
        default="instance/ in the checkout",
    ),
    Setting("MEDIA_STORAGE", "`local` (MEDIA_ROOT) or `s3` (an S3-compatible bucket, for several instances)", "s3"),
    Setting(
        "MEDIA_ROOT",
        "where uploaded files go when local (content-addressed: `ab/cd/<sha256>`)",
        "/var/lib/fieldapp/media",
        default="media/ in the instance folder",
    ),
    Setting("S3_BUCKET", "the bucket, when MEDIA_STORAGE=s3", "fieldapp-media"),
    Setting("S3_PREFIX", "the keys' prefix in the bucket", "media/"),
    Setting("S3_ENDPOINT_URL", "the S3 service's address (empty: AWS)", "https://s3.internal"),
    Setting("S3_REGION", "the bucket's region, if the service wants one", "cn-east-1"),
    Setting("AWS_ACCESS_KEY_ID", "the S3 credentials (read by boto3)", "…", read_by="libraries"),
    Setting("AWS_SECRET_ACCESS_KEY", "the S3 credentials (read by boto3)", "…", read_by="libraries"),
    Setting(
        "STATIC_BUILD_DIR",
        "where static files are built under hashed names, precompressed; writable by the app",
        "/var/lib/fieldapp/static",
        default="build/static/ in the checkout",
    ),
    Setting(
        "RELEASE", "the release's label; a new one reaches phones as an update even when no file changed", "2026.12.06"
    ),
    Setting(
        "PUBLIC_BASE_URL",
        "the public address printed in posters' QR codes (empty: this request's host) and used in the "
        "links of messages sent outside the app",
        "https://aq.example.gov.cn",
    ),
    Setting(
        "PROXY_COUNT",
        "how many reverse proxies' `X-Forwarded-*` to trust (0 when gunicorn faces clients)",
        "1",
        kind=int,
    ),
    Setting(
        "SESSION_COOKIE_SECURE",
        "force the session cookie's Secure flag on or off",
        "1",
        kind=bool,
        default="Secure when the request is https",
    ),
    Setting("LOG_JSON", "one JSON line per request on stderr (journald keeps it), with its request id", "1", kind=bool),
    Setting(
        "SERVER_TIMING",
        "a `Server-Timing` header on every response (for bench/load.py; off in production)",
        "0",
        kind=bool,
    ),
    Setting(
        "READYZ_TOKEN",
        "lets a caller other than this machine read `/readyz`'s migration revisions (header `X-Readyz-Token`)",
        "a long random string",
    ),
    Setting(
        "METRICS_TOKEN",
        "lets a caller other than this machine read `/metrics` (header `Authorization: Bearer <token>`)",
        "a long random string",
    ),
    Setting("SMTP_HOST", "the SMTP server email goes out through (empty: no email)", "smtp.example.gov.cn"),
    Setting("SMTP_PORT", "its port", "587", kind=int),
    Setting("SMTP_USER", "the account to log in with (empty: no login)", "fieldapp@example.gov.cn"),
    Setting("SMTP_PASSWORD", "its password (never logged or shown)", "…"),
    Setting("SMTP_FROM", "the sender people see", "安全生产网格巡检 <fieldapp@example.gov.cn>"),
    Setting("SMTP_STARTTLS", "upgrade the connection with STARTTLS before logging in", "1", kind=bool),
    Setting(
        "WECOM_WEBHOOK",
        "a WeCom (企业微信) group robot's webhook, key included (a secret)",
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
    ),
    Setting(
        "DINGTALK_WEBHOOK",
        "a DingTalk (钉钉) custom robot's webhook, access token included (a secret)",
        "https://oapi.dingtalk.com/robot/send?access_token=…",
    ),
    Setting("DINGTALK_SECRET", "that robot's 加签 secret (SEC…); requests are signed with it", "SEC…"),
    Setting(
        "SMS_ACCESS_KEY_ID",
        "an Alibaba Cloud AccessKey ID for SMS (a RAM user allowed only dysms; empty: no SMS)",
        "LTAI…",
    ),
    Setting("SMS_ACCESS_KEY_SECRET", "its AccessKey secret (never logged or shown)", "…"),
    Setting("SMS_SIGN_NAME", "the approved SMS signature (签名)", "某区应急管理局"),
    Setting(
        "SMS_TEMPLATE_CODE",
        "an approved notification template with variables `${title}` and `${detail}`",
        "SMS_123456789",
    ),
    Setting("SMS_ENDPOINT", "the SMS API's endpoint (empty: `https://dysmsapi.aliyuncs.com/`)", ""),
    Setting(
        "PROMETHEUS_MULTIPROC_DIR",
        "a folder the workers share their metrics through (the systemd unit makes one per instance)",
        "/run/fieldapp-8000",
        read_by="libraries",
        default="each worker answers for itself",
    ),
    Setting("WORK_ID_FORMAT", "work-ID numbering (region = the district's code)", "{region}{year}{seq:04d}"),
    Setting("CLUE_ANSWER_DAYS", "days the department has to answer a clue", "15", kind=int),
    Setting("CLUE_PUBLIC_LIMIT", "anonymous clues per IP per hour", "5", kind=int),
    Setting("CLUE_LOOKUP_LIMIT", "clue tracking look-ups per IP per 10 minutes", "30", kind=int),
    Setting(
        "GPS_TARGET_ACCURACY_M",
        "the capture form improves its position until the phone reports this accuracy (metres)",
        "50",
        kind=int,
    ),
    Setting(
        "MEDIA_BODY_SILENCE_SECONDS",
        "a photo upload silent this long has lost its phone: its thread is freed, whole photos kept",
        "30",
        kind=int,
    ),
    Setting(
        "LOGIN_MAX_FAILURES_PER_ACCOUNT",
        "failed logins per account in 15 minutes before it is throttled",
        "5",
        kind=int,
    ),
    Setting("LOGIN_MAX_FAILURES_PER_IP", "failed logins per IP in 15 minutes before it is throttled", "30", kind=int),
    Setting(
        "BIND",
        "where an instance listens (the systemd unit sets 127.0.0.1:<port>)",
        "127.0.0.1:8001",
        read_by="gunicorn",
        default="127.0.0.1:8000",
    ),
    Setting("WEB_CONCURRENCY", "worker processes", "2", read_by="gunicorn", default="the number of cores"),
    Setting(
        "THREADS",
        "threads per worker (slow uploads wait on threads, not processes)",
        "4",
        read_by="gunicorn",
        default="4",
    ),
    Setting(
        "FORWARDED_ALLOW_IPS",
        "the proxies gunicorn takes `X-Forwarded-*` from",
        "127.0.0.1,10.0.0.5",
        read_by="gunicorn",
        default="127.0.0.1",
    ),
    Setting(
        "FIELDAPP_ENV",
        "the environment file the jobs load (systemd units name the same file)",
        "/etc/fieldapp/fieldapp.env",
        read_by="jobs",
        default="/etc/fieldapp/fieldapp.env",
    ),
    Setting(
        "FIELDAPP_HOME",
        "the checkout the jobs run in",
        "/srv/fieldapp/app",
        read_by="jobs",
        default="the wrapper's checkout",
    ),
    Setting(
        "FIELDAPP_VENV",
        "the virtualenv the jobs run with",
        "/srv/fieldapp/venv",
        read_by="jobs",
        default="/srv/fieldapp/venv",
    ),
    Setting(
        "BACKUP_DIR",
        "where the nightly backup writes, and the weekly drill reads",
        "/var/backups/fieldapp",
        read_by="jobs",
        default="/var/backups/fieldapp",
    ),
    Setting(
        "BACKUP_KEEP_DAYS",
        "backups older than this are removed after a new one is written",
        "14",
        read_by="jobs",
        default="14",
    ),
    Setting(
        "HOST",
        "where `make run` serves (a LAN address: try it from a phone)",
        "192.168.1.10",
        read_by="make",
        default="127.0.0.1",
    ),
    Setting("PORT", "where `make run` serves", "8080", read_by="make", default="8000"),
    Setting("WORKERS", "`make run`'s worker processes", "4", read_by="make", default="2"),
    Setting("VENV", "where `make` puts its virtualenv", "/srv/fieldapp/venv", read_by="make", default=".venv"),
    Setting(
        "PYTHON",
        "the interpreter `make` builds its virtualenv with",
        "python3.12",
        read_by="make",
        default="the distribution's (scripts/pick-python.sh)",
    ),
    Setting(
        "TZ",
        "the server's zone for logs and cron (the app counts days in Asia/Shanghai whatever it is)",
        "Asia/Shanghai",
        read_by="libraries",
        default="the system's",
    ),
)


def app_settings() -> list[Setting]:
    """What config.py reads into the app's config, each under its own name."""
    special = {"DATABASE_URL", "SECRET_KEY", "FIELDAPP_INSTANCE"}
    return [s for s in SETTINGS if s.read_by == "app" and s.name not in special]


def _default(setting: Setting) -> str:
    if setting.default is not None:
        return setting.default
    if setting.read_by != "app":
        return "—"
    from fieldapp.config import Config

    value = getattr(Config, setting.name)
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value) if value not in ("", None) else "—"


def table() -> str:
    """The README's table, in Markdown."""
    lines = ["| setting | read by | default | example | what it does |", "|---|---|---|---|---|"]
    for s in SETTINGS:
        lines.append(f"| `{s.name}` | {s.read_by} | {_default(s)} | `{s.example}` | {s.meaning} |")
    return "\n".join(lines)


BEGIN, END = "<!-- settings: scripts/settings_table.py -->", "<!-- /settings -->"


def readme_with_table(text: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return f"{text[:start]}\n{table()}\n{text[end:]}"
