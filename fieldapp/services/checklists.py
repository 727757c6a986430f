"""Checklist templates: a general one seeded, industry ones added by admins."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from fieldapp import codes, policy
from fieldapp.db import db, transaction
from fieldapp.errors import InputError
from fieldapp.i18n import gettext as _
from fieldapp.models import ChecklistItem, ChecklistTemplate, Enterprise, User

#: (category, item, basis, common findings "；"-separated) — general work-safety inspection points,
#: seeded as the general template. Migration 0018 gave existing databases the same findings.
GENERAL_ITEMS = [
    (
        "安全管理",
        "建立并落实全员安全生产责任制，主要负责人、安全管理人员职责明确",
        "《安全生产法》第二十二条",
        "责任制未覆盖全部岗位；责任制未签订或未考核",
    ),
    (
        "安全管理",
        "按规定设置安全生产管理机构或配备专（兼）职安全生产管理人员",
        "《安全生产法》第二十四条",
        "未配备专（兼）职安全管理人员",
    ),
    (
        "安全管理",
        "制定安全生产规章制度和操作规程，并在岗位公示",
        "《安全生产法》第二十一条",
        "操作规程未在岗位公示；规章制度未及时修订",
    ),
    ("安全管理", "按规定提取和使用安全生产费用", "《安全生产法》第二十三条", "安全生产费用未提取或台账不全"),
    (
        "教育培训",
        "从业人员经安全生产教育和培训合格后上岗，培训记录齐全",
        "《安全生产法》第二十八条",
        "新员工未经三级安全教育上岗；培训记录不全",
    ),
    (
        "教育培训",
        "主要负责人和安全生产管理人员具备相应的安全生产知识和管理能力",
        "《安全生产法》第二十七条",
        "负责人未取得安全管理培训合格证",
    ),
    ("教育培训", "特种作业人员持有效证件上岗", "《安全生产法》第三十条", "特种作业人员无证上岗；特种作业证已过期"),
    (
        "隐患排查",
        "建立事故隐患排查治理制度，排查治理情况如实记录并向从业人员通报",
        "《安全生产法》第四十一条",
        "隐患排查记录不全；发现的隐患未整改闭环",
    ),
    (
        "隐患排查",
        "开展安全风险辨识评估，风险分级管控措施落实",
        "《安全生产法》第四十一条",
        "未开展风险辨识；风险告知卡未张贴",
    ),
    (
        "消防安全",
        "疏散通道、安全出口畅通，未锁闭、占用、堵塞",
        "《安全生产法》第四十二条",
        "疏散通道堆放杂物；安全出口上锁；应急照明或疏散指示损坏",
    ),
    (
        "消防安全",
        "消防设施、器材配置齐全、完好有效，定期检查",
        "《消防法》第十六条",
        "灭火器压力不足或过期；消火栓被遮挡；消防器材未定期检查",
    ),
    (
        "消防安全",
        "生产经营场所与员工宿舍未设在同一建筑物内（或保持安全距离）",
        "《安全生产法》第四十二条",
        "车间内设员工宿舍",
    ),
    (
        "用电安全",
        "电气线路规范敷设，无私拉乱接，配电箱柜完好、有防护",
        "GB 50054",
        "私拉乱接电线；配电箱门缺失或未上锁；电线未穿管保护",
    ),
    ("用电安全", "用电设备接地（接零）保护可靠，漏电保护装置有效", "GB 50054", "设备未接地；漏电保护器失效"),
    ("设备设施", "设备安全防护装置（防护罩、急停、联锁）齐全有效", "GB/T 8196", "传动部位无防护罩；急停按钮失效"),
    (
        "设备设施",
        "特种设备（锅炉、压力容器、起重机械、叉车等）定期检验并在有效期内",
        "《特种设备安全法》",
        "叉车未定期检验；压力容器检验过期",
    ),
    (
        "危险化学品",
        "危险化学品储存场所、储存方式和数量符合规定，专人管理，台账清楚",
        "《危险化学品安全管理条例》",
        "危化品混存；危化品超量存放；台账不清",
    ),
    (
        "危险化学品",
        "危险化学品安全技术说明书和安全标签齐全",
        "《危险化学品安全管理条例》",
        "缺少安全技术说明书；包装无安全标签",
    ),
    (
        "有限空间",
        "有限空间作业辨识清楚、设置警示标识，执行先通风、再检测、后作业",
        "《工贸企业有限空间作业安全规定》",
        "有限空间未设警示标识；未配备检测仪器",
    ),
    (
        "粉尘防爆",
        "粉尘涉爆场所除尘系统规范，定期清扫，不使用明火",
        "《工贸企业粉尘防爆安全规定》",
        "粉尘积尘未清扫；除尘系统不规范",
    ),
    (
        "作业安全",
        "动火、高处、吊装等危险作业执行审批和现场监护",
        "《安全生产法》第四十三条",
        "动火作业未审批；作业无人监护",
    ),
    (
        "劳动防护",
        "为从业人员提供符合标准的劳动防护用品并监督佩戴",
        "《安全生产法》第四十五条",
        "员工未佩戴防护用品；防护用品不符合标准",
    ),
    ("应急管理", "制定生产安全事故应急救援预案并定期演练", "《安全生产法》第八十一条", "应急预案未演练；预案未备案"),
    (
        "警示标志",
        "在较大危险因素的场所和设备设施上设置明显的安全警示标志",
        "《安全生产法》第三十五条",
        "警示标志缺失或损坏",
    ),
]


GENERAL_PARTS = "生产车间、仓库、配电房、消防设施"
GENERAL_CONTENT = "安全管理、教育培训、消防、用电、设备设施"
#: Findings are written "a；b；c" in a template's text form and kept one per line.
PHRASE_SEPARATORS = re.compile(r"[；;]")


def _phrases(text: str) -> str:
    return "\n".join(p.strip()[:100] for p in PHRASE_SEPARATORS.split(text) if p.strip())


def ensure_general_template() -> ChecklistTemplate:
    """The general template, created with the standard items if missing (idempotent)."""
    template = db.session.scalar(
        sa.select(ChecklistTemplate).where(
            ChecklistTemplate.industry.is_(None), ChecklistTemplate.name == "通用安全检查表"
        )
    )
    if template is None:
        template = ChecklistTemplate(
            name="通用安全检查表", industry=None, default_parts=GENERAL_PARTS, default_content=GENERAL_CONTENT
        )
        template.items = [
            ChecklistItem(position=i, category=c, text=t, basis=b, phrases=_phrases(p))
            for i, (c, t, b, p) in enumerate(GENERAL_ITEMS)
        ]
        db.session.add(template)
        db.session.flush()
    return template


@transaction
def seed() -> None:
    """The reference data a new database needs (``flask fieldapp seed``, after each upgrade): the
    general template, which every enterprise without one of its industry is checked with."""
    ensure_general_template()
    db.session.commit()


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
    return (
        db.session.scalar(
            sa.select(t)
            .where(which, t.active.is_(True))
            .order_by(general, sa.case((general, t.id), else_=-t.id))
            .limit(1)
        )
        or ensure_general_template()
    )


@transaction
def save_template(
    actor: User,
    template: ChecklistTemplate | None,
    name: str,
    industry: str,
    lines: str,
    active: bool = True,
    default_parts: str = "",
    default_content: str = "",
) -> ChecklistTemplate:
    """Create or edit a template from its text form: one item per line,
    "category | item | basis | finding；finding" (the last two optional).

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
            parts = ["", parts[0]]
        parts += [""] * (4 - len(parts))
        category, text, basis, phrases = parts[0][:50], parts[1], parts[2][:300], _phrases("；".join(parts[3:]))
        if not text:
            errors["lines"] = _("第 %(n)d 行没有检查内容。", n=number)
            break
        items.append((category, text, basis, phrases))
    if not items and "lines" not in errors:
        errors["lines"] = _("请至少填写一项检查内容。")
    if errors:
        raise InputError(errors)
    if template is None:
        template = ChecklistTemplate()
        db.session.add(template)
    for key, value in (("default_parts", default_parts), ("default_content", default_content)):
        if len(value.strip()) > 500:
            raise InputError({key: _("不能超过 %(n)d 个字。", n=500)})
    template.name, template.industry, template.active = name, industry, active
    template.default_parts, template.default_content = default_parts.strip(), default_content.strip()
    template.items = [
        ChecklistItem(position=i, category=c, text=t, basis=b, phrases=p) for i, (c, t, b, p) in enumerate(items)
    ]
    db.session.commit()
    return template


def as_lines(template: ChecklistTemplate) -> str:
    return "\n".join(
        " | ".join((i.category, i.text, i.basis, *(["；".join(i.phrase_list)] if i.phrases else [])))
        for i in template.items
    )


def get_template(template_id: int) -> ChecklistTemplate | None:
    return db.session.get(ChecklistTemplate, template_id)


def active_choices() -> list[tuple[int, str]]:
    """The active templates as (id, name), by name (a form's choices)."""
    return [
        (t.id, t.name)
        for t in db.session.scalars(
            sa.select(ChecklistTemplate).where(ChecklistTemplate.active.is_(True)).order_by(ChecklistTemplate.name)
        )
    ]


def all_templates() -> list[ChecklistTemplate]:
    return list(
        db.session.scalars(
            sa.select(ChecklistTemplate).order_by(
                ChecklistTemplate.industry.is_not(None), ChecklistTemplate.industry, ChecklistTemplate.id
            )
        )
    )
