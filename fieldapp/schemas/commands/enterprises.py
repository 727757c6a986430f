"""The enterprise file's fields as people type them — on the phone, in the admin's form, in a
spreadsheet's cells — read by one schema (``EnterpriseRecordSchema``): codes by their Chinese
labels or their codes, a mobile with or without +86, coordinates inside China. Which grid a record
may name, and whether its credit code is already on file, are the service's (``enterprises.clean``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask_babel import force_locale
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validates_schema

from fieldapp import codes
from fieldapp.i18n import gettext as _
from fieldapp.models.enterprises import ENTERPRISE_STATUSES
from fieldapp.services import uscc
from fieldapp.services.accounts import MOBILE_RE

# Mainland China, generously: a point outside is almost always swapped or mistyped.
CHINA_LAT = (3.5, 54.0)
CHINA_LNG = (73.0, 136.0)

_LABEL_CACHE: dict[int, dict[str, str]] = {}


def _chinese_labels(code_list: dict) -> dict[str, str]:
    """label (in Chinese, whatever the UI language) -> code, plus code -> code."""
    if id(code_list) not in _LABEL_CACHE:
        with force_locale("zh_CN"):
            out = {str(label): code for code, label in code_list.items()}
        out.update({code: code for code in code_list})
        out.update({code.upper(): code for code in code_list})
        _LABEL_CACHE[id(code_list)] = out
    return _LABEL_CACHE[id(code_list)]


def _coded(code_list: dict, message: Callable[[], str], short: dict | None = None):
    def parse(raw: str):
        if not raw:
            return None
        lookup = _chinese_labels(code_list) | (short or {})
        value = lookup.get(raw) or lookup.get(raw.upper())
        if value is None:
            raise ValueError(message())
        return value

    return parse


def _text(max_len: int, required: Callable[[], str] | None = None):
    def parse(raw: str):
        if not raw and required:
            raise ValueError(required())
        if len(raw) > max_len:
            raise ValueError(_("不能超过 %(n)d 个字。", n=max_len))
        return raw

    return parse


def _mobile(raw: str):
    if not raw:
        return ""
    digits = re.sub(r"[\s\-]", "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    if not MOBILE_RE.match(digits):
        raise ValueError(_("请输入 11 位中国大陆手机号。"))
    return digits


def _count(raw: str):
    if not raw:
        return None
    try:
        value = int(float(raw)) if re.fullmatch(r"\d+(\.0+)?", raw) else int(raw)
    except ValueError:
        raise ValueError(_("请填写整数。")) from None
    if not 0 <= value <= 1_000_000:
        raise ValueError(_("人数应在 0 到 1,000,000 之间。"))
    return value


def _degrees(raw: str, low: float, high: float, message: Callable[[], str]):
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(_("请填写十进制度数，如 31.2639。")) from None
    if not low <= value <= high:
        raise ValueError(message())
    return round(value, 7)


def _status(raw: str):
    if not raw:
        return "active"
    lookup = _chinese_labels(ENTERPRISE_STATUSES) | {
        "新发现": "new",
        "搬迁": "relocated",
        "关闭": "closed",
        "停业": "suspended",
        "正常": "active",
        "营业": "active",
    }
    value = lookup.get(raw)
    if value is None:
        raise ValueError(_("状态应为：在营、新发现、已搬迁、已关闭、停产之一。"))
    return value


#: field -> parser(text) -> value, raising ValueError(message)
PARSERS: dict[str, Callable[[str], Any]] = {
    "name": _text(200, required=lambda: _("请填写企业名称。")),
    "registered_address": _text(300),
    "operating_address": _text(300),
    "industry": _coded(codes.INDUSTRIES, lambda: _("行业不在代码表中（如 C33 金属制品业）。")),
    "scale": _coded(codes.SCALES, lambda: _("规模应为：大型、中型、小型、微型之一。")),
    "risk_grade": _coded(
        codes.RISK_GRADES,
        lambda: _("风险等级应为：红、橙、黄、蓝之一。"),
        short={
            "红": "red",
            "橙": "orange",
            "黄": "yellow",
            "蓝": "blue",
            "重大风险": "red",
            "较大风险": "orange",
            "一般风险": "yellow",
            "低风险": "blue",
        },
    ),
    "legal_representative": _text(64),
    "safety_manager_name": _text(64),
    "safety_manager_mobile": _mobile,
    "employee_count": _count,
    "status": _status,
    "notes": _text(2000),
}


def _credit_code(raw: str) -> str:
    code = uscc.normalise(raw)
    if not code:
        raise ValueError(_("请填写统一社会信用代码。"))
    problem = uscc.problem(code)
    if problem:
        raise ValueError(problem)
    return code


def _latitude(raw: str):
    return _degrees(
        raw,
        *CHINA_LAT,
        lambda: _("纬度不在中国境内（%(lo)s–%(hi)s），请检查经纬度是否填反。", lo=CHINA_LAT[0], hi=CHINA_LAT[1]),
    )


def _longitude(raw: str):
    return _degrees(
        raw,
        *CHINA_LNG,
        lambda: _("经度不在中国境内（%(lo)s–%(hi)s），请检查经纬度是否填反。", lo=CHINA_LNG[0], hi=CHINA_LNG[1]),
    )


class Parsed(fields.Field):
    """A cell's or field's text (trimmed) through one of the parsers above; a parser's
    ValueError is the field's message."""

    def __init__(self, parse: Callable[[str], Any]):
        super().__init__()
        self.parse = parse

    def _deserialize(self, value, attr, data, **kwargs) -> Any:
        try:
            return self.parse(value)
        except ValueError as refused:
            raise ValidationError(str(refused.args[0])) from None


class _RecordRules(Schema):
    """What holds across an enterprise record's fields."""

    class Meta:
        unknown = EXCLUDE  # other columns (a spreadsheet's extras, the form's token) are not the record's

    @pre_load
    def as_text(self, raw, **_kwargs) -> dict[str, str]:
        """Every field as trimmed text, an absent one as blank (a spreadsheet may lack columns)."""
        text = {k: ("" if v is None else str(v)).strip() for k, v in dict(raw).items() if k in self.fields}
        return {**dict.fromkeys(self.fields, ""), **text}

    @validates_schema(skip_on_field_errors=False)
    def both_coordinates(self, data: dict, **_kwargs) -> None:
        if "latitude" in data and "longitude" in data and (data["latitude"] is None) != (data["longitude"] is None):
            field = "longitude" if data["longitude"] is None else "latitude"
            raise ValidationError(_("经纬度须同时填写。"), field_name=field)


#: One enterprise record as text; what it loads are the file's typed values.
EnterpriseRecordSchema = _RecordRules.from_dict(
    {
        **{name: Parsed(parse) for name, parse in PARSERS.items()},
        "uscc": Parsed(_credit_code),
        "latitude": Parsed(_latitude),
        "longitude": Parsed(_longitude),
    },
    name="EnterpriseRecordSchema",
)
