"""What the public and social supervisors send (a clue), and each step of handling it (seed 001
art. 18: answered within the time the district set)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models.clues import CLUE_KINDS
from fieldapp.schemas.commands import Coordinate, Ident, text

PHONE_RE = re.compile(r"^[0-9+\-() ]{7,20}$")


def _phone(value: str) -> None:
    if value and not PHONE_RE.match(value):
        raise ValidationError(str(_l("电话号码格式不正确；可以不填。")))


@dataclass(frozen=True)
class ClueReport:
    """A clue as sent; its department is the grid's when sent from a grid's QR code."""

    kind: str
    content: str
    place: str = ""
    enterprise_name: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    org_unit_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None


class ClueReportSchema(Schema):
    """The clue form (the public's and a social supervisor's). Which department exists, and how
    many photos a clue may carry, are the service's to say."""

    kind = fields.Str(
        required=True,
        validate=validate.OneOf(CLUE_KINDS, error=_l("请选择类别。")),
        error_messages={"required": _l("请选择类别。")},
    )
    content = text(
        2000,
        _l("请写明您反映的情况。"),
        also=(validate.Length(min=10, error=_l("请写得具体一些（至少 10 个字），便于核实。")),),
    )
    place = text(200)
    enterprise_name = text(200)
    contact_name = text(64)
    contact_phone = text(32, also=(_phone,))
    org_unit_id = Ident()
    latitude = Coordinate(90)
    longitude = Coordinate(180)

    class Meta:
        unknown = EXCLUDE

    @post_load
    def command(self, data: dict, **_kwargs) -> ClueReport:
        return ClueReport(**data)


#: What each handling step must say (None: a note may be left out).
NOTE_REQUIRED = {
    "answer": _l("请填写答复内容。"),
    "dismiss": _l("请写明不予受理的理由。"),
    "note": _l("请填写办理情况。"),
}


@dataclass(frozen=True)
class ClueStep:
    """One handling step: its note, and whom or what it names (an officer to handle it, the
    enterprise to visit and the inspector to send)."""

    note: str = ""
    assignee_id: int | None = None
    enterprise_id: int | None = None
    inspector_id: int | None = None


class ClueStepSchema(Schema):
    """A handling step's form; ``action`` says which note is required."""

    note = text(4000)
    assignee_id = Ident()
    enterprise_id = Ident()
    inspector_id = Ident()

    class Meta:
        unknown = EXCLUDE

    def __init__(self, action: str, **kwargs):
        super().__init__(**kwargs)
        self.action = action

    @validates_schema
    def says_what_the_step_needs(self, data: dict, **_kwargs) -> None:
        required = NOTE_REQUIRED.get(self.action)
        if required is not None and not data.get("note"):
            raise ValidationError(str(required), field_name="note")

    @post_load
    def command(self, data: dict, **_kwargs) -> ClueStep:
        return ClueStep(**data)
