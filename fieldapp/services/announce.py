"""Who hears what outside the app (issue 35): the routes from an in-app notification to the outbox
(services/outbound.py), by each person's channels (SMS, email) and their department's group robots
(WeCom, DingTalk).

``ROUTES`` is the routing table: every kind of notification, who receives it (services/
notifications.py decides the people), and whether it goes outside the app by default. A
department's admin switches routes on or off for their subtree (services/alert_settings.py); a
proposed or confirmed 重大 hazard always goes, at once, through quiet hours. A general new hazard
is folded into a digest: one message per person or group at most every N minutes.

Messages leave the app, so each says only what is needed to act — the kind, the enterprise, its
grid, a deadline, a link — never a hazard's description, a clue's reporter or an interference
record's content (``compose`` is the one place that writes them); the link opens the app, which
checks scope as always.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from fieldapp import clock
from fieldapp.db import db
from fieldapp.i18n import gettext as _
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models import AlertPreference, Grid, Hazard, OutboundMessage, User
from fieldapp.services import alert_settings, outbound
from fieldapp.services.notification_texts import NOTIFICATION_TEXT


@dataclass(frozen=True)
class Route:
    kind: str
    #: Who receives it (services/notifications.py picks them; said here for the admin's page).
    audience: object
    #: Heard outside the app unless the department's admin switches it off.
    outside: bool
    #: For a hazard's step: which of its audiences (services/notifications.py) hear it outside
    #: the app — the others see it in the app only. None: all of them.
    to: tuple[str, ...] | None = None


ROUTES = (
    Route("reported", _l("辖区执法人员（重大隐患立即，一般隐患按间隔汇总）"), True),
    Route("confirm", _l("企业安全管理人员"), True, ("company",)),
    Route("deadline_soon", _l("企业安全管理人员"), True),
    Route("overdue", _l("企业安全管理人员、承办执法人员"), True),
    Route("recheck_due", _l("上报隐患的网格员"), True),
    Route("recheck_fail", _l("企业安全管理人员"), True, ("company",)),
    Route("clue_assigned", _l("线索承办人"), True),
    Route("clue_task", _l("负责核查的网格员"), True),
    Route("interference", _l("本部门纪检监察人员"), True),
    Route("interference_supplement", _l("本部门纪检监察人员"), True),
    Route("reject", _l("上报隐患的网格员"), False),
    Route("regrade", _l("企业安全管理人员"), False, ("company",)),
    Route("acknowledge", _l("承办执法人员"), False),
    Route("progress", _l("承办执法人员"), False),
    Route("submit", _l("承办执法人员"), False, ("officer",)),
    Route("recheck_pass", _l("企业安全管理人员"), False, ("company",)),
    Route("close", _l("企业安全管理人员"), False, ("company",)),
    Route("evidence", _l("承办执法人员"), False),
    Route("clue_new", _l("线索办理人员"), False),
    Route("bulletin", _l("社会监督员"), False),
    Route("declaration", _l("部门管理员"), False),
    Route("declaration_decided", _l("申报人"), False),
)
BY_KIND = {route.kind: route for route in ROUTES}
#: What a message for these kinds adds to the enterprise and grid: the deadline to keep.
_WITH_DEADLINE = {"confirm", "deadline_soon", "overdue", "recheck_fail", "regrade"}


def _link(path: str) -> str:
    """An absolute link when PUBLIC_BASE_URL is set (a message outside the app has no host of its own)."""
    return current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/") + path


def person_channels() -> list[str]:
    """The person channels this deployment can send through."""
    config = current_app.config
    return [
        channel
        for channel, ready in (("sms", config.get("SMS_ACCESS_KEY_ID")), ("email", config.get("SMTP_HOST")))
        if ready
    ]


def is_major(hazard: Hazard | None) -> bool:
    """重大 as confirmed, or as proposed while not yet graded: it goes at once, quiet hours or not."""
    return hazard is not None and (hazard.level or hazard.proposed_level) == "major"


def outside_audience(kind: str, audiences: dict[str, set[int]]) -> set[int]:
    """Of a hazard step's audiences (name → people), the people its route reaches outside the app."""
    route = BY_KIND.get(kind)
    if route is None:
        return set()
    return {user for name, users in audiences.items() if route.to is None or name in route.to for user in users}


def route_on(settings: alert_settings.Department, kind: str) -> bool:
    route = BY_KIND.get(kind)
    return route is not None and settings.routes.get(kind, route.outside)


def compose(kind: str, hazard: Hazard | None, locale: str | None = None) -> tuple[str, str]:
    """A message's title and body, in ``locale`` (the deployment's when None): only the kind,
    and for a hazard its enterprise, grid and deadline — nothing a third party should keep."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        if kind == "reported" and is_major(hazard):
            title = _("重大事故隐患待确认")
        else:
            title = str(NOTIFICATION_TEXT[kind])
            if is_major(hazard):
                title = _("【重大】%(title)s", title=title)
        if hazard is None:
            return title, ""
        parts = [hazard.enterprise.name, hazard.enterprise.grid.name]
        if kind in _WITH_DEADLINE and hazard.deadline:
            parts.append(_("整改期限 %(day)s", day=hazard.deadline.isoformat()))
        elif kind == "reported":
            at = clock.local(hazard.created_at or clock.now()).strftime("%Y-%m-%d %H:%M")
            parts.append(_("上报于 %(at)s", at=at))
        return title, " · ".join(parts)


def _digest_due(channel: str, target: str, kind: str, minutes: int, now: datetime) -> datetime:
    """When a message folded into ``target``'s digest may go: with the one already waiting, or
    ``minutes`` after the last digest sent (now when there was none lately)."""
    same = sa.and_(
        OutboundMessage.channel == channel,
        OutboundMessage.target == target,
        OutboundMessage.kind == kind,
        OutboundMessage.digest.is_(True),
    )
    waiting = db.session.scalar(
        sa.select(sa.func.min(OutboundMessage.due_at)).where(same, OutboundMessage.status == "pending")
    )
    if waiting is not None:
        return max(waiting, now)
    last = db.session.scalar(sa.select(sa.func.max(OutboundMessage.sent_at)).where(same))
    return max(now, last + timedelta(minutes=minutes)) if last is not None else now


def people(user_ids: Iterable[int], kind: str, key: str, hazard: Hazard | None = None, unit_id=None, link="") -> int:
    """Queue what ``kind`` tells these people for their own channels, in the caller's transaction.
    ``key`` is the in-app notification's (one message per person and channel however often the
    event is announced); ``unit_id``: the department it happens in (a hazard's own by default)."""
    channels = person_channels()
    user_ids = sorted(set(user_ids))
    if not channels or not user_ids or kind not in BY_KIND:
        return 0
    if hazard is not None:
        unit_id = hazard.enterprise.grid.org_unit_id
        link = f"/hazards/{hazard.id}"
    settings = alert_settings.department(unit_id)
    urgent = is_major(hazard)
    if not urgent and not route_on(settings, kind):
        return 0
    digest = kind == "reported" and not urgent
    now = clock.now()
    rows = db.session.execute(
        sa.select(User, AlertPreference)
        .outerjoin(AlertPreference, AlertPreference.user_id == User.id)
        .where(User.id.in_(user_ids), User.active.is_(True))
        .order_by(User.id)
    ).all()
    queued = 0
    for user, pref in rows:
        pref = pref or alert_settings.default_preference(user.id)
        title, body = compose(kind, hazard, user.locale)
        for channel, target in (("sms", pref.by_sms and user.mobile), ("email", pref.by_email and pref.email)):
            if channel not in channels or not target:
                continue
            due = _digest_due(channel, target, kind, settings.digest_minutes, now) if digest else now
            if not urgent:  # quiet hours as they stand when it would go, not only now
                due = alert_settings.quiet_until(pref, due) or due
            queued += bool(
                outbound.enqueue(
                    channel,
                    target,
                    kind,
                    title,
                    f"{key}:{user.id}:{channel}",
                    body,
                    _link(link),
                    due_at=due,
                    digest=digest,
                    org_unit_id=unit_id,
                )
            )
    return queued


def hazard_reported(hazard: Hazard) -> int:
    """A new hazard reaches its department's group robots: a proposed 重大 at once, a general one
    folded into the group's digest (unless the department switched that off)."""
    settings = alert_settings.department(sa.select(Grid.org_unit_id).where(Grid.id == hazard.grid_id).scalar_subquery())
    urgent = is_major(hazard)
    if not settings.robots() or (not urgent and not settings.group_general):
        return 0
    unit_id = hazard.enterprise.grid.org_unit_id
    title, body = compose("reported", hazard)
    target = f"unit:{settings.unit_id}" if settings.unit_id else "deployment"
    kind = "hazard_major" if urgent else "reported"
    now, queued = clock.now(), 0
    for channel in settings.robots():
        due = now if urgent else _digest_due(channel, target, kind, settings.digest_minutes, now)
        queued += bool(
            outbound.enqueue(
                channel,
                target,
                kind,
                title,
                f"hazard-{'major' if urgent else 'reported'}:{hazard.id}:{channel}",
                body,
                _link(f"/hazards/{hazard.id}"),
                due_at=due,
                digest=not urgent,
                org_unit_id=unit_id,
            )
        )
    return queued
