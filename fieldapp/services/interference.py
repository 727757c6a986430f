"""Records of leaders' interference in enforcement (seed 003).

An officer or inspector records who tried to sway a case, how and when, and what was
asked; saving sends it to the discipline inspectors of the recorder's department
(art. 9: within three working days of the event — the limit is computed, kept and shown).
Only the recorder and those discipline inspectors can open it; admins and leaders
cannot, and every opening (and every refused attempt) is logged. Records are never
edited or deleted (services.integrity): later facts are supplements, the discipline
inspectors' work is a series of follow-ups.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from fieldapp import clock, policy, roles
from fieldapp.clock import SHANGHAI
from fieldapp.db import MAX_ID, commit, db, transaction
from fieldapp.errors import Forbidden, InputError
from fieldapp.i18n import gettext as _
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models import (
    Hazard,
    InterferenceFollowUp,
    InterferenceRecord,
    InterferenceSupplement,
    ReadLog,
    User,
    UserOrgUnit,
)
from fieldapp.models.interference import FOLLOW_UP_STATES, INTERFERENCE_CONDUCT, INTERFERENCE_MANNER
from fieldapp.schemas import commands
from fieldapp.schemas.commands.accountability import (
    UNKNOWN_HAZARD,
    FollowUpSchema,
    Interference,
    InterferenceSchema,
    SupplementSchema,
)
from fieldapp.services import attachments, audit, hazards, notifications, workdays

REPORT_WITHIN_WORKING_DAYS = 3

MANNER_LABELS = {
    "in_person": _l("当面"),
    "phone": _l("电话"),
    "written": _l("书面（批条、信函、短信等）"),
    "through_others": _l("通过亲属或身边工作人员"),
    "other": _l("其他方式"),
}
CONDUCT_LABELS = {
    "case_acceptance": _l("违规指令受理或不予受理、立案或不予立案"),
    "obstruction": _l("妨碍、阻挠、干扰正常执法"),
    "through_relatives": _l("默许或授意亲属、身边工作人员干扰执法"),
    "exoneration": _l("为违法行为人开脱、减轻责任或提出其他不正当要求"),
    "shielding": _l("包庇、袒护和放纵违法行为"),
    "leaking": _l("泄露执法信息或打探案件处理进展"),
    "blocking_documents": _l("阻挠、拖延或不履行生效的法律文书"),
    "other": _l("以其他方式干扰执法"),
}
FOLLOW_UP_LABELS = {
    "received": _l("已接收"),
    "verifying": _l("核实中"),
    "handled": _l("已处理"),
    "referred": _l("已移送或通报"),
}
assert set(MANNER_LABELS) == set(INTERFERENCE_MANNER) and set(CONDUCT_LABELS) == set(INTERFERENCE_CONDUCT)
assert set(FOLLOW_UP_LABELS) == set(FOLLOW_UP_STATES)

DENIED = _l("干预记录只有记录人和本单位纪检监察人员可以查看。此次访问已记录。")


scope = policy.records.interference


RECORD_LOADS = (
    sa.orm.joinedload(InterferenceRecord.recorder),
    sa.orm.joinedload(InterferenceRecord.org_unit),
    sa.orm.selectinload(InterferenceRecord.files),
    sa.orm.selectinload(InterferenceRecord.supplements).options(
        sa.orm.joinedload(InterferenceSupplement.author), sa.orm.selectinload(InterferenceSupplement.files)
    ),
    sa.orm.selectinload(InterferenceRecord.follow_ups).joinedload(InterferenceFollowUp.author),
)


def open_record(user: User, record_id) -> InterferenceRecord:
    """The record for reading, logged. Anyone else gets the same refusal whether or not the
    record exists (no leak), and an attempt on a real record is logged as denied."""
    try:
        record_id = int(record_id)
    except (TypeError, ValueError):
        raise Forbidden(str(DENIED)) from None
    record = (
        db.session.scalar(scope(user).options(*RECORD_LOADS).where(InterferenceRecord.id == record_id))
        if 0 < record_id <= MAX_ID
        else None
    )
    if record is None:
        if 0 < record_id <= MAX_ID and db.session.get(InterferenceRecord, record_id) is not None:
            _log_denied(user, record_id)
        raise Forbidden(str(DENIED))
    audit.read(user, "interference", record.id)
    return record


def _log_denied(user: User, record_id: int) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            sa.insert(ReadLog).values(
                user_id=user.id, object_type="interference", object_id=record_id, at=clock.now(), denied=True
            )
        )


def log_denied(user: User, record_id: int) -> None:
    """An attempt to change a record through some route: refused by the caller, logged here."""
    if db.session.get(InterferenceRecord, record_id) is not None:
        _log_denied(user, record_id)


# --- recording --------------------------------------------------------------------------------


def _department(user: User) -> int | None:
    if user.org_unit_id:
        return user.org_unit_id
    return db.session.scalar(
        sa.select(UserOrgUnit.org_unit_id)
        .where(UserOrgUnit.user_id == user.id)
        .order_by(UserOrgUnit.org_unit_id)
        .limit(1)
    )


def due_on(occurred: datetime) -> date:
    return workdays.add_working_days(occurred.astimezone(SHANGHAI).date(), REPORT_WITHIN_WORKING_DAYS)


@transaction
def record(user: User, values: Interference | Mapping, uploads: list[tuple[bytes, str]] = ()) -> InterferenceRecord:
    policy.require(user, "interference.record")
    said, errors = commands.problems(InterferenceSchema(), values)
    if said is not None and said.hazard_id is not None:
        visible = hazards.scope(user).with_only_columns(Hazard.id)
        if db.session.scalar(visible.where(Hazard.id == said.hazard_id)) is None:
            errors["hazard_id"] = str(UNKNOWN_HAZARD)
    department = _department(user)
    if department is None:
        errors["_"] = _("您的账号没有所属部门，无法确定报送的纪检监察机构。请联系管理员设置后再记录。")
    files = [] if errors else attachments.documents(user, list(uploads), errors)
    if errors:
        raise InputError(errors)
    row = InterferenceRecord(
        recorder_id=user.id,
        org_unit_id=department,
        leader_name=said.leader_name,
        leader_position=said.leader_position,
        leader_unit=said.leader_unit,
        manner=said.manner,
        conduct=said.conduct,
        occurred_at=said.occurred_at,
        request=said.request,
        case_ref=said.case_ref,
        hazard_id=said.hazard_id,
        due_on=due_on(said.occurred_at),
    )
    row.files = files
    db.session.add(row)
    db.session.flush()
    _tell_discipline(row, "interference", f"interference:{row.id}")
    commit()
    return row


def _tell_discipline(row: InterferenceRecord, kind: str, key: str) -> None:
    notifications.notify(
        policy.holders(row.org_unit_id, roles.DISCIPLINE_INSPECTOR),
        kind,
        key,
        f"/interference/{row.id}",
        row.org_unit_id,
    )


@transaction
def supplement(
    user: User, row: InterferenceRecord, values: Mapping, uploads: list[tuple[bytes, str]] = ()
) -> InterferenceSupplement:
    """Later facts, appended by the recorder; the record itself never changes."""
    if not policy.interference.may_supplement(user, row):
        raise Forbidden(_("只有记录人可以补充干预记录。"))
    said, errors = commands.problems(SupplementSchema(), values)
    text = said["text"] if said else ""
    files = [] if errors else attachments.documents(user, list(uploads), errors)
    if errors:
        raise InputError(errors)
    added = InterferenceSupplement(record_id=row.id, author_id=user.id, text=text)
    added.files = files
    db.session.add(added)
    db.session.flush()
    _tell_discipline(row, "interference_supplement", f"interference_supplement:{added.id}")
    commit()
    return added


@transaction
def follow_up(user: User, row: InterferenceRecord, values: Mapping) -> InterferenceFollowUp:
    """A discipline inspector's step (verification, handling, referral), appended."""
    if not policy.interference.may_follow_up(user, row):
        raise Forbidden(_("只有本单位纪检监察人员可以登记处理情况。"))
    said = commands.read(FollowUpSchema(), values)
    step = InterferenceFollowUp(record_id=row.id, author_id=user.id, state=said["state"], note=said["note"])
    db.session.add(step)
    commit()
    return step


# --- reading ----------------------------------------------------------------------------------


@dataclass
class Timeliness:
    due_on: date
    reported_on: date
    late_by: int  # working days after the limit; 0 = in time

    @property
    def on_time(self) -> bool:
        return self.late_by == 0


def timeliness(row: InterferenceRecord) -> Timeliness:
    reported = row.created_at.astimezone(SHANGHAI).date()
    return Timeliness(row.due_on, reported, workdays.working_days_after(row.due_on, reported))


def state(row: InterferenceRecord) -> str:
    return row.follow_ups[-1].state if row.follow_ups else "new"


def register(user: User, q: str = "") -> list[InterferenceRecord]:
    """The discipline inspectors' register (and a recorder's own list), newest first."""
    query = scope(user).options(
        sa.orm.selectinload(InterferenceRecord.follow_ups),
        sa.orm.joinedload(InterferenceRecord.recorder),
        sa.orm.joinedload(InterferenceRecord.org_unit),
    )
    q = q.strip()[:64]
    if q:
        like = f"%{q}%"
        query = query.where(
            sa.or_(
                InterferenceRecord.leader_name.like(like),
                InterferenceRecord.leader_unit.like(like),
                InterferenceRecord.case_ref.like(like),
            )
        )
    return list(db.session.scalars(query.order_by(InterferenceRecord.id.desc()).limit(500)).unique())


def unreceived_count(user: User) -> int:
    """Records sent to a discipline inspector's departments that nobody has followed up yet."""
    ids = policy.org_ids_of(user, roles.DISCIPLINE_INSPECTOR)
    if ids is None:
        return 0
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(InterferenceRecord)
        .where(
            InterferenceRecord.org_unit_id.in_(ids),
            ~sa.exists().where(InterferenceFollowUp.record_id == InterferenceRecord.id),
        )
    )


def aggregates(rows: list[InterferenceRecord]) -> dict:
    """Counts by the leader's unit and by leader (art. 9: periodic summary and analysis)."""
    by_unit = Counter(r.leader_unit for r in rows)
    by_leader = Counter((r.leader_name, r.leader_position, r.leader_unit) for r in rows)
    by_state = Counter(state(r) for r in rows)
    late = sum(1 for r in rows if not timeliness(r).on_time)
    return {
        "by_unit": by_unit.most_common(),
        "by_leader": by_leader.most_common(),
        "by_state": by_state,
        "late": late,
        "total": len(rows),
    }


def attempts(row: InterferenceRecord) -> list[ReadLog]:
    """Who opened it and who was refused (for the discipline inspectors)."""
    return audit.readers("interference", row.id)
