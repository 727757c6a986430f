"""What each kind of notification says: in the app's list, and as the title of a message that
goes outside it (services/announce.py)."""

from __future__ import annotations

from fieldapp.i18n import lazy_gettext as _l

NOTIFICATION_TEXT = {
    "reported": _l("新上报的隐患待您确认"),
    "confirm": _l("隐患已确认，请按期整改"),
    "reject": _l("您上报的隐患不予确认"),
    "regrade": _l("隐患等级已调整"),
    "acknowledge": _l("企业已签收整改通知"),
    "progress": _l("企业记录了整改进展"),
    "submit": _l("企业已提交整改，请到现场复查"),
    "recheck_pass": _l("复查通过"),
    "recheck_fail": _l("复查不通过，请继续整改"),
    "close": _l("隐患已销号"),
    "evidence": _l("网格员为一条隐患补充了现场证据"),
    "deadline_soon": _l("整改期限将在 3 天内到期"),
    "overdue": _l("隐患整改已逾期"),
    "recheck_due": _l("有隐患待您复查"),
    "interference": _l("收到一条领导干部干预执法的记录"),
    "interference_supplement": _l("干预记录有新的补充"),
    "clue_new": _l("收到一条新的线索或意见"),
    "clue_assigned": _l("有一条线索交由您办理"),
    "clue_task": _l("有一条线索需要您到现场核查"),
    "bulletin": _l("执法工作情况通报已发布"),
    "declaration": _l("有新的利害关系申报待审核"),
    "declaration_decided": _l("您的申报已审核"),
}
