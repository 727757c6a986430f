"""How stored codes read on screen (the enterprise history shows raw field changes)."""

from __future__ import annotations

import uuid

from flask import Flask, g
from markupsafe import Markup, escape

from fieldapp import addresses, clock, codes
from fieldapp.i18n import gettext as _
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.i18n import ngettext
from fieldapp.services.enterprises import ENTERPRISE_STATUSES

FIELD_LABELS = {
    "name": _l("企业名称"),
    "uscc": _l("统一社会信用代码"),
    "grid": _l("所属网格"),
    "status": _l("状态"),
    "pending_review": _l("待审核"),
    "registered_address": _l("注册地址"),
    "operating_address": _l("经营地址"),
    "latitude": _l("纬度"),
    "longitude": _l("经度"),
    "industry": _l("行业"),
    "scale": _l("规模"),
    "risk_grade": _l("风险等级"),
    "legal_representative": _l("法定代表人"),
    "safety_manager_name": _l("安全负责人"),
    "safety_manager_mobile": _l("安全负责人手机"),
    "employee_count": _l("从业人数"),
    "notes": _l("备注"),
}
CHANGE_KINDS = {
    "created": _l("建档"),
    "updated": _l("修改档案"),
    "status": _l("现场报告现状变化"),
    "reported": _l("网格员上报新发现企业"),
    "confirmed": _l("管理员审核确认"),
    "imported": _l("批量导入"),
}
VALUE_LISTS = {
    "status": ENTERPRISE_STATUSES,
    "industry": codes.INDUSTRIES,
    "scale": codes.SCALES,
    "risk_grade": codes.RISK_GRADES,
}


def field_label(key: str) -> str:
    return str(FIELD_LABELS.get(key, key))


def change_kind(kind: str) -> str:
    return str(CHANGE_KINDS.get(kind, kind))


def show_value(key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("是")) if value else str(_l("否"))
    if key in VALUE_LISTS:
        return codes.label(VALUE_LISTS[key], value)
    return str(value)


def init_app(app: Flask) -> None:
    from fieldapp.services import checkin, hazards

    def hazard_labels() -> dict:
        """Status and level names resolved once per request (lazy strings translate on every use)."""
        if "hazard_labels" not in g:
            g.hazard_labels = {
                "status": {k: str(v) for k, v in hazards.STATUS_LABELS.items()},
                "level": {k: str(v) for k, v in hazards.LEVEL_LABELS.items()},
                # Formats, filled in by the template (no arguments: not formatted here).
                "proposed": _("建议"),
                "due_today": _("今天到期"),
                # Markup: filled in with a time that is itself markup (one line).
                "reported": Markup(escape(_("%(who)s 上报于 %(t)s"))),  # noqa: S704 - escaped
                # Counted days: the language's singular or plural, for each row.
                "overdue": lambda days: ngettext("已逾期 %(num)d 天", "已逾期 %(num)d 天", days),
                "left": lambda deadline, days: ngettext(
                    "期限 %(d)s（剩 %(num)d 天）", "期限 %(d)s（剩 %(num)d 天）", days, d=deadline
                ),
            }
        return g.hazard_labels

    app.jinja_env.filters.update(address_prefix=addresses.shared_prefix, after_prefix=addresses.after_prefix)
    app.jinja_env.globals.update(
        field_label=field_label,
        change_kind=change_kind,
        show_value=show_value,
        uuid4=lambda: str(uuid.uuid4()),
        hazard_labels=hazard_labels,
        today_shanghai=clock.today,
        checkin_flag=lambda flag: str(checkin.FLAGS.get(flag, flag)),
    )
