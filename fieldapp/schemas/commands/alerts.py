"""How a person hears of what concerns them outside the app (their account page), and what a
department's people and groups hear (its admin's page). Which routes exist, and which department an
admin may set, stay the services' (services/announce.py, services/alert_settings.py)."""

from __future__ import annotations

import re

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from fieldapp.i18n import lazy_gettext as _l
from fieldapp.schemas.commands import Checkbox, Form, text

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def minutes(clock_text: str) -> int | None:
    """ "22:30" → 1350; blank → None; ValueError when it is not a time of day."""
    if not clock_text:
        return None
    match = _CLOCK.match(clock_text)
    if not match:
        raise ValueError(clock_text)
    return int(match[1]) * 60 + int(match[2])


class AlertPreferenceSchema(Form):
    """A person's channels and quiet hours: both ends of the quiet hours, or neither."""

    by_sms = Checkbox()
    by_email = Checkbox()
    email = text(254)
    quiet_start = text(5)
    quiet_end = text(5)

    @validates_schema(skip_on_field_errors=True)
    def consistent(self, data: dict, **_kwargs) -> None:
        problems = {}
        if data["email"] and not _EMAIL.match(data["email"]):
            problems["email"] = [str(_l("邮箱地址格式不正确。"))]
        elif data["by_email"] and not data["email"]:
            problems["email"] = [str(_l("请填写邮箱地址，或不勾选邮件。"))]
        for end in ("quiet_start", "quiet_end"):
            try:
                minutes(data[end])
            except ValueError:
                problems[end] = [str(_l("请按 22:00 的格式填写时间。"))]
        if not {"quiet_start", "quiet_end"} & problems.keys() and bool(data["quiet_start"]) != bool(data["quiet_end"]):
            blank = "quiet_end" if data["quiet_start"] else "quiet_start"
            problems[blank] = [str(_l("请填写免打扰的开始和结束时间。"))]
        if problems:
            raise ValidationError(problems)

    @post_load
    def command(self, data: dict, **_kwargs) -> dict:
        data["quiet_start"], data["quiet_end"] = minutes(data["quiet_start"]), minutes(data["quiet_end"])
        if data["quiet_start"] == data["quiet_end"]:
            data["quiet_start"] = data["quiet_end"] = None
        return data


def _webhook(value: str) -> None:
    if value and not value.startswith(("https://", "http://")):
        raise ValidationError(str(_l("请粘贴机器人的完整 Webhook 地址（以 https:// 开头）。")))


class DepartmentAlertsSchema(Form):
    """A department's robots (blank keeps what is saved; 清除 removes it), digest interval and the
    route switches (``route_<kind>`` check boxes, read by the service against its table)."""

    wecom_webhook = text(500, also=(_webhook,))
    dingtalk_webhook = text(500, also=(_webhook,))
    dingtalk_secret = text(200)
    clear_wecom = Checkbox()
    clear_dingtalk = Checkbox()
    digest_minutes = fields.Integer(
        required=True,
        strict=False,
        validate=validate.Range(min=5, max=1440, error=_l("请填写 5 到 1440 之间的分钟数。")),
        error_messages={
            "required": _l("请填写 5 到 1440 之间的分钟数。"),
            "invalid": _l("请填写 5 到 1440 之间的分钟数。"),
            "null": _l("请填写 5 到 1440 之间的分钟数。"),
        },
    )
    group_general = Checkbox()
