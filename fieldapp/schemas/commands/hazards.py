"""The hazard loop's commands: what an inspector reports, and each step an officer, a company or
an inspector takes on it (seed 002 art. 8), each read by one schema from the page's form or the
phone's sync."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from fieldapp import clock
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models.hazards import HAZARD_LEVELS
from fieldapp.schemas import ClientUUID, InputSchema
from fieldapp.schemas.commands import TOO_LONG, Ident, Ids, Text, day, filled, text

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
        validate=[filled(_l("请描述隐患情况。")), validate.Length(max=4000, error=TOO_LONG)],
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

    photo_link_ids = Ids()
    item_result_id = Ident()
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


class _OrdersStopWork:
    """A command that, for a major hazard, carries the stop-work order's fields."""

    level: str

    def stop_work_order(self) -> dict[str, str]:
        """The order's fields (a major hazard's), or none."""
        return {key: getattr(self, key) for key in STOP_WORK_LIMITS} if self.level == "major" else {}


def _missing_order(data: dict) -> dict[str, list[str]]:
    return {key: [str(ORDER_NEEDED)] for key in STOP_WORK_LIMITS if not data.get(key)}


ORDER_NEEDED = _l("确认重大事故隐患须填写此项。")
LEVEL_CHOICE = _l("请选择认定等级：一般隐患或重大事故隐患。")


def _level() -> fields.Str:
    return fields.Str(
        required=True,
        validate=validate.OneOf(HAZARD_LEVELS, error=LEVEL_CHOICE),
        error_messages={"required": LEVEL_CHOICE},
    )


@dataclass(frozen=True)
class HazardDecision(_OrdersStopWork):
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


def _within_a_year(day: date) -> None:
    today = clock.today()
    if day < today:
        raise ValidationError(str(_l("整改期限不能早于今天。")))
    if day > today + timedelta(days=366):
        raise ValidationError(str(_l("整改期限不能超过一年。")))


class StopWorkOrderSchema(Schema):
    """The stop-work order's fields, on the forms that may order it."""

    stop_scope = text(STOP_WORK_LIMITS["stop_scope"])
    workers_withdrawn = text(STOP_WORK_LIMITS["workers_withdrawn"])
    emergency_measures = text(STOP_WORK_LIMITS["emergency_measures"])
    order_number = text(STOP_WORK_LIMITS["order_number"])


class HazardDecisionSchema(StopWorkOrderSchema):
    """The confirm form (its other fields — the CSRF token, the version seen — are not the command's)."""

    level = _level()
    deadline = day(_l("请填写整改期限（日期）。"), invalid=_l("请填写整改期限（日期）。"), validate=_within_a_year)
    required_measures = text(4000, _l("请写明整改要求。"))
    decision_basis = text(2000)
    note = Text(load_default="")

    class Meta:
        unknown = EXCLUDE

    @validates_schema
    def stop_work_when_major(self, data: dict, **_kwargs) -> None:
        if data.get("level") == "major" and _missing_order(data):
            raise ValidationError(_missing_order(data))

    @post_load
    def command(self, data: dict, **_kwargs) -> HazardDecision:
        return HazardDecision(**data)


# --- the steps after the decision -----------------------------------------------------------------


class RejectionSchema(Schema):
    """An officer finds the report unfounded (不予确认), and says why."""

    reason = text(2000, _l("不予确认须写明理由。"))


@dataclass(frozen=True)
class Regrade(_OrdersStopWork):
    """An officer changes a confirmed hazard's level, with the reason; raising it to major orders
    the stop-work (unless one was ordered already)."""

    level: str
    note: str
    stop_scope: str = ""
    workers_withdrawn: str = ""
    emergency_measures: str = ""
    order_number: str = ""


class RegradeSchema(StopWorkOrderSchema):
    """The regrade form, judged against the hazard as it stands: ``current_level`` (a regrade must
    change it) and ``ordered`` (whether stop-work was ordered already)."""

    level = _level()
    note = text(2000, _l("调整等级须写明理由。"))

    class Meta:
        unknown = EXCLUDE

    def __init__(self, current_level: str | None = None, ordered: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.current_level, self.ordered = current_level, ordered

    @validates_schema(skip_on_field_errors=False)
    def changes_the_level(self, data: dict, **_kwargs) -> None:
        problems = {}
        if data.get("level") is not None and data["level"] == self.current_level:
            problems["level"] = [str(_l("等级没有变化。"))]
        if data.get("level") == "major" and not self.ordered:
            problems.update(_missing_order(data))
        if problems:
            raise ValidationError(problems)

    @post_load
    def command(self, data: dict, **_kwargs) -> Regrade:
        return Regrade(**data)


class ProgressSchema(Schema):
    """A company reports how far the rectification has come."""

    note = text(4000, _l("请填写整改进展。"))


class RectificationSchema(Schema):
    """A company says what it did (its photos and documents are the service's to check)."""

    description = text(4000, _l("请说明整改情况。"))


@dataclass(frozen=True)
class RecheckReport:
    """What an inspector records at the on-site re-check (复查) besides its photos: a note (the
    reason, when it failed), the new deadline when it failed, where the phone was."""

    note: str = ""
    deadline: date | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None

    def position(self) -> dict:
        if self.latitude is None:
            return {}
        return {"latitude": self.latitude, "longitude": self.longitude, "accuracy_m": self.accuracy_m}


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _position(data: dict) -> dict[str, float | None]:
    """The position a form or a phone sent: all three numbers, or none of them; ValueError."""
    if _blank(data.get("latitude")) and _blank(data.get("longitude")):
        return {"latitude": None, "longitude": None, "accuracy_m": None}
    lat, lng = float(data["latitude"]), float(data["longitude"])
    acc = None if _blank(data.get("accuracy_m")) else float(data["accuracy_m"])
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValueError(lat, lng)
    return {"latitude": lat, "longitude": lng, "accuracy_m": acc}


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value).strip())


class RecheckSchema(Schema):
    """The re-check form (one form, two buttons: ``passed`` says which was pressed). A failed
    re-check needs its reason and a new deadline; a passed one ignores the deadline field."""

    note = text(4000)
    deadline = fields.Raw(load_default=None)
    latitude = fields.Raw(load_default=None)
    longitude = fields.Raw(load_default=None)
    accuracy_m = fields.Raw(load_default=None)

    class Meta:
        unknown = EXCLUDE

    def __init__(self, passed: bool, **kwargs):
        super().__init__(**kwargs)
        self.passed = passed

    @validates_schema(skip_on_field_errors=False)
    def complete(self, data: dict, **_kwargs) -> None:
        problems = {}
        if not self.passed:
            if not data.get("note"):
                problems["note"] = [str(_l("复查不通过须写明原因。"))]
            try:
                _within_a_year(_day(data.get("deadline")))
            except (ValueError, TypeError):
                problems["deadline"] = [str(_l("请填写整改期限（日期）。"))]
            except ValidationError as refused:
                problems["deadline"] = refused.messages
        try:
            _position(data)
        except (ValueError, TypeError, KeyError):
            problems["position"] = [str(_l("定位数据无效，请重新获取位置。"))]
        if problems:
            raise ValidationError(problems)

    @post_load
    def command(self, data: dict, **_kwargs) -> RecheckReport:
        deadline = None if self.passed else _day(data["deadline"])
        return RecheckReport(note=data.get("note", ""), deadline=deadline, **_position(data))
