"""The record of a leader's interference in enforcement (seed 004), what its recorder adds later,
and the discipline inspectors' handling of it. Which hazard a record may name (one in the
recorder's scope) and who may add to it stay the service's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from marshmallow import ValidationError, fields, post_load

from fieldapp import clock
from fieldapp import fields as values
from fieldapp.clock import SHANGHAI
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models.interference import FOLLOW_UP_STATES, INTERFERENCE_CONDUCT, INTERFERENCE_MANNER
from fieldapp.schemas.commands import Form, choice, text

UNKNOWN_HAZARD = _l("找不到该隐患编号，或不在您的范围内。")


class LocalMoment(fields.Field):
    """A ``datetime-local`` value typed in China time, as an aware time; one given in code as it is."""

    default_error_messages = {"invalid": _l("请填写发生的时间。")}

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
        try:
            return datetime.fromisoformat(str(value).strip()).replace(tzinfo=SHANGHAI)
        except ValueError:
            raise self.make_error("invalid") from None


def _plausible(moment: datetime) -> None:
    if moment > clock.now() + timedelta(minutes=5):
        raise ValidationError(str(_l("发生时间不能晚于现在。")))
    if moment < clock.now() - timedelta(days=3650):
        raise ValidationError(str(_l("发生时间不能早于十年前。")))


class HazardNumber(fields.Field):
    """A hazard's number as a person types it (#12 or 12); blank names none."""

    default_error_messages = {"invalid": UNKNOWN_HAZARD}

    def __init__(self, **kwargs):
        super().__init__(load_default=None, allow_none=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> int | None:
        raw = str(value).strip().lstrip("#")
        if not raw:
            return None
        number = values.ident(raw)
        if number is None:
            raise self.make_error("invalid")
        return number


@dataclass(frozen=True)
class Interference:
    """Who interfered, how, when, what they asked for, and the case it touched."""

    leader_name: str
    leader_position: str
    leader_unit: str
    manner: str
    conduct: str
    occurred_at: datetime
    request: str
    case_ref: str = ""
    hazard_id: int | None = None


class InterferenceSchema(Form):
    leader_name = text(64, _l("请填写领导干部的姓名。"))
    leader_position = text(100, _l("请填写其职务。"))
    leader_unit = text(100, _l("请填写其所在单位。"))
    manner = choice(INTERFERENCE_MANNER, _l("请选择干预的方式。"))
    conduct = choice(INTERFERENCE_CONDUCT, _l("请选择干预的情形（《办法》第八条）。"))
    occurred_at = LocalMoment(required=True, validate=_plausible, error_messages={"required": _l("请填写发生的时间。")})
    request = text(4000, _l("请写明对方提出的要求或具体做法。"))
    case_ref = text(200)
    hazard_id = HazardNumber()

    @post_load
    def command(self, data: dict, **_kwargs) -> Interference:
        return Interference(**data)


class SupplementSchema(Form):
    """Later facts the recorder appends (the record itself never changes)."""

    text = text(4000, _l("请填写补充的内容。"))


class FollowUpSchema(Form):
    """A discipline inspector's step: the state it reached, and a note."""

    state = choice(FOLLOW_UP_STATES, _l("请选择处理状态。"))
    note = text(4000)
