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
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

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
