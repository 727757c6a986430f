"""Checklist templates: a general one seeded, industry ones added by admins."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from fieldapp import codes, policy
from fieldapp.db import db
from fieldapp.i18n import gettext as _
from fieldapp.models import ChecklistItem, ChecklistTemplate, Enterprise, User
from fieldapp.services import InputError

#: (category, item, basis) — general work-safety inspection points, seeded as the general template.
GENERAL_ITEMS = [
    ("安全管理", "建立并落实全员安全生产责任制，主要负责人、安全管理人员职责明确", "《安全生产法》第二十二条"),
    ("安全管理", "按规定设置安全生产管理机构或配备专（兼）职安全生产管理人员", "《安全生产法》第二十四条"),
    ("安全管理", "制定安全生产规章制度和操作规程，并在岗位公示", "《安全生产法》第二十一条"),
    ("安全管理", "按规定提取和使用安全生产费用", "《安全生产法》第二十三条"),
    ("教育培训", "从业人员经安全生产教育和培训合格后上岗，培训记录齐全", "《安全生产法》第二十八条"),
    ("教育培训", "主要负责人和安全生产管理人员具备相应的安全生产知识和管理能力", "《安全生产法》第二十七条"),
    ("教育培训", "特种作业人员持有效证件上岗", "《安全生产法》第三十条"),
    ("隐患排查", "建立事故隐患排查治理制度，排查治理情况如实记录并向从业人员通报", "《安全生产法》第四十一条"),
    ("隐患排查", "开展安全风险辨识评估，风险分级管控措施落实", "《安全生产法》第四十一条"),
    ("消防安全", "疏散通道、安全出口畅通，未锁闭、占用、堵塞", "《安全生产法》第四十二条"),
    ("消防安全", "消防设施、器材配置齐全、完好有效，定期检查", "《消防法》第十六条"),
    ("消防安全", "生产经营场所与员工宿舍未设在同一建筑物内（或保持安全距离）", "《安全生产法》第四十二条"),
    ("用电安全", "电气线路规范敷设，无私拉乱接，配电箱柜完好、有防护", "GB 50054"),
    ("用电安全", "用电设备接地（接零）保护可靠，漏电保护装置有效", "GB 50054"),
    ("设备设施", "设备安全防护装置（防护罩、急停、联锁）齐全有效", "GB/T 8196"),
    ("设备设施", "特种设备（锅炉、压力容器、起重机械、叉车等）定期检验并在有效期内", "《特种设备安全法》"),
    ("危险化学品", "危险化学品储存场所、储存方式和数量符合规定，专人管理，台账清楚", "《危险化学品安全管理条例》"),
    ("危险化学品", "危险化学品安全技术说明书和安全标签齐全", "《危险化学品安全管理条例》"),
    ("有限空间", "有限空间作业辨识清楚、设置警示标识，执行先通风、再检测、后作业", "《工贸企业有限空间作业安全规定》"),
    ("粉尘防爆", "粉尘涉爆场所除尘系统规范，定期清扫，不使用明火", "《工贸企业粉尘防爆安全规定》"),
    ("作业安全", "动火、高处、吊装等危险作业执行审批和现场监护", "《安全生产法》第四十三条"),
    ("劳动防护", "为从业人员提供符合标准的劳动防护用品并监督佩戴", "《安全生产法》第四十五条"),
    ("应急管理", "制定生产安全事故应急救援预案并定期演练", "《安全生产法》第八十一条"),
    ("警示标志", "在较大危险因素的场所和设备设施上设置明显的安全警示标志", "《安全生产法》第三十五条"),
]


def ensure_general_template() -> ChecklistTemplate:
    """The general template, created with the standard items if missing (idempotent)."""
    template = db.session.scalar(sa.select(ChecklistTemplate).where(ChecklistTemplate.industry.is_(None),
                                                                     ChecklistTemplate.name == "通用安全检查表"))
    if template is None:
        template = ChecklistTemplate(name="通用安全检查表", industry=None)
        template.items = [ChecklistItem(position=i, category=c, text=t, basis=b)
                          for i, (c, t, b) in enumerate(GENERAL_ITEMS)]
        db.session.add(template)
        db.session.flush()
    return template


def template_for(enterprise: Enterprise, on: date | None = None) -> ChecklistTemplate:
    """The checklist of a campaign running ``on`` that targets the enterprise, else the active
    template for its industry, else the general one."""
    from fieldapp.services import campaigns  # here: campaigns -> hazards -> inspections -> checklists

    running = campaigns.ongoing_templates([enterprise.id], on).get(enterprise.id)
    if running is not None:
        return db.session.get(ChecklistTemplate, running[0])
    # One query: the industry's newest active template if there is one, else the first general one.
    t = ChecklistTemplate
    general = t.industry.is_(None)
    which = sa.or_(t.industry == enterprise.industry, general) if enterprise.industry else general
    return db.session.scalar(sa.select(t).where(which, t.active.is_(True)).order_by(
        general, sa.case((general, t.id), else_=-t.id)).limit(1)) or ensure_general_template()


def save_template(actor: User, template: ChecklistTemplate | None, name: str, industry: str,
                  lines: str, active: bool = True) -> ChecklistTemplate:
    """Create or edit a template from its text form: one item per line, "category | item | basis".

    Editing never changes what past inspections recorded: they copied the text.
    """
    policy.require(actor, "checklist.manage")
    errors = {}
    name = name.strip()
    if not name or len(name) > 100:
        errors["name"] = _("请填写检查表名称（不超过 100 个字）。")
    industry = industry.strip() or None
    if industry is not None and industry not in codes.INDUSTRIES:
        errors["industry"] = _("行业不在代码表中（如 C33 金属制品业）。")
    items = []
    for number, raw in enumerate(lines.splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.split("|")]
        if len(parts) == 1:
            parts = ["", parts[0], ""]
        elif len(parts) == 2:
            parts.append("")
        category, text, basis = parts[0][:50], parts[1], "|".join(parts[2:])[:300]
        if not text:
            errors["lines"] = _("第 %(n)d 行没有检查内容。", n=number)
            break
        items.append((category, text, basis))
    if not items and "lines" not in errors:
        errors["lines"] = _("请至少填写一项检查内容。")
    if errors:
        raise InputError(errors)
    if template is None:
        template = ChecklistTemplate()
        db.session.add(template)
    template.name, template.industry, template.active = name, industry, active
    template.items = [ChecklistItem(position=i, category=c, text=t, basis=b) for i, (c, t, b) in enumerate(items)]
    db.session.commit()
    return template


def as_lines(template: ChecklistTemplate) -> str:
    return "\n".join(" | ".join(p for p in (i.category, i.text, i.basis)) for i in template.items)


def all_templates() -> list[ChecklistTemplate]:
    return list(db.session.scalars(sa.select(ChecklistTemplate).order_by(
        ChecklistTemplate.industry.is_not(None), ChecklistTemplate.industry, ChecklistTemplate.id)))

