"""Who wants to hear how outside the app (issue 35).

A person: SMS to the account's mobile (on unless they turn it off), email to an address they give,
quiet hours during which what is not 重大 waits. A department: its WeCom and DingTalk group robots,
how often general hazards are folded into a digest, and which routes of services/announce.py its
people hear outside the app. A department's settings apply to its whole subtree unless a unit
below has its own; without any, the deployment's settings (WECOM_WEBHOOK, …) and ROUTES' defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from fieldapp import clock, policy
from fieldapp.db import commit, db, transaction
from fieldapp.errors import Forbidden
from fieldapp.i18n import gettext as _
from fieldapp.models import AlertPreference, DepartmentAlerts, OrgUnit, User
from fieldapp.schemas import commands
from fieldapp.schemas.commands.alerts import AlertPreferenceSchema, DepartmentAlertsSchema

DEFAULT_DIGEST_MINUTES = 30


# --- a person ----------------------------------------------------------------------------------


def default_preference(user_id: int) -> AlertPreference:
    """What a person who never chose hears by (not stored): SMS to the account's mobile."""
    return AlertPreference(user_id=user_id, by_sms=True, by_email=False, email="")


def preference(user: User) -> AlertPreference:
    """The person's choice, or the default when they never made one."""
    return db.session.get(AlertPreference, user.id) or default_preference(user.id)


@transaction
def save_preference(user: User, values: Mapping) -> AlertPreference:
    said = commands.read(AlertPreferenceSchema(), values)
    row = db.session.get(AlertPreference, user.id) or AlertPreference(user_id=user.id)
    for name, value in said.items():
        setattr(row, name, value)
    db.session.add(row)
    commit()
    return row


def quiet_until(pref: AlertPreference, at: datetime) -> datetime | None:
    """When the person's quiet hours end, if ``at`` falls within them (a window may span midnight)."""
    start, end = pref.quiet_start, pref.quiet_end
    if start is None or end is None or start == end:
        return None
    local = clock.local(at)
    minute = local.hour * 60 + local.minute
    inside = start <= minute < end if start < end else minute >= start or minute < end
    if not inside:
        return None
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    ends = midnight + timedelta(minutes=end)
    if ends <= local:
        ends += timedelta(days=1)
    return ends.astimezone(at.tzinfo)


# --- a department ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Department:
    """The settings that apply to a unit: its own or the nearest ancestor's (``unit_id`` says
    whose, None: the deployment's)."""

    unit_id: int | None
    wecom_webhook: str
    dingtalk_webhook: str
    dingtalk_secret: str
    digest_minutes: int
    routes: dict
    group_general: bool

    def robots(self) -> list[str]:
        return [name for name, url in (("wecom", self.wecom_webhook), ("dingtalk", self.dingtalk_webhook)) if url]


def _deployment() -> Department:
    config = current_app.config
    return Department(
        None,
        config.get("WECOM_WEBHOOK", ""),
        config.get("DINGTALK_WEBHOOK", ""),
        config.get("DINGTALK_SECRET", ""),
        DEFAULT_DIGEST_MINUTES,
        {},
        True,
    )


def _own(row: DepartmentAlerts) -> Department:
    routes = dict(row.routes or {})
    return Department(
        row.org_unit_id,
        row.wecom_webhook,
        row.dingtalk_webhook,
        row.dingtalk_secret,
        row.digest_minutes,
        routes,
        routes.pop("group_general", True),
    )


def department(unit_id) -> Department:
    """The settings for what happens in ``unit_id`` (an id, or a scalar subquery giving one): the
    nearest unit up its path with its own — one query, asked with every report."""
    if unit_id is None:
        return _deployment()
    path = sa.select(OrgUnit.path).where(OrgUnit.id == unit_id).scalar_subquery()
    with db.session.no_autoflush:  # settings and units: nothing the caller's pending rows change
        nearest = db.session.scalar(
            sa.select(DepartmentAlerts)
            .join(OrgUnit, OrgUnit.id == DepartmentAlerts.org_unit_id)
            .where(path.startswith(OrgUnit.path, autoescape=False))
            .order_by(sa.func.length(OrgUnit.path).desc())
            .limit(1)
        )
    return _own(nearest) if nearest is not None else _deployment()


def channel_config(unit_id: int | None, config: Mapping) -> dict:
    """The settings a robot message for ``unit_id``'s group is sent with (its own webhooks)."""
    settings = department(unit_id)
    return {
        **config,
        "WECOM_WEBHOOK": settings.wecom_webhook,
        "DINGTALK_WEBHOOK": settings.dingtalk_webhook,
        "DINGTALK_SECRET": settings.dingtalk_secret,
    }


def _may_set(user: User, unit_id: int) -> OrgUnit:
    unit = db.session.scalar(policy.org_unit_scope(user).where(OrgUnit.id == unit_id))
    if unit is None:
        raise Forbidden(_("只能设置您管理的部门。"))
    return unit


@transaction
def save_department(user: User, unit_id: int, values: Mapping, route_kinds: Mapping[str, bool]) -> DepartmentAlerts:
    """An admin's settings for one department of their subtree. A webhook or secret left blank
    keeps the saved one (they are never shown again); 清除 removes a robot. ``route_kinds``: each
    route's default, against which the form's ``route_<kind>`` boxes are stored."""
    _may_set(user, unit_id)
    said = commands.read(DepartmentAlertsSchema(), values)
    row = db.session.get(DepartmentAlerts, unit_id) or DepartmentAlerts(
        org_unit_id=unit_id, wecom_webhook="", dingtalk_webhook="", dingtalk_secret=""
    )
    if said["clear_wecom"]:
        row.wecom_webhook = ""
    elif said["wecom_webhook"]:
        row.wecom_webhook = said["wecom_webhook"]
    if said["clear_dingtalk"]:
        row.dingtalk_webhook = row.dingtalk_secret = ""
    else:
        row.dingtalk_webhook = said["dingtalk_webhook"] or row.dingtalk_webhook
        row.dingtalk_secret = said["dingtalk_secret"] or row.dingtalk_secret
    row.digest_minutes = said["digest_minutes"]
    routes = {kind: values.get(f"route_{kind}") == "1" for kind in route_kinds}
    row.routes = {
        **{kind: on for kind, on in routes.items() if on != route_kinds[kind]},
        "group_general": said["group_general"],
    }
    db.session.add(row)
    commit()
    return row
