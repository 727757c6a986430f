"""The inspectors' own paperwork: the declaration of interests behind recusal (seed 001 art. 21),
the record the department keeps of each inspector, training and its attendance, equipment, leave
(seed 003). Each form is read by its schema; who may file it, and what the database must agree
to (a department one manages, a person in one's scope, no overlapping leave), stay the service's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from marshmallow import ValidationError, fields, post_load, pre_load, validates_schema

from fieldapp.i18n import gettext as _
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models.corps import (
    CONTRACT_TYPES,
    CORPS_STATUSES,
    EQUIPMENT_ITEMS,
    INSPECTOR_KINDS,
    LEAVE_KINDS,
    TRAINING_KINDS,
)
from fieldapp.policy.recusal import KIND_LABELS as DECLARATION_KINDS
from fieldapp.schemas.commands import Checkbox, Form, Ident, choice, day, text
from fieldapp.services import uscc

#: A part-time technical inspector is appointed for this many years at a time (seed 003 art. 9).
PART_TIME_TERM_YEARS = 3


def _blank_given(data: dict, key: str) -> bool:
    """Left blank (a field that failed its own checks is not in ``data``: it has its message)."""
    return key in data and data[key] in ("", None)


def _order(data: dict, first: str, last: str, message) -> dict:
    if data.get(first) and data.get(last) and data[last] < data[first]:
        return {last: [str(message)]}
    return {}


# --- a declaration of interests ----------------------------------------------------------------


@dataclass(frozen=True)
class Declaration:
    kind: str
    unit_name: str
    uscc: str = ""
    role_title: str = ""
    pay: str = ""
    period_start: date | None = None
    period_end: date | None = None
    note: str = ""


class CreditCode(fields.Str):
    """A unified social credit code as typed (spaces, dashes, lower case allowed); blank is none."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        code = uscc.normalise(super()._deserialize(value, attr, data, **kwargs))
        problem = uscc.problem(code) if code else None
        if problem:
            raise ValidationError(problem)
        return code


class DeclarationSchema(Form):
    """What ties an inspector to a unit; a part-time post needs its title, pay and start, a
    relative needs the relative named."""

    kind = choice(DECLARATION_KINDS, _l("请选择申报的类别。"))
    unit_name = text(200, _l("请填写单位名称。"))
    uscc = CreditCode(load_default="")
    role_title = text(100)
    pay = text(100)
    period_start = day()
    period_end = day()
    note = text(2000)

    @validates_schema(skip_on_field_errors=False)
    def what_the_kind_needs(self, data: dict, **_kwargs) -> None:
        needs = {}
        if data.get("kind") == "part_time":
            needs = {
                "role_title": _l("请填写兼任的职务。"),
                "pay": _l("请填写报酬情况（无报酬请填“无”）。"),
                "period_start": _l("请填写兼职的开始日期。"),
            }
        elif data.get("kind") == "relative":
            needs = {"note": _l("请写明亲属的姓名、关系和在该单位的职务。")}
        problems = {key: [str(message)] for key, message in needs.items() if _blank_given(data, key)}
        problems.update(_order(data, "period_start", "period_end", _l("结束日期不能早于开始日期。")))
        if problems:
            raise ValidationError(problems)

    @post_load
    def command(self, data: dict, **_kwargs) -> Declaration:
        return Declaration(**data)


# --- the department's record of an inspector ---------------------------------------------------------


@dataclass(frozen=True)
class InspectorFile:
    kind: str
    status: str
    contract_type: str
    term_start: date | None = None
    term_end: date | None = None
    degree: str = ""
    title: str = ""
    qualifications: str = ""
    registered_safety_engineer: bool = False


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class InspectorFileSchema(Form):
    """The record's form; a select left blank keeps what the record says (``kept``), and only a
    record already closed by dismissal may say "dismissed" (dismissal has its own checklist)."""

    kind = choice(INSPECTOR_KINDS, _l("请选择类别。"))
    status = choice(CORPS_STATUSES, _l("请选择状态（解聘请使用解聘清单）。"))
    contract_type = choice(CONTRACT_TYPES, _l("请选择用工形式。"))
    term_start = day()
    term_end = day()
    degree = text(32)
    title = text(64)
    qualifications = text(2000)
    registered_safety_engineer = Checkbox()

    def __init__(self, kept: dict[str, str], **kwargs):
        super().__init__(**kwargs)
        self.kept = kept

    @pre_load
    def keep_what_is_not_chosen(self, data, **_kwargs) -> dict:
        return {**data, **{key: value for key, value in self.kept.items() if not data.get(key)}}

    @validates_schema(skip_on_field_errors=False)
    def term_and_status(self, data: dict, **_kwargs) -> None:
        problems = {}
        if data.get("status") == "dismissed" and self.kept.get("status") != "dismissed":
            problems["status"] = [str(_l("请选择状态（解聘请使用解聘清单）。"))]
        problems.update(_order(data, "term_start", "term_end", _l("聘期结束日期不能早于开始日期。")))
        start, end = data.get("term_start"), data.get("term_end")
        if data.get("kind") == "technical_part" and start and end and end > years_after(start, PART_TIME_TERM_YEARS):
            problems.setdefault(
                "term_end", [_("兼职技术检查员每个聘期为 %(n)d 年，期满可续聘。", n=PART_TIME_TERM_YEARS)]
            )
        if problems:
            raise ValidationError(problems)

    @post_load
    def command(self, data: dict, **_kwargs) -> InspectorFile:
        return InspectorFile(**data)


# --- training ---------------------------------------------------------------------------------------


class HalfDays(fields.Field):
    """Days of training, in half days (0.5); at most ``upper`` when the form's other fields say."""

    default_error_messages = {
        "invalid": _l("请填写天数（可以是半天，如 0.5）。"),
        "negative": _l("天数不能为负数。"),
        "half": _l("天数以半天为单位。"),
    }

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        try:
            days = Decimal(str(value).strip())
        except InvalidOperation:
            raise self.make_error("invalid") from None
        if not days.is_finite():  # "nan", "inf": Decimal reads them, and NaN refuses comparison
            raise self.make_error("invalid")
        if days < 0:
            raise self.make_error("negative")
        if days * 2 != int(days * 2):
            raise self.make_error("half")
        return days


def _at_most(days: Decimal | None, upper: Decimal | None) -> list[str]:
    if days is not None and upper is not None and days > upper:
        return [_("不能超过本期培训的 %(n)s 天。", n=upper)]
    return []


@dataclass(frozen=True)
class TrainingCourse:
    title: str
    kind: str
    starts_on: date
    ends_on: date
    days: Decimal
    org_unit_id: str = ""  # which department holds it: the service asks the policy


class TrainingCourseSchema(Form):
    title = text(200, _l("请填写培训名称。"))
    kind = choice(TRAINING_KINDS, _l("请选择培训类别。"))
    starts_on = day(_l("请填写开始日期。"))
    ends_on = day(_l("请填写结束日期。"))
    days = HalfDays(required=True, error_messages={"required": _l("请填写天数（可以是半天，如 0.5）。")})
    org_unit_id = fields.Str(load_default="")

    @validates_schema(skip_on_field_errors=False)
    def days_fit_the_dates(self, data: dict, **_kwargs) -> None:
        problems = _order(data, "starts_on", "ends_on", _l("结束日期不能早于开始日期。"))
        start, end, days = data.get("starts_on"), data.get("ends_on"), data.get("days")
        if start and end and end >= start and _at_most(days, Decimal((end - start).days + 1)):
            problems["days"] = _at_most(days, Decimal((end - start).days + 1))
        if days is not None and days == 0 and "days" not in problems:
            problems["days"] = [str(_l("培训天数须大于 0。"))]
        if problems:
            raise ValidationError(problems)

    @post_load
    def command(self, data: dict, **_kwargs) -> TrainingCourse:
        return TrainingCourse(**data)


@dataclass(frozen=True)
class Attendance:
    user_id: int | None
    days: Decimal
    exam_score: int | None = None
    passed: bool = False  # ticked by hand when there was no exam score


class ExamScore(fields.Field):
    default_error_messages = {"invalid": _l("考试成绩应为 0 到 100 的整数。")}

    def _deserialize(self, value, attr, data, **kwargs) -> int | None:
        raw = str(value).strip()
        if not raw:
            return None
        if not raw.isdecimal() or len(raw) > 3 or not 0 <= int(raw) <= 100:
            raise self.make_error("invalid")
        return int(raw)


class AttendanceSchema(Form):
    """One person's attendance of a session of ``session_days`` days."""

    user_id = Ident()
    days = HalfDays(required=True, error_messages={"required": _l("请填写天数（可以是半天，如 0.5）。")})
    exam_score = ExamScore(load_default=None, allow_none=True)
    passed = Checkbox()

    def __init__(self, session_days: Decimal, **kwargs):
        super().__init__(**kwargs)
        self.session_days = session_days

    @validates_schema
    def within_the_session(self, data: dict, **_kwargs) -> None:
        too_many = _at_most(data.get("days"), self.session_days)
        if too_many:
            raise ValidationError(too_many, field_name="days")

    @post_load
    def command(self, data: dict, **_kwargs) -> Attendance:
        return Attendance(**data)


# --- equipment and leave ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    item: str
    serial: str = ""
    issued_on: date | None = None  # today when left blank


class IssueSchema(Form):
    item = choice(EQUIPMENT_ITEMS, _l("请选择物品。"))
    serial = text(64)
    issued_on = day()

    @post_load
    def command(self, data: dict, **_kwargs) -> Issue:
        return Issue(**data)


#: The longest leave one request may ask for.
LEAVE_MAX_DAYS = 90


@dataclass(frozen=True)
class LeaveAsked:
    kind: str
    starts_on: date
    ends_on: date
    reason: str = ""


class LeaveSchema(Form):
    kind = choice(LEAVE_KINDS, _l("请选择请假类别。"))
    starts_on = day(_l("请填写日期。"))
    ends_on = day(_l("请填写日期。"))
    reason = text(1000)

    @validates_schema(skip_on_field_errors=False)
    def a_sensible_span(self, data: dict, **_kwargs) -> None:
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            raise ValidationError(str(_l("结束日期不能早于开始日期。")), field_name="ends_on")
        if start and end and (end - start).days > LEAVE_MAX_DAYS:
            raise ValidationError(str(_l("一次请假不超过 90 天。")), field_name="ends_on")

    @post_load
    def command(self, data: dict, **_kwargs) -> LeaveAsked:
        return LeaveAsked(**data)
