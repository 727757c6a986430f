"""What an administrator files for an area: a bulletin over a past period (seed 001 art. 18), a
special campaign over chosen enterprises, the calendar's holidays, an inspector's half-year
assessment. Which department an administrator manages, which checklist is active, which
enterprises a campaign reaches, stay the service's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from marshmallow import Schema, ValidationError, fields, post_load, validates_schema

from fieldapp import clock, codes
from fieldapp.i18n import gettext as _
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.schemas.commands import Checkbox, Form, Ident, Text, text
from fieldapp.services import uscc


def _dates(data: dict, first: str, last: str) -> tuple[date, date]:
    """Both ends of a period as typed; ValueError if either is not a date."""
    return date.fromisoformat(str(data.get(first) or "")), date.fromisoformat(str(data.get(last) or ""))


class _Period(Form):
    """A form with a period whose ends are both required (one message for either)."""

    first, last, missing = "starts_on", "ends_on", _l("请填写起止日期。")

    def period_problems(self, data: dict) -> tuple[dict, tuple[date, date] | None]:
        try:
            start, end = _dates(data, self.first, self.last)
        except ValueError:
            return {self.first: [str(self.missing)]}, None
        if end < start:
            return {self.last: [str(_l("结束日期不能早于开始日期。"))]}, None
        return {}, (start, end)


# --- a bulletin ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulletinAsked:
    period_start: date
    period_end: date
    remarks: str = ""
    org_unit_id: str = ""  # the area it covers: the service asks the policy


class BulletinSchema(_Period):
    """A bulletin covers a period that has ended, at most a year long."""

    first, last = "period_start", "period_end"
    period_start = fields.Raw(load_default="")
    period_end = fields.Raw(load_default="")
    remarks = text(4000)
    org_unit_id = fields.Str(load_default="")

    @validates_schema(skip_on_field_errors=False)
    def a_past_period(self, data: dict, **_kwargs) -> None:
        problems, period = self.period_problems(data)
        if period and period[1] >= clock.today():
            problems = {"period_end": [str(_l("只能通报已经结束的时段（结束日期须早于今天）。"))]}
        elif period and (period[1] - period[0]).days > 366:
            problems = {"period_end": [str(_l("通报时段不能超过一年。"))]}
        if problems:
            raise ValidationError(problems)

    @post_load
    def command(self, data: dict, **_kwargs) -> BulletinAsked:
        start, end = _dates(data, "period_start", "period_end")
        return BulletinAsked(start, end, data["remarks"], data["org_unit_id"])


# --- a special campaign ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignPlan:
    name: str
    starts_on: date
    ends_on: date
    template_id: int | None
    description: str = ""
    industry: str = ""
    usccs: tuple[str, ...] = field(default=())  # the list of credit codes, normalised
    org_unit_id: str = ""


class CreditCodeList(fields.Field):
    """Credit codes pasted one per line, or separated by commas (ASCII or Chinese)."""

    def _deserialize(self, value, attr, data, **kwargs) -> tuple[str, ...]:
        listed = [uscc.normalise(x) for x in str(value or "").replace("，", ",").replace(",", "\n").split()]
        listed = [x for x in listed if x]
        bad = [x for x in listed if uscc.problem(x)]
        if bad:
            raise ValidationError(_("以下统一社会信用代码无效：%(codes)s", codes=_("、").join(bad[:5])))
        return tuple(listed)


def _industry(value: str) -> None:
    if value and value not in codes.INDUSTRIES:
        raise ValidationError(str(_l("行业代码无效。")))


class CampaignSchema(_Period):
    """A campaign: its name, checklist, period, and who it reaches (an industry and/or a list of
    credit codes here; grids are chosen beside it)."""

    NAME = _l("请填写专项名称（不超过 100 字）。")

    name = Text(required=True, error_messages={"required": NAME})
    description = Text(load_default="")
    template_id = Ident()
    starts_on = fields.Raw(load_default="")
    ends_on = fields.Raw(load_default="")
    industry = Text(load_default="", validate=_industry)
    usccs = CreditCodeList(load_default=())
    org_unit_id = fields.Str(load_default="")

    @validates_schema(skip_on_field_errors=False)
    def named_with_a_period(self, data: dict, **_kwargs) -> None:
        problems, _period = self.period_problems(data)
        if "name" in data and not 0 < len(data["name"]) <= 100:
            problems["name"] = [str(self.NAME)]
        if problems:
            raise ValidationError(problems)

    @post_load
    def command(self, data: dict, **_kwargs) -> CampaignPlan:
        start, end = _dates(data, "starts_on", "ends_on")
        return CampaignPlan(
            name=data["name"],
            starts_on=start,
            ends_on=end,
            template_id=data["template_id"],
            description=data["description"][:4000],  # longer is cut, as it always was
            industry=data["industry"],
            usccs=data["usccs"],
            org_unit_id=data["org_unit_id"],
        )


# --- the calendar -----------------------------------------------------------------------------------


class HolidaySchema(Form):
    """One calendar exception: a holiday, or a weekend day worked (``workday``)."""

    day = fields.Raw(load_default="")
    name = text(50)
    workday = Checkbox()

    @validates_schema(skip_on_field_errors=False)
    def a_day(self, data: dict, **_kwargs) -> None:
        try:
            date.fromisoformat(str(data.get("day") or "").strip())
        except ValueError:
            raise ValidationError(str(_l("请填写日期。")), field_name="day") from None

    @post_load
    def command(self, data: dict, **_kwargs) -> dict:
        return {**data, "day": date.fromisoformat(str(data["day"]).strip())}


# --- an inspector's assessment ------------------------------------------------------------------------


class Score(fields.Field):
    """Points for one assessment item: a whole number from 0 to its maximum."""

    def __init__(self, name: str, most: int):
        self.message = _("「%(name)s」的得分应为 0 到 %(max)d 的整数。", name=name, max=most)
        super().__init__(required=True, error_messages={"required": self.message, "null": self.message})
        self.most = most

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        raw = str(value).strip()
        if not (raw.isdecimal() and len(raw) <= 3 and raw.isascii()) or int(raw) > self.most:
            raise ValidationError(self.message)
        return int(raw)


def assessment_schema(items) -> Schema:
    """The assessment form of these items (each scored in the field ``item-<id>``), and comments."""
    declared = {f"item-{item.id}": Score(item.name, item.max_score) for item in items}
    form = Form.from_dict({**declared, "comments": text(2000)}, name="AssessmentSchema")
    return form()
