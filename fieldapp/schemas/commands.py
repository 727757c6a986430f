"""Commands: what a person asks a service to do, read from a form or a JSON body by one schema and
handed to the service as one typed value.

A command's rules on its values (required, lengths, choices) are its schema's, in the user's
language: the page's form and the phone's sync API load the same fields, and the service checks a
command built in code against the same schema (``check``). What needs the database (this record's
photos, its checklist items) stays the service's. ``load`` turns marshmallow's ``ValidationError``
into the ``InputError`` every view and the API already answer with (each field's first message).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from fieldapp import clock
from fieldapp.errors import InputError
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models.hazards import HAZARD_LEVELS
from fieldapp.schemas import ClientUUID, InputSchema

TOO_LONG = _l("不能超过 {max} 个字。")


def _messages(messages: dict) -> dict[str, str]:
    """marshmallow's messages (lists, nested dicts) as one message per field."""
    out = {}
    for key, value in messages.items():
        while isinstance(value, (list, dict)) and value:
            value = value[0] if isinstance(value, list) else next(iter(value.values()))
        out[str(key)] = str(value)
    return out


def load(schema: Schema, data: Any) -> Any:
    """The command ``schema`` reads from ``data`` (a form's values, a JSON body), or InputError."""
    try:
        return schema.load(data)
    except ValidationError as error:
        raise InputError(_messages(error.messages)) from None


def check(schema: Schema, command: Any) -> None:
    """Hold a command built in code to its schema's rules (InputError, field by field)."""
    problems = schema.validate({k: v for k, v in asdict(command).items() if k in schema.fields})
    if problems:
        raise InputError(_messages(problems))


class Text(fields.Str):
    """Text as typed, without the spaces around it."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


class Day(fields.Field):
    """A date as a form sends it (2026-12-06), or a date given in code."""

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise self.make_error("invalid") from None


def _filled(message):
    def check_filled(value: str) -> None:
        if not value.strip():
            raise ValidationError(str(message))

    return check_filled


# --- a hazard found on site ---------------------------------------------------------------


@dataclass(frozen=True)
class HazardReport:
    """An inspector reports a hazard found during an inspection (seed 002 art. 8(3))."""

    description: str
    place: str = ""
    level: str = "general"  # the level the inspector proposes; an officer decides
    legal_basis: str = ""
    photo_link_ids: tuple[int, ...] = ()  # the record's photos that are its evidence (≥ 1)
    item_result_id: int | None = None  # the checklist item it was found under
    client_uuid: str | None = None  # the phone's or the form's identity for it: sent twice, stored once


class FindingSchema(InputSchema):
    """What a hazard report says, the same from the page's form and from the phone's sync."""

    description = fields.Str(
        required=True,
        validate=[_filled(_l("请描述隐患情况。")), validate.Length(max=4000, error=TOO_LONG)],
        error_messages={"required": _l("请描述隐患情况。")},
    )
    place = fields.Str(load_default="", validate=validate.Length(max=200, error=TOO_LONG))
    level = fields.Str(
        required=True,
        validate=validate.OneOf(HAZARD_LEVELS, error=_l("请选择隐患等级建议：一般或重大。")),
        error_messages={"required": _l("请选择隐患等级建议：一般或重大。")},
    )
    legal_basis = fields.Str(load_default="", validate=validate.Length(max=2000, error=TOO_LONG))


class HazardReportFormSchema(FindingSchema):
    """The report page's form (its other fields — the CSRF token, uploads — are not the command's)."""

    photo_link_ids = fields.List(fields.Int(), load_default=list)
    item_result_id = fields.Int(allow_none=True, load_default=None)
    client_uuid = ClientUUID(allow_none=True, load_default=None)

    class Meta:
        unknown = EXCLUDE

    @post_load
    def command(self, data: dict, **_kwargs) -> HazardReport:
        return HazardReport(
            **{
                **data,
                "photo_link_ids": tuple(data["photo_link_ids"]),
                "client_uuid": str(data["client_uuid"]) if data["client_uuid"] else None,
            }
        )


# --- an officer's decision on a reported hazard --------------------------------------------------

#: A major hazard's stop-work order and emergency measures (seed 002 art. 8(2)): what each holds.
STOP_WORK_LIMITS = {"stop_scope": 2000, "workers_withdrawn": 2000, "emergency_measures": 2000, "order_number": 64}


@dataclass(frozen=True)
class HazardDecision:
    """An enforcement officer confirms a reported hazard: its level, the rectification deadline and
    requirements, the basis, and for a major hazard the stop-work order (seed 002 art. 8)."""

    level: str
    deadline: date
    required_measures: str
    decision_basis: str = ""
    note: str = ""
    stop_scope: str = ""
    workers_withdrawn: str = ""
    emergency_measures: str = ""
    order_number: str = ""

    def stop_work_order(self) -> dict[str, str]:
        """The order's fields (a major hazard's), or none."""
        return {key: getattr(self, key) for key in STOP_WORK_LIMITS} if self.level == "major" else {}


def _within_a_year(day: date) -> None:
    today = clock.today()
    if day < today:
        raise ValidationError(str(_l("整改期限不能早于今天。")))
    if day > today + timedelta(days=366):
        raise ValidationError(str(_l("整改期限不能超过一年。")))


class HazardDecisionSchema(Schema):
    """The confirm form (its other fields — the CSRF token, the version seen — are not the command's)."""

    level = fields.Str(
        required=True,
        validate=validate.OneOf(HAZARD_LEVELS, error=_l("请选择认定等级：一般隐患或重大事故隐患。")),
        error_messages={"required": _l("请选择认定等级：一般隐患或重大事故隐患。")},
    )
    deadline = Day(
        required=True,
        validate=_within_a_year,
        error_messages={"required": _l("请填写整改期限（日期）。"), "invalid": _l("请填写整改期限（日期）。")},
    )
    required_measures = Text(
        required=True,
        validate=[_filled(_l("请写明整改要求。")), validate.Length(max=4000, error=TOO_LONG)],
        error_messages={"required": _l("请写明整改要求。")},
    )
    decision_basis = Text(load_default="", validate=validate.Length(max=2000, error=TOO_LONG))
    note = Text(load_default="")
    stop_scope = Text(load_default="", validate=validate.Length(max=2000, error=TOO_LONG))
    workers_withdrawn = Text(load_default="", validate=validate.Length(max=2000, error=TOO_LONG))
    emergency_measures = Text(load_default="", validate=validate.Length(max=2000, error=TOO_LONG))
    order_number = Text(load_default="", validate=validate.Length(max=64, error=TOO_LONG))

    class Meta:
        unknown = EXCLUDE

    @validates_schema
    def stop_work_when_major(self, data: dict, **_kwargs) -> None:
        if data.get("level") == "major":
            missing = {key: [str(_l("确认重大事故隐患须填写此项。"))] for key in STOP_WORK_LIMITS if not data.get(key)}
            if missing:
                raise ValidationError(missing)

    @post_load
    def command(self, data: dict, **_kwargs) -> HazardDecision:
        return HazardDecision(**data)
