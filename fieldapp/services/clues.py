"""Clues, complaints, criticism and suggestions from social supervisors and the public
(seed 001 art. 19–20), handled and answered within a limit.

A submission gets a tracking code the submitter keeps (random, 50 bits: not guessable,
so a forged code finds nothing, and look-ups are throttled). The department triages it:
assigns it, turns it into a site check for an inspector or into a hazard report, notes
progress, and answers (or dismisses it, with the reason). Every step is a ClueEvent.
"""

from __future__ import annotations

import re
import secrets
import uuid as uuidlib
from collections.abc import Mapping
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from fieldapp import clock, fields, policy, roles
from fieldapp.db import commit, db, transaction
from fieldapp.errors import Forbidden, InputError, NotFound
from fieldapp.i18n import gettext as _
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models import (
    Clue,
    ClueEvent,
    Enterprise,
    Grid,
    Hazard,
    OrgUnit,
    User,
)
from fieldapp.models.clues import CLUE_KINDS, CLUE_OPEN
from fieldapp.queries.paging import Page, paginate
from fieldapp.schemas import commands
from fieldapp.schemas.commands.clues import ClueReport, ClueReportSchema, ClueStep, ClueStepSchema
from fieldapp.services import inspections, notifications, org, photos

KIND_LABELS = {
    "violation": _l("违法违规行为线索"),
    "hazard": _l("事故隐患线索"),
    "criticism": _l("批评或投诉"),
    "suggestion": _l("意见建议"),
}
STATUS_LABELS = {
    "received": _l("待分办"),
    "handling": _l("办理中"),
    "answered": _l("已答复"),
    "dismissed": _l("不予受理"),
}
ACTION_LABELS = {
    "submit": _l("提交"),
    "assign": _l("分办"),
    "task": _l("安排现场核查"),
    "hazard": _l("转为隐患上报"),
    "note": _l("办理情况"),
    "answer": _l("答复"),
    "dismiss": _l("不予受理"),
}
assert set(KIND_LABELS) == set(CLUE_KINDS)
OPEN = CLUE_OPEN

#: Crockford's base-32 alphabet: no I, L, O, U, so a code read aloud or retyped survives.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_RE = re.compile(r"^XS[0-9A-HJKMNP-TV-Z]{10}$")


def new_code() -> str:
    return "XS" + "".join(secrets.choice(ALPHABET) for _ in range(10))


def show_code(code: str) -> str:
    return f"{code[:2]}-{code[2:7]}-{code[7:]}"


def normalise_code(raw: str | None) -> str | None:
    """What a person may type (lower case, dashes, spaces, O for 0, I/L for 1) to the stored form;
    None for anything that cannot be a code (refused without touching the database)."""
    text = re.sub(r"[\s\-_]", "", (raw or "").upper())[:40]
    text = text[:2] + text[2:].translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    return text if CODE_RE.match(text) else None


def is_overdue(clue: Clue, on: date | None = None) -> bool:
    return clue.status in OPEN and clue.due_on < (on or clock.today())


# --- submitting ---------------------------------------------------------------------------------


def departments() -> list[OrgUnit]:
    """Departments a member of the public may address (every org unit), tree order."""
    return list(db.session.scalars(sa.select(OrgUnit).order_by(OrgUnit.path)))


@transaction
def submit(
    values: ClueReport | Mapping,
    uploads: list[tuple[bytes, str]],
    submitter: User | None = None,
    grid: Grid | None = None,
) -> Clue:
    """Store a clue. Nothing is stored unless all of it is acceptable; the caller keeps the form."""
    report, errors = commands.problems(ClueReportSchema(), values)
    if grid is not None:
        org_unit_id = grid.org_unit_id
    else:
        # Asked even when the rest was refused, so that the form says everything at once.
        org_unit_id = report.org_unit_id if report else fields.ident(commands.given_value(values, "org_unit_id"))
        if org_unit_id is None or db.session.get(OrgUnit, org_unit_id) is None:
            errors["org_unit_id"] = _("请选择所在的镇、街道或园区。")
    limit = current_app.config["CLUE_MAX_PHOTOS"]
    if len(uploads) > limit:
        errors["photos"] = _("照片最多 %(n)d 张。", n=limit)
    checked = []
    if "photos" not in errors:
        for data, name in uploads:
            try:
                photos.check(data)
            except photos.PhotoError as err:
                errors["photos"] = _("照片「%(name)s」：%(reason)s", name=name[:60], reason=err.message)
                break
            checked.append((data, name))
    if errors:
        raise InputError(errors)
    clue = Clue(
        code=new_code(),
        kind=report.kind,
        content=report.content,
        place=report.place,
        enterprise_name=report.enterprise_name,
        contact_name=report.contact_name,
        contact_phone=report.contact_phone,
        org_unit_id=org_unit_id,
        grid_id=grid.id if grid else None,
        submitter_id=submitter.id if submitter else None,
        latitude=report.latitude,
        longitude=report.longitude,
        due_on=clock.today() + timedelta(days=current_app.config["CLUE_ANSWER_DAYS"]),
    )
    clue.photos = [photos.store(data, submitter, None, name) for data, name in checked]
    db.session.add(clue)
    db.session.flush()
    db.session.add(ClueEvent(clue_id=clue.id, actor_id=submitter.id if submitter else None, action="submit"))
    notifications.notify(
        _handlers(org_unit_id), "clue_new", f"clue_new:{clue.id}", f"/clues/{clue.id}", clue.org_unit_id
    )
    commit()
    return clue


def _handlers(org_unit_id: int) -> list[int]:
    """Officers and admins whose jurisdiction holds the department."""
    return policy.holders(org_unit_id, roles.ENFORCEMENT_OFFICER, roles.ADMIN)


def track(raw_code: str | None) -> Clue | None:
    code = normalise_code(raw_code)
    if code is None:
        return None
    return db.session.scalar(sa.select(Clue).where(Clue.code == code))


# --- reading ------------------------------------------------------------------------------------

scope = policy.records.clues


CLUE_LOADS = (
    sa.orm.selectinload(Clue.events).joinedload(ClueEvent.actor).selectinload(User.role_rows),
    sa.orm.selectinload(Clue.photos),
    sa.orm.joinedload(Clue.org_unit),
    sa.orm.joinedload(Clue.grid),
    sa.orm.joinedload(Clue.assignee),
    sa.orm.joinedload(Clue.submitter),
    sa.orm.joinedload(Clue.task_enterprise),
    sa.orm.joinedload(Clue.task_inspector),
)


def get(user: User, clue_id) -> Clue:
    return policy.get_in_scope(scope(user).options(*CLUE_LOADS), Clue, clue_id)


TABS = ("open", "overdue", "mine", "answered", "all")


def listing(user: User, tab: str, page: int, per_page: int) -> Page:
    """Page ``page`` of a tab of the clues ``user`` sees, newest first."""
    query = scope(user)
    if tab == "open":
        query = query.where(Clue.status.in_(OPEN))
    elif tab == "overdue":
        query = query.where(Clue.status.in_(OPEN), Clue.due_on < clock.today())
    elif tab == "mine":
        query = query.where(
            sa.or_(Clue.submitter_id == user.id, Clue.assignee_id == user.id, Clue.task_inspector_id == user.id)
        )
    elif tab == "answered":
        query = query.where(Clue.status.in_(("answered", "dismissed")))
    return paginate(query.order_by(Clue.id.desc()), page, per_page, sa.orm.joinedload(Clue.org_unit))


# Who handles a clue and what each may do with it now live in the policy (policy/clues.py).
handles = policy.clues.handles
allowed = policy.clues.allowed


def assignees(clue: Clue) -> list[User]:
    """Officers of the clue's department (and above) to hand it to."""
    return list(
        db.session.scalars(sa.select(User).where(User.id.in_(_handlers(clue.org_unit_id))).order_by(User.display_name))
    )


def inspectors_for(enterprise: Enterprise) -> list[User]:
    return org.inspectors_of(enterprise.grid_id)


def enterprise_choices(user: User, clue: Clue) -> list[tuple[int, str]]:
    """Enterprises of ``user``'s scope to task an inspector with or to record a hazard at: those
    of the clue's grid when it names one (by name, the first 300)."""
    query = policy.enterprise_scope(user)
    if clue.grid_id:
        query = query.where(Enterprise.grid_id == clue.grid_id)
    return [(e.id, e.name) for e in db.session.scalars(query.order_by(Enterprise.name).limit(300))]


def inspector_choices(user: User, enterprise_id: int | None) -> list[tuple[int, str]]:
    """Who can be tasked with a visit to the chosen enterprise (if ``user`` sees it)."""
    enterprise = (
        db.session.scalar(policy.enterprise_scope(user).where(Enterprise.id == enterprise_id))
        if enterprise_id
        else None
    )
    return [(u.id, u.display_name) for u in inspectors_for(enterprise)] if enterprise else []


# --- handling -----------------------------------------------------------------------------------


def _step(user: User, clue: Clue, action: str, note: str = "") -> ClueEvent:
    if action not in allowed(user, clue):
        if clue.status not in OPEN:
            raise Forbidden(
                _(
                    "该线索已办结（%(status)s），不能再%(action)s。",
                    status=STATUS_LABELS[clue.status],
                    action=ACTION_LABELS[action],
                )
            )
        raise Forbidden(_("您不能对该线索%(action)s。", action=ACTION_LABELS[action]))
    event = ClueEvent(clue_id=clue.id, actor_id=user.id, action=action, note=note)
    db.session.add(event)
    return event


@transaction
def act(user: User, clue: Clue, action: str, values: ClueStep | Mapping) -> None:
    """One handling step; refused input raises InputError with the field's message."""
    if action not in ACTION_LABELS or action == "submit":
        raise NotFound(_("找不到该操作。"))
    step, errors = commands.problems(ClueStepSchema(action), values)
    step = step or ClueStep()
    note = step.note
    if action == "assign":
        assignee_id = step.assignee_id
        if assignee_id not in {u.id for u in assignees(clue)}:
            errors["assignee_id"] = _("请选择本辖区的执法人员。")
        if errors:
            raise InputError(errors)
        _step(user, clue, action, note)
        clue.assignee_id, clue.status = assignee_id, "handling"
        notifications.notify(
            [assignee_id],
            "clue_assigned",
            f"clue_assigned:{clue.id}:{assignee_id}",
            f"/clues/{clue.id}",
            clue.org_unit_id,
        )
    elif action in ("task", "hazard"):
        enterprise = _enterprise(user, step.enterprise_id, errors)
        inspector_id = step.inspector_id
        if (
            action == "task"
            and enterprise is not None
            and inspector_id not in {u.id for u in inspectors_for(enterprise)}
        ):
            errors["inspector_id"] = _("请选择负责该企业网格的网格员。")
        if errors:
            raise InputError(errors)
        _step(user, clue, action, note)
        clue.status = "handling"
        if action == "task":
            clue.task_enterprise_id, clue.task_inspector_id, clue.task_at = enterprise.id, inspector_id, clock.now()
            notifications.notify(
                [inspector_id],
                "clue_task",
                f"clue_task:{clue.id}:{inspector_id}",
                f"/clues/{clue.id}",
                clue.org_unit_id,
            )
        else:
            _report_hazard(user, clue, enterprise)
    else:
        if errors:
            raise InputError(errors)
        _step(user, clue, action, note)
        if action in ("answer", "dismiss"):
            clue.status = "answered" if action == "answer" else "dismissed"
            clue.answer, clue.answered_at = note, clock.now()
    commit()


def _enterprise(user: User, enterprise_id: int | None, errors: dict) -> Enterprise | None:
    enterprise = (
        db.session.scalar(policy.enterprise_scope(user).where(Enterprise.id == enterprise_id))
        if enterprise_id
        else None
    )
    if enterprise is None:
        errors["enterprise_id"] = _("请选择您辖区内的企业。")
    return enterprise


def _report_hazard(user: User, clue: Clue, enterprise: Enterprise) -> None:
    """A hazard report from the clue's content and photos, for the officers to confirm."""
    conflict = inspections.recusal(user, enterprise)
    if conflict is not None:
        raise Forbidden(inspections.recusal_reason(conflict.kind))
    if clue.hazard_id is not None:
        raise Forbidden(_("该线索已转为隐患上报。"))
    hazard = Hazard(
        uuid=str(uuidlib.uuid4()),
        enterprise_id=enterprise.id,
        grid_id=enterprise.grid_id,
        reporter_id=user.id,
        place=clue.place[:200],
        description=_("（来自线索 %(code)s）%(content)s", code=show_code(clue.code), content=clue.content),
    )
    hazard.photos = list(clue.photos)
    db.session.add(hazard)
    db.session.flush()
    clue.hazard_id = hazard.id
    notifications.reported(hazard)


def task_done(clue: Clue):
    """The site check's inspection, once the inspector has signed one at that enterprise."""
    from fieldapp.models import Inspection

    if clue.task_at is None:
        return None
    return db.session.scalar(
        sa.select(Inspection)
        .where(
            Inspection.enterprise_id == clue.task_enterprise_id,
            Inspection.inspector_id == clue.task_inspector_id,
            Inspection.state != "draft",
            Inspection.started_at >= clue.task_at,
        )
        .order_by(Inspection.id)
        .limit(1)
    )


def counts(user: User) -> dict[str, int]:
    """Open and overdue clues in a handler's scope (one query), for the home page."""
    visible = scope(user).where(Clue.status.in_(OPEN)).subquery()
    row = db.session.execute(
        sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((visible.c.due_on < clock.today(), 1), else_=0)), 0)
        ).select_from(visible)
    ).one()
    return {"open": row[0], "overdue": row[1]}


def tasks_for(user: User) -> list[Clue]:
    """Open site checks given to an inspector, for their home page."""
    return list(db.session.scalars(_TASKS, {"user_id": user.id}))


#: Built once: the inspector's home page asks on every visit.
_TASKS = (
    sa.select(Clue)
    .where(Clue.task_inspector_id == sa.bindparam("user_id"), Clue.status.in_(OPEN))
    .options(sa.orm.joinedload(Clue.task_enterprise))
    .order_by(Clue.due_on)
)
