"""The installable app: web app manifest, the service worker at /sw.js, the offline page."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, current_app, render_template, send_from_directory, url_for

from fieldapp import i18n
from fieldapp.config import BASE_DIR
from fieldapp.i18n import gettext as _
from fieldapp.services import geo
from fieldapp.web import app_texts

bp = Blueprint("pwa", __name__)

#: The capture page's ES modules (static/js/capture/), imported by main.js.
CAPTURE_MODULES = (
    "main",
    "record",
    "geo",
    "checklist",
    "photos",
    "markup",
    "hazard",
    "sign",
    "inspection",
    "recheck",
    "offline",
    "address",
    "visits",
    "duplicates",
)
#: Today's plan (static/js/plan/), kept on the phone like the capture page.
PLAN_MODULES = ("page", "planner", "state", "stops", "map", "coords", "card")
#: The scan page (static/js/scan/) and the QR decoder it falls back on (static/vendor/qr-scanner).
SCAN_MODULES = ("page", "code", "decoder")
#: What the phone keeps for working without signal (paths under static/).
SHELL_FILES = (
    "css/app.css",
    "js/app.js",
    "js/ui.js",
    "js/photo.js",
    "js/signature.js",
    "js/store.js",
    "js/pack.js",
    "js/sync.js",
    "js/outbox.js",
    "js/outbox-rules.js",
    *(f"js/capture/{m}.js" for m in CAPTURE_MODULES),
    *(f"js/plan/{m}.js" for m in PLAN_MODULES),
    *(f"js/scan/{m}.js" for m in SCAN_MODULES),
    "vendor/qr-scanner/qr-scanner-worker.min.js",
    "icons/icon.svg",
    "icons/icon-192.png",
    "icons/icon-512.png",
    "icons/icon-maskable-512.png",
)
#: Pages kept on the phone (they hold no data; scripts fill them from IndexedDB).
APP_PAGES = ("/capture", "/outbox", "/offline", "/plan", "/scan")
#: The classic scripts the worker imports (it shares them with the pages).
WORKER_IMPORTS = ("js/store.js", "js/sync.js")
APP_TEMPLATES = (
    "app/shell.html",
    "app/capture.html",
    "app/outbox.html",
    "app/plan.html",
    "app/scan.html",
    "offline.html",
    "_pending.html",
    "macros.html",
)


def precache() -> dict:
    """The precache list and its version: a hash of every file in it (computed once per process)."""
    cached = current_app.extensions.get("fieldapp_precache")
    if cached is None:
        digest = hashlib.sha256(current_app.config.get("RELEASE", "").encode())
        for name in SHELL_FILES:
            digest.update(name.encode())
            digest.update((BASE_DIR / "static" / name).read_bytes())
        digest.update((BASE_DIR / "static" / "sw" / "sw.js").read_bytes())
        for name in APP_TEMPLATES:
            digest.update((BASE_DIR / "templates" / name).read_bytes())
        cached = {
            "version": digest.hexdigest()[:16],
            "urls": [url_for("static", filename=n) for n in SHELL_FILES] + list(APP_PAGES),
            "pages": list(APP_PAGES),
            # Under their hashed names, as the pages load them: one download serves both.
            "imports": [url_for("static", filename=n) for n in WORKER_IMPORTS],
        }
        current_app.extensions["fieldapp_precache"] = cached
    return cached


@bp.route("/manifest.webmanifest")
def manifest():
    """The web app manifest (Chinese name, icons, standalone display)."""
    data = {
        "name": _("安全生产网格巡检"),
        "short_name": _("网格巡检"),
        "description": _("安全生产网格员、执法人员和企业安全负责人的现场工作工具。"),
        "lang": i18n.html_lang(),
        "start_url": "/?source=pwa",
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": "#0b4f8a",
        "background_color": "#f3f5f8",
        "icons": [
            {"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": url_for("static", filename="icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": url_for("static", filename="icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        # A long press on the home-screen icon: straight to the patrol list or the outbox.
        "shortcuts": [
            {
                "name": _("开始巡查"),
                "short_name": _("巡查"),
                "url": url_for("inspections.patrol"),
                "icons": [{"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192"}],
            },
            {
                "name": _("同步"),
                "short_name": _("同步"),
                "url": "/outbox",
                "icons": [{"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192"}],
            },
        ],
        # Shown by the install prompt (a phone's screen, with the demo's data).
        "screenshots": [
            {
                "src": url_for("static", filename=f"screenshots/{name}.png"),
                "sizes": "360x740",
                "type": "image/png",
                "form_factor": "narrow",
                "label": label,
            }
            for name, label in (("home", _("网格员首页：今日待查企业")), ("capture", _("现场检查：一手完成")))
        ],
    }
    response = Response(json.dumps(data, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on their own (for a photo opened in a tab, say): the app's
    icon rather than a 404 in the console."""
    return send_from_directory(BASE_DIR / "static" / "icons", "icon-192.png", mimetype="image/png", max_age=86400)


@bp.route("/sw.js")
def service_worker():
    """The worker script from static/sw/, with its precache list; never cached by HTTP,
    so that browsers see a new version as soon as it is deployed."""
    source = (BASE_DIR / "static" / "sw" / "sw.js").read_text(encoding="utf-8")
    body = f"const PRECACHE = {json.dumps(precache())};\n{source}"
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache, max-age=0"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


def _app_page(template: str, **context) -> Response:
    response = Response(render_template(template, **context))
    response.headers["Cache-Control"] = "no-cache"
    # The service worker re-fetches the cached pages when the user's language differs.
    response.headers["Content-Language"] = i18n.html_lang()
    return response


@bp.route("/offline")
def offline():
    """Shown by the service worker when a page cannot be reached; for an inspector it
    lists the enterprises of the offline pack, to start an inspection without signal."""
    return _app_page("offline.html")


@bp.route("/capture")
def capture():
    """The inspection form kept on the phone (online and offline alike)."""
    return _app_page("app/capture.html", texts=app_texts.capture(), far_m=int(geo.FAR_M))


@bp.route("/plan")
def plan():
    """Today's plan: the stops in route order, the map, navigation (filled from the offline pack)."""
    return _app_page("app/plan.html", texts=app_texts.plan())


@bp.route("/scan")
def scan():
    """一企一码: the camera reads an enterprise's code and opens its inspection (offline too)."""
    return _app_page("app/scan.html", texts=app_texts.scan())


@bp.route("/outbox")
def outbox():
    """What this phone has not yet sent: state, last error, sync now, export."""
    return _app_page("app/outbox.html", texts=app_texts.outbox())
