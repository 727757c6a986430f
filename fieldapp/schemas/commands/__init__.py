"""Commands: what a person asks a service to do, read from a form or a JSON body by one schema and
handed to the service as one typed value.

A command's rules on its values (required, lengths, choices) are its schema's, in the user's
language: the page's form and the phone's sync API load the same fields, and the service checks a
command built in code against the same schema (``check``). What needs the database (this record's
photos, its checklist items) stays the service's. ``load`` turns marshmallow's ``ValidationError``
into the ``InputError`` every view and the API already answer with (each field's first message).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from fieldapp.errors import InputError
from fieldapp.i18n import lazy_gettext as _l

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


def read(schema: Schema, given: Any) -> Any:
    """The command in ``given``: a form's values (a mapping) loaded by ``schema``, or a command
    built in code, held to the same rules. Services call it after their permission check, so
    that someone who may not act at all is told so, not what was wrong with the form."""
    if isinstance(given, Mapping):
        return load(schema, given)
    if not is_dataclass(given):
        raise TypeError(f"not a command: {given!r}")
    check(schema, given)
    return given


def problems(schema: Schema, given: Any) -> tuple[Any, dict[str, str]]:
    """``read``, for a service that adds its own findings (a missing photo) to the form's:
    (the command or None, each field's message)."""
    try:
        return read(schema, given), {}
    except InputError as refused:
        return None, dict(refused.errors)


class Text(fields.Str):
    """Text as typed, without the spaces around it."""

    default_error_messages = {"invalid": _l("须为文字。"), "null": _l("须为文字。")}

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


def filled(message):
    """A validator: the text is more than spaces (``message`` otherwise)."""

    def check_filled(value: str) -> None:
        if not value.strip():
            raise ValidationError(str(message))

    return check_filled


def within(limit: int) -> validate.Length:
    """A validator: at most ``limit`` characters, said the way every form says it."""
    return validate.Length(max=limit, error=TOO_LONG)


def text(limit: int, required=None, **kwargs) -> Text:
    """A text field of at most ``limit`` characters, trimmed; ``required`` is the message when it
    is missing or blank (else it may be left out, read as "")."""
    checks = [within(limit)]
    if required is None:
        return Text(load_default="", validate=checks, **kwargs)
    return Text(required=True, validate=[filled(required), *checks], error_messages={"required": required}, **kwargs)
