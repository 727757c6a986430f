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

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from fieldapp import fields as values
from fieldapp.errors import InputError
from fieldapp.i18n import lazy_gettext as _l

TOO_LONG = _l("不能超过 {max} 个字。")


def messages(messages: dict) -> dict[str, str]:
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
        raise InputError(messages(error.messages)) from None


def check(schema: Schema, command: Any) -> None:
    """Hold a command built in code to its schema's rules (InputError, field by field)."""
    problems = schema.validate({k: v for k, v in asdict(command).items() if k in schema.fields})
    if problems:
        raise InputError(messages(problems))


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


def readable_part(schema: Schema, given: Mapping) -> dict[str, Any]:
    """The fields of a refused form that could be read (each typed, or its default), for a service
    that checks them against the database all the same, so that the form says everything at once."""
    try:
        loaded = schema.load(given)
    except ValidationError as refused:
        return dict(refused.valid_data or {})
    return asdict(loaded) if is_dataclass(loaded) else dict(loaded)


def given_value(given: Any, key: str) -> Any:
    """One value of a form's values or of a command, as given (for a service that checks it
    against the database even when the rest of the form was refused)."""
    return given.get(key) if isinstance(given, Mapping) else getattr(given, key, None)


class Form(Schema):
    """A page's form: its other fields (the CSRF token, the version seen, the buttons) are not the
    command's."""

    class Meta:
        unknown = EXCLUDE


class Checkbox(fields.Field):
    """A check box: ticked when the form sends "1"."""

    def __init__(self, **kwargs):
        super().__init__(load_default=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        return value is True or value == "1"


class Text(fields.Str):
    """Text as typed, without the spaces around it."""

    default_error_messages = {"invalid": _l("须为文字。"), "null": _l("须为文字。")}

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


class Day(fields.Field):
    """A date as a form sends it (2026-12-06), or a date given in code; a blank field is no date
    (None), which ``day(required=…)`` refuses with its message."""

    default_error_messages = {"invalid": _l("日期格式不正确。")}

    def _deserialize(self, value, attr, data, **kwargs) -> date | None:
        if isinstance(value, date):
            return value
        if not str(value).strip():
            return None
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise self.make_error("invalid") from None


def day(required=None, invalid=None, validate=()) -> Day:
    """A date field; ``required`` is the message when it is left blank (else blank is None),
    ``invalid`` when it is not a date; ``validate`` judges a date that was given."""
    wording = {"invalid": invalid} if invalid else {}
    checks = [_given_date(check) for check in (validate if isinstance(validate, (list, tuple)) else [validate])]
    if required is None:
        return Day(load_default=None, allow_none=True, validate=checks, error_messages=wording)
    return Day(
        required=True,
        allow_none=True,
        validate=[_present(required), *checks],
        error_messages={**wording, "required": required},
    )


def _given_date(check):
    def when_given(value) -> None:
        if value is not None:
            check(value)

    return when_given


def _present(message):
    def check_present(value) -> None:
        if value is None:
            raise ValidationError(str(message))

    return check_present


def choice(options, message, **kwargs) -> fields.Str:
    """One of ``options`` (a form's select or radio buttons); ``message`` when it is not."""
    return fields.Str(
        required=True,
        validate=validate.OneOf(list(options), error=message),
        error_messages={"required": message, "null": message, "invalid": message},
        **kwargs,
    )


class Ident(fields.Field):
    """A row's id as a form posts it: anything that cannot be one is None, which the service
    answers like an id it does not know ("choose one of …"), without asking the database."""

    def __init__(self, **kwargs):
        super().__init__(load_default=None, allow_none=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> int | None:
        return values.ident(value)


class Ids(fields.Field):
    """The ids ticked in a list of check boxes (or given in code); one that is not a number is
    refused. Which of them one may choose is the service's to say, in the user's terms."""

    INVALID = _l("选项无效，请重新选择。")

    def __init__(self, **kwargs):
        super().__init__(load_default=list, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> list[int]:
        ticked = [str(x).strip() for x in (value if isinstance(value, (list, tuple)) else [value])]
        if not all(x.isascii() and x.isdecimal() and len(x) <= 12 for x in ticked):
            raise ValidationError(str(self.INVALID))
        return [int(x) for x in ticked]


class Coordinate(fields.Field):
    """A latitude (``bound`` 90) or longitude (180) the browser filled in on its own: a number
    within the bound, else None (nobody typed it, so nobody is told)."""

    def __init__(self, bound: float, **kwargs):
        super().__init__(load_default=None, allow_none=True, **kwargs)
        self.bound = bound

    def _deserialize(self, value, attr, data, **kwargs) -> float | None:
        try:
            number = float(value if value not in (None, "") else "")
        except (TypeError, ValueError):
            return None
        return number if -self.bound <= number <= self.bound else None


def filled(message):
    """A validator: the text is more than spaces (``message`` otherwise)."""

    def check_filled(value: str) -> None:
        if not value.strip():
            raise ValidationError(str(message))

    return check_filled


def within(limit: int) -> validate.Length:
    """A validator: at most ``limit`` characters, said the way every form says it."""
    return validate.Length(max=limit, error=TOO_LONG)


def text(limit: int, required=None, also: tuple = (), **kwargs) -> Text:
    """A text field of at most ``limit`` characters, trimmed; ``required`` is the message when it
    is missing or blank (else it may be left out, read as ""); ``also``: more validators."""
    checks = [within(limit), *also]
    if required is None:
        return Text(load_default="", validate=checks, **kwargs)
    return Text(required=True, validate=[filled(required), *checks], error_messages={"required": required}, **kwargs)
