"""Who hears what outside the app (issue 35): the routes from an event to the outbox
(services/outbound.py). Messages leave the app, so each says only what is needed to act — the
kind, the enterprise, when, a link — never a hazard's description, a clue's reporter or an
interference record's content; the link opens the app, which checks scope as always.

Routes so far: a hazard reported as 重大 → the department's group robots (WeCom, DingTalk) at
once. Next (issue 35): general hazards batched into a digest, confirmations, deadlines and
re-checks to the people concerned by their own channels and quiet hours.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale

from fieldapp import clock
from fieldapp.i18n import gettext as _
from fieldapp.models import Hazard
from fieldapp.services import outbound

#: Group robots and the settings that make one configured.
ROBOTS = {"wecom": "WECOM_WEBHOOK", "dingtalk": "DINGTALK_WEBHOOK"}


def _link(path: str) -> str:
    """An absolute link when PUBLIC_BASE_URL is set (a message outside the app has no host of its own)."""
    return current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/") + path


def hazard_reported(hazard: Hazard) -> None:
    """A proposed 重大 hazard: the department's groups hear of it in the report's transaction."""
    if hazard.proposed_level != "major":
        return
    robots = [channel for channel, setting in ROBOTS.items() if current_app.config.get(setting)]
    if not robots:
        return
    # The groups read the deployment's language, whatever the reporter's screen shows.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = _("重大事故隐患待确认")
        at = clock.local(hazard.created_at or clock.now()).strftime("%Y-%m-%d %H:%M")
        body = _(
            "%(enterprise)s · %(grid)s · 上报于 %(at)s",
            enterprise=hazard.enterprise.name,
            grid=hazard.enterprise.grid.name,
            at=at,
        )
    for channel in robots:
        outbound.enqueue(
            channel,
            "department",
            "hazard_major",
            title,
            f"hazard-major:{hazard.id}:{channel}",
            body,
            _link(f"/hazards/{hazard.id}"),
        )
