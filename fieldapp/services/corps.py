"""Running the inspector corps by the rules (seed 001 art. 6–16, 22–26; seed 002 art. 9–20).

- Records: kind, status, qualifications, contract and term (part-time terms are three years;
  renewals come up 60 days ahead).
- Work IDs: one numbering scheme (``WORK_ID_FORMAT``: region code + year + sequence), each number
  issued once and never again, and only after pre-job training (≥ 1 month) and a passed exam.
- Training: sessions and attendance; each person's yearly in-service days against the rule
  (grid inspectors ≥ 15, technical inspectors ≥ 7); overlapping sessions refused.
- Equipment issued and returned; dismissal as a checklist: equipment back, work ID revoked,
  grids handed over, a public notice (seed 001 art. 25), the account closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from fieldapp import clock, fields, policy, roles
from fieldapp.db import commit, db, transaction
from fieldapp.errors import Conflict, Forbidden, InputError
from fieldapp.i18n import gettext as _
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models import (
    Equipment,
    InspectorGrid,
    InspectorRecord,
    OrgUnit,
    TrainingAttendance,
    TrainingSession,
    User,
    UserRole,
    WorkIdIssue,
)
from fieldapp.queries.paging import Page, paginate
from fieldapp.schemas import commands
from fieldapp.schemas.commands import people as people_commands
from fieldapp.schemas.commands.people import (
    Attendance,
    AttendanceSchema,
    InspectorFile,
    InspectorFileSchema,
    Issue,
    IssueSchema,
    TrainingCourse,
    TrainingCourseSchema,
)
from fieldapp.services import sessions

KIND_LABELS = {"grid": _l("网格员"), "technical_full": _l("专职技术检查员"), "technical_part": _l("兼职技术检查员")}
STATUS_LABELS = {
    "candidate": _l("拟聘"),
    "training": _l("岗前培训中"),
    "active": _l("在岗"),
    "suspended": _l("暂停"),
    "dismissed": _l("已解聘"),
}
CONTRACT_LABELS = {
    "staff": _l("在编"),
    "labour": _l("劳动合同"),
    "dispatch": _l("劳务派遣"),
    "part_time": _l("兼职聘用"),
    "purchase": _l("政府购买服务"),
}
TRAINING_KIND_LABELS = {"pre_job": _l("岗前培训"), "in_service": _l("在岗培训")}
EQUIPMENT_LABELS = {
    "helmet": _l("安全帽"),
    "terminal": _l("移动终端"),
    "protective": _l("防护用品"),
    "badge": _l("工作证件"),
    "other": _l("其他"),
}

PRE_JOB_DAYS = Decimal(30)  # "不少于 1 个月"
IN_SERVICE_DAYS = {"grid": Decimal(15), "technical_full": Decimal(7), "technical_part": Decimal(7)}
PART_TIME_TERM_YEARS = people_commands.PART_TIME_TERM_YEARS
RENEWAL_NOTICE_DAYS = 60


# --- who ---------------------------------------------------------------------------------------


def people_scope(admin: User) -> sa.Select:
    """Inspectors among the accounts an admin manages."""
    inspectors = sa.select(UserRole.user_id).where(UserRole.role.in_(roles.INSPECTORS))
    return policy.user_scope(admin).where(User.id.in_(inspectors))


def people_page(admin: User, page: int, per_page: int) -> Page:
    """Page ``page`` of the people ``admin`` manages: active first, by name."""
    return paginate(
        people_scope(admin).order_by(User.active.desc(), User.display_name),
        page,
        per_page,
        sa.orm.selectinload(User.role_rows),
    )


def active_people(admin: User) -> list[User]:
    """The active people ``admin`` manages, by name (who can attend, who is assessed)."""
    return list(db.session.scalars(people_scope(admin).where(User.active.is_(True)).order_by(User.display_name)))


def everyone(admin: User) -> list[User]:
    """Everyone ``admin`` manages, by name, with roles and grids (the corps export)."""
    return list(
        db.session.scalars(
            people_scope(admin)
            .order_by(User.display_name)
            .options(sa.orm.selectinload(User.role_rows), sa.orm.selectinload(User.grids))
        )
    )


def get_person(admin: User, user_id) -> User:
    return policy.get_in_scope(people_scope(admin), User, user_id)


def record_of(person: User) -> InspectorRecord:
    """The person's record; a fresh one (not yet stored) if none was kept."""
    return db.session.get(InspectorRecord, person.id) or _fresh_record(person)


def records_of(people: list[User]) -> dict[int, InspectorRecord]:
    """Each person's record by user id (fresh ones for those without), in one query."""
    found = {
        r.user_id: r
        for r in db.session.scalars(
            sa.select(InspectorRecord).where(InspectorRecord.user_id.in_([p.id for p in people]))
        )
    }
    return {p.id: found.get(p.id) or _fresh_record(p) for p in people}


def _fresh_record(person: User) -> InspectorRecord:
    kind = "grid" if person.has_role(roles.GRID_INSPECTOR) else "technical_full"
    return InspectorRecord(
        user_id=person.id,
        kind=kind,
        status="candidate",
        contract_type="labour",
        degree="",
        title="",
        qualifications="",
        registered_safety_engineer=False,
        dismissal_notice="",
        dismissal_grids="",
    )


# --- the record ---------------------------------------------------------------------------------


@transaction
def save_record(admin: User, person: User, values: InspectorFile | Mapping) -> InspectorRecord:
    policy.require(admin, "user.manage", person)
    record = record_of(person)
    kept = {"kind": record.kind, "status": record.status, "contract_type": record.contract_type}
    chosen = commands.read(InspectorFileSchema(kept), values)
    record.kind, record.status, record.contract_type = chosen.kind, chosen.status, chosen.contract_type
    record.term_start, record.term_end = chosen.term_start, chosen.term_end
    record.degree, record.title, record.qualifications = chosen.degree, chosen.title, chosen.qualifications
    record.registered_safety_engineer = chosen.registered_safety_engineer
    db.session.add(record)
    commit()
    return record


@transaction
def create_session(admin: User, values: TrainingCourse | Mapping) -> TrainingSession:
    policy.require(admin, "user.manage")
    course, errors = commands.problems(TrainingCourseSchema(), values)
    unit_id = _unit(admin, commands.given_value(values, "org_unit_id"), errors)
    if errors:
        raise InputError(errors)
    session = TrainingSession(
        org_unit_id=unit_id,
        title=course.title,
        kind=course.kind,
        starts_on=course.starts_on,
        ends_on=course.ends_on,
        days=course.days,
    )
    db.session.add(session)
    commit()
    return session


def _unit(admin: User, raw_id, errors: dict) -> int | None:
    unit = policy.managed_unit(admin, raw_id)
    if unit is None:
        errors["org_unit_id"] = _("请选择您管理的单位。")
        return None
    return unit.id


def sessions_scope(admin: User) -> sa.Select:
    return sa.select(TrainingSession).where(
        TrainingSession.org_unit_id.in_(policy.org_unit_scope(admin).with_only_columns(OrgUnit.id))
    )


@transaction
def sessions_of(admin: User) -> list[TrainingSession]:
    """The training sessions of ``admin``'s departments, newest first (the last 200)."""
    return list(db.session.scalars(sessions_scope(admin).order_by(TrainingSession.starts_on.desc()).limit(200)))


def get_session(admin: User, session_id) -> TrainingSession:
    return policy.get_in_scope(sessions_scope(admin), TrainingSession, session_id)


@transaction
def record_attendance(admin: User, session: TrainingSession, values: Attendance | Mapping) -> TrainingAttendance:
    """One person's attendance (days, exam): refused when it overlaps another session of theirs."""
    attended, errors = commands.problems(AttendanceSchema(Decimal(session.days)), values)
    person_id = attended.user_id if attended else fields.ident(commands.given_value(values, "user_id"))
    person = db.session.scalar(people_scope(admin).where(User.id == person_id)) if person_id else None
    if person is None:
        errors["user_id"] = _("请选择您管理的检查员。")
    if person is not None and not errors:
        clash = db.session.scalar(
            sa.select(TrainingSession)
            .join(TrainingAttendance, TrainingAttendance.session_id == TrainingSession.id)
            .where(
                TrainingAttendance.user_id == person.id,
                TrainingSession.id != session.id,
                TrainingSession.starts_on <= session.ends_on,
                TrainingSession.ends_on >= session.starts_on,
            )
            .limit(1)
        )
        if clash is not None:
            errors["user_id"] = _(
                "%(name)s 已参加同期的「%(title)s」（%(a)s 至 %(b)s），时间重叠。",
                name=person.display_name,
                title=clash.title,
                a=clash.starts_on.isoformat(),
                b=clash.ends_on.isoformat(),
            )
    if errors:
        raise InputError(errors)
    row = db.session.get(TrainingAttendance, (session.id, person.id)) or TrainingAttendance(
        session_id=session.id, user_id=person.id
    )
    score = attended.exam_score
    row.days, row.exam_score = attended.days, score
    row.passed = (
        None if score is None and session.kind == "in_service" else (attended.passed if score is None else score >= 60)
    )
    db.session.add(row)
    commit()
    return row


@dataclass
class Training:
    pre_job_days: Decimal
    exam_passed: bool
    in_service_days: Decimal  # in the year asked for
    required: Decimal

    @property
    def shortfall(self) -> Decimal:
        return max(Decimal(0), self.required - self.in_service_days)

    @property
    def pre_job_done(self) -> bool:
        return self.pre_job_days >= PRE_JOB_DAYS and self.exam_passed


def training(user_ids: list[int], year: int, kinds: dict[int, str]) -> dict[int, Training]:
    """Each person's pre-job total (ever), passed exam, and in-service days in ``year`` (one query)."""
    if not user_ids:
        return {}
    jan1, dec31 = date(year, 1, 1), date(year, 12, 31)
    t = TrainingSession
    rows = db.session.execute(
        sa.select(
            TrainingAttendance.user_id,
            sa.func.coalesce(sa.func.sum(sa.case((t.kind == "pre_job", TrainingAttendance.days), else_=0)), 0),
            sa.func.max(sa.case((sa.and_(t.kind == "pre_job", TrainingAttendance.passed.is_(True)), 1), else_=0)),
            sa.func.coalesce(
                sa.func.sum(
                    sa.case(
                        (
                            sa.and_(t.kind == "in_service", t.starts_on >= jan1, t.starts_on <= dec31),
                            TrainingAttendance.days,
                        ),
                        else_=0,
                    )
                ),
                0,
            ),
        )
        .join(t, t.id == TrainingAttendance.session_id)
        .where(TrainingAttendance.user_id.in_(user_ids))
        .group_by(TrainingAttendance.user_id)
    ).all()
    found = {uid: (Decimal(pre), bool(passed), Decimal(ins)) for uid, pre, passed, ins in rows}
    return {
        uid: Training(
            *found.get(uid, (Decimal(0), False, Decimal(0))), IN_SERVICE_DAYS.get(kinds.get(uid, "grid"), Decimal(15))
        )
        for uid in user_ids
    }


def attendance(admin: User, year: int) -> list[TrainingAttendance]:
    """The year's attendance at the admin's sessions."""
    return list(
        db.session.scalars(
            sa.select(TrainingAttendance)
            .join(TrainingSession)
            .where(
                TrainingSession.id.in_(sessions_scope(admin).with_only_columns(TrainingSession.id)),
                TrainingSession.starts_on >= date(year, 1, 1),
                TrainingSession.starts_on <= date(year, 12, 31),
            )
            .options(sa.orm.joinedload(TrainingAttendance.session), sa.orm.joinedload(TrainingAttendance.user))
            .order_by(TrainingSession.starts_on, TrainingAttendance.user_id)
        )
    )


# --- work IDs ----------------------------------------------------------------------------------


def _region(person: User) -> str:
    unit = person.org_unit
    if unit is None:
        raise InputError({"_": _("该人员没有所属单位，无法编号。请先设置所属单位。")})
    root_id = int(unit.path.strip("/").split("/")[0]) if unit.path else unit.id
    return db.session.get(OrgUnit, root_id).code


@transaction
def issue_work_id(admin: User, person: User, on: date | None = None) -> WorkIdIssue:
    """The next number of the person's series, once pre-job training and the exam are recorded."""
    policy.require(admin, "user.manage", person)
    record = record_of(person)
    if record.status == "dismissed":
        raise Conflict(_("已解聘人员不能发放工作证。"))
    if person.work_id:
        raise Conflict(_("该人员已有工作证 %(n)s；如需换发，请先收回。", n=person.work_id))
    done = training([person.id], (on or clock.today()).year, {person.id: record.kind})[person.id]
    if not done.pre_job_done:
        raise Forbidden(
            _(
                "须先完成岗前培训（不少于 %(d)s 天，已记录 %(n)s 天）并考试合格，才能发放工作证。",
                d=PRE_JOB_DAYS,
                n=done.pre_job_days,
            )
        )
    on = on or clock.today()
    region, year = _region(person), on.year
    series = f"{region}{year}"
    seq = (db.session.scalar(sa.select(sa.func.max(WorkIdIssue.seq)).where(WorkIdIssue.series == series)) or 0) + 1
    number = current_app.config["WORK_ID_FORMAT"].format(region=region, year=year, seq=seq)
    if db.session.scalar(sa.select(WorkIdIssue.id).where(WorkIdIssue.number == number)):
        raise Conflict(_("工作证号 %(n)s 已被使用，请检查编号规则。", n=number))
    issue = WorkIdIssue(user_id=person.id, number=number, series=series, seq=seq, issued_on=on, issued_by_id=admin.id)
    db.session.add(issue)
    person.work_id = number
    if record.status in ("candidate", "training"):
        record.status = "active"
    db.session.add(record)
    commit()
    return issue


def _revoke(person: User, on: date | None = None) -> bool:
    """Mark the person's current number revoked and clear it; False if they held none."""
    issue = db.session.scalar(
        sa.select(WorkIdIssue).where(WorkIdIssue.user_id == person.id, WorkIdIssue.revoked_on.is_(None))
    )
    held = issue is not None or bool(person.work_id)
    if issue is not None:
        issue.revoked_on = on or clock.today()
    person.work_id = None
    return held


@transaction
def revoke_work_id(admin: User, person: User, on: date | None = None) -> None:
    policy.require(admin, "user.manage", person)
    if not _revoke(person, on):
        raise Conflict(_("该人员没有在用的工作证。"))
    commit()


def work_ids(person: User) -> list[WorkIdIssue]:
    return list(
        db.session.scalars(sa.select(WorkIdIssue).where(WorkIdIssue.user_id == person.id).order_by(WorkIdIssue.id))
    )


# --- equipment and dismissal -------------------------------------------------------------------


@transaction
def issue_equipment(admin: User, person: User, values: Issue | Mapping) -> Equipment:
    policy.require(admin, "user.manage", person)
    issued = commands.read(IssueSchema(), values)
    row = Equipment(
        user_id=person.id, item=issued.item, serial=issued.serial, issued_on=issued.issued_on or clock.today()
    )
    db.session.add(row)
    commit()
    return row


@transaction
def return_equipment(admin: User, person: User, equipment_id: int) -> None:
    policy.require(admin, "user.manage", person)
    row = db.session.scalar(sa.select(Equipment).where(Equipment.id == equipment_id, Equipment.user_id == person.id))
    if row is None or row.returned_on is not None:
        raise Conflict(_("该物品不在此人名下，或已归还。"))
    row.returned_on = clock.today()
    commit()


def equipment_of(person: User) -> list[Equipment]:
    return list(
        db.session.scalars(
            sa.select(Equipment)
            .where(Equipment.user_id == person.id)
            .order_by(Equipment.returned_on.is_not(None), Equipment.id)
        )
    )


def _outstanding(person: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Equipment)
        .where(Equipment.user_id == person.id, Equipment.returned_on.is_(None))
    )


def checklist(person: User) -> list[tuple[str, str, bool]]:
    """What dismissal needs: (key, label, done)."""
    outstanding = _outstanding(person)
    grids = db.session.scalar(
        sa.select(sa.func.count()).select_from(InspectorGrid).where(InspectorGrid.user_id == person.id)
    )
    record = record_of(person)
    return [
        ("equipment", str(_("配发物品全部归还")), outstanding == 0),
        ("work_id", str(_("工作证已收回")), not person.work_id),
        ("grids", str(_("负责的网格已移交")), grids == 0),
        ("notice", str(_("已发布解聘公告")), bool(record.dismissal_notice)),
        ("account", str(_("账号已停用")), not person.active),
    ]


@transaction
def dismiss(admin: User, person: User, notice: str) -> InspectorRecord:
    """Dismiss once the equipment is back: the work ID is revoked, the grids handed over (the
    admin reassigns them), the notice posted on their boards, the account closed."""
    policy.require(admin, "user.manage", person)
    notice = (notice or "").strip()
    if not notice:
        raise InputError({"notice": _("请填写解聘公告的内容。")})
    if len(notice) > 2000:
        raise InputError({"notice": _("不能超过 %(n)d 个字。", n=2000)})
    if _outstanding(person):
        raise Conflict(_("还有配发物品未归还，请先登记归还。"))
    record = record_of(person)
    if record.status == "dismissed":
        raise Conflict(_("该人员已解聘。"))
    served = [g.code for g in person.grids]
    _revoke(person)
    for serving in db.session.scalars(sa.select(InspectorGrid).where(InspectorGrid.user_id == person.id)):
        db.session.delete(serving)  # through the session, so the trail has each
    record.status, record.dismissed_on = "dismissed", clock.today()
    record.dismissal_notice, record.dismissal_grids = notice, " ".join(served)[:200]
    person.active = False
    person.disabled_at = person.disabled_at or clock.now()
    sessions.revoke_all(person)
    db.session.add(record)
    commit()
    return record


def notices_for(grid_code: str, within_days: int = 90) -> list[InspectorRecord]:
    """Recent dismissal notices of people who served this grid (shown on its public board)."""
    since = clock.today() - timedelta(days=within_days)
    rows = db.session.scalars(
        sa.select(InspectorRecord)
        .where(
            InspectorRecord.status == "dismissed",
            InspectorRecord.dismissed_on >= since,
            InspectorRecord.dismissal_grids.like(f"%{grid_code}%"),
        )
        .options(sa.orm.joinedload(InspectorRecord.user))
    )
    return [r for r in rows if grid_code in r.dismissal_grids.split()]


def renewals(admin: User, on: date | None = None) -> list[InspectorRecord]:
    """Terms ending within 60 days (or already ended) among the admin's active inspectors."""
    on = on or clock.today()
    return list(
        db.session.scalars(
            sa.select(InspectorRecord)
            .where(
                InspectorRecord.user_id.in_(people_scope(admin).with_only_columns(User.id)),
                InspectorRecord.status != "dismissed",
                InspectorRecord.term_end.is_not(None),
                InspectorRecord.term_end <= on + timedelta(days=RENEWAL_NOTICE_DAYS),
            )
            .options(sa.orm.joinedload(InspectorRecord.user))
            .order_by(InspectorRecord.term_end)
        )
    )
