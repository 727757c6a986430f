"""The hazard's closed loop (闭环管理), with the division of powers the rules set:
inspectors report and re-check but never decide (seed 001 art. 13); enforcement officers
confirm, grade, order stop-work and close (seed 002 art. 8); companies rectify.

    reported ──confirm──> confirmed ──acknowledge──> rectifying ──submit──> awaiting_recheck
        └──reject──> rejected                           ^   (progress)          │
                                                        └──── recheck_fail ─────┤
                                     closed <──close── awaiting_closure <──recheck_pass (major)
                                     closed <──────────────────────────────recheck_pass (general)

Every transition is one entry in policy/hazards.TRANSITIONS (who may, from where, to where) and
goes through ``_apply``: scope, role, recusal (policy.hazards.refusal), the version the user saw,
the state, then the change and its HazardEvent in one transaction, and the notifications.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from fieldapp import clock, fields, policy, roles
from fieldapp.clock import SHANGHAI
from fieldapp.db import db, transaction
from fieldapp.errors import Conflict, Forbidden, InputError, NotFound
from fieldapp.i18n import gettext as _
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models import (
    Hazard,
    HazardEvent,
    MediaFile,
    Photo,
    User,
)
from fieldapp.models.hazards import hazard_event_photos, hazard_photos
from fieldapp.policy import hazards as rules
from fieldapp.queries import hazards as statements
from fieldapp.schemas import commands
from fieldapp.schemas.commands import HazardDecision, HazardDecisionSchema
from fieldapp.services import attachments, notifications, photos

# Who sees which hazard and who may take which step live in the policy (policy/hazards.py); the
# names are kept here for the code that reads them with the rest of the loop.
TRANSITIONS = rules.TRANSITIONS
STATUS_LABELS = rules.STATUS_LABELS
OPEN = rules.OPEN
RECTIFYING = rules.RECTIFYING
COMPANY_VISIBLE = rules.COMPANY_VISIBLE
OFFICER, COMPANY, INSPECTOR = rules.OFFICER, rules.COMPANY, rules.INSPECTOR
scope = rules.scope
scope_condition = rules.scope_condition
allowed = rules.allowed
overdue_condition = statements.overdue_condition

LEVEL_LABELS = {"general": _l("一般隐患"), "major": _l("重大事故隐患")}


# --- scope ------------------------------------------------------------------------------


def openable(user: User, inspection_id: int) -> set[int]:
    """The hazards of a record that ``user`` may open (one query): a company manager reads the
    record they signed whole, but opens only the hazards an officer confirmed."""
    return set(
        db.session.scalars(scope(user).with_only_columns(Hazard.id).where(Hazard.inspection_id == inspection_id))
    )


def get(user: User, hazard_id) -> Hazard:
    return policy.get_in_scope(scope(user), Hazard, hazard_id)


def visible(user: User, hazard_id: int | None) -> Hazard | None:
    """The hazard if ``user`` may see it, else None (a page that links it only where allowed)."""
    return db.session.scalar(scope(user).where(Hazard.id == hazard_id)) if hazard_id else None


def photo_in_scope(user: User, photo_id: int) -> Photo | None:
    """A photo of a hazard or of one of its steps (rectification, re-check) ``user`` may see:
    from the photo to its hazards, then the scope (as ``inspections.photo_in_scope``)."""
    owners = sa.union_all(
        sa.select(hazard_photos.c.hazard_id).where(hazard_photos.c.photo_id == photo_id),
        sa.select(HazardEvent.hazard_id)
        .join(hazard_event_photos, hazard_event_photos.c.event_id == HazardEvent.id)
        .where(hazard_event_photos.c.photo_id == photo_id),
    )
    visible = scope(user).with_only_columns(Hazard.id).where(Hazard.id.in_(owners))
    return db.session.scalar(sa.select(Photo).where(Photo.id == photo_id, sa.exists(visible)))


def work_counts(user: User) -> dict[str, int]:
    """How many hazards wait on each kind of work in ``user``'s scope (one query), for the home page."""
    shape, values = policy.scope_binding(user)
    statement = statements.work_counts_statement(shape)
    return dict(db.session.execute(statement, {**values, "today": clock.today()}).one()._mapping)


def waiting_for_rectification(user: User, limit: int = 5) -> list[Hazard]:
    """The hazards in ``user``'s scope whose rectification is due, the nearest deadline first (the
    company's home lists them with what is left of each deadline)."""
    return list(
        db.session.scalars(
            scope(user)
            .where(Hazard.status.in_(RECTIFYING))
            .options(sa.orm.joinedload(Hazard.enterprise))
            .order_by(Hazard.deadline, Hazard.id)
            .limit(limit)
        )
    )


def is_overdue(hazard: Hazard, on: date | None = None) -> bool:
    return hazard.status in RECTIFYING and hazard.deadline is not None and hazard.deadline < (on or clock.today())


def days_left(hazard: Hazard) -> int | None:
    return (hazard.deadline - clock.today()).days if hazard.deadline and hazard.status in OPEN else None


# --- who may act ------------------------------------------------------------------------


def _acting_role(user: User, allowed_roles: frozenset[str]) -> str:
    return next(r for r in roles.ALL if r in allowed_roles and user.has_role(r))


# --- the one way a hazard changes ----------------------------------------------------------


def check(user: User, hazard: Hazard, action: str, seen_version: int | None = None) -> None:
    """Refuse, with the reason, before anything is stored: a wrong role or person is
    forbidden (403); a hazard changed meanwhile or in another state is a conflict (409)."""
    if not rules.in_scope(user, hazard):
        raise NotFound(_("找不到该记录，或您无权查看。"))
    if seen_version is not None and seen_version != hazard.version:
        raise Conflict(_stale_message(hazard))
    reason = rules.refusal(user, hazard, action, True)
    if reason:
        state_problem = user.has_role(*TRANSITIONS[action].roles) and hazard.status not in TRANSITIONS[action].sources
        raise (Conflict if state_problem else Forbidden)(reason)


def _apply(
    user: User,
    hazard: Hazard,
    action: str,
    seen_version: int | None,
    note: str,
    change: Callable[[], dict],
    event_photos: list[Photo] = (),
    files: list[MediaFile] = (),
    client_uuid: str | None = None,
    at: datetime | None = None,
) -> HazardEvent:
    check(user, hazard, action, seen_version)
    before = hazard.status
    data = change()  # validates and sets fields; raises InputError with nothing changed
    target = TRANSITIONS[action].target or data.pop("_to", before)
    hazard.status = target
    event = HazardEvent(
        hazard=hazard,
        actor_id=user.id,
        actor_role=_acting_role(user, TRANSITIONS[action].roles),
        action=action,
        from_status=before,
        to_status=target,
        note=note.strip()[:4000],
        data=data,
        photos=list(event_photos),
        files=list(files),
        client_uuid=client_uuid,
    )
    if at is not None:
        event.created_at = at  # recorded offline: the time on site, not the time of sync
    db.session.add(event)
    try:
        db.session.flush()
    except StaleDataError:  # someone else changed it between our read and our write
        db.session.rollback()
        fresh = db.session.get(Hazard, hazard.id)
        raise Conflict(_stale_message(fresh)) from None
    notifications.for_event(hazard, event)
    db.session.commit()
    return event


def _stale_message(hazard: Hazard) -> str:
    last = hazard.events[-1] if hazard.events else None
    if last is None:
        return _("该隐患已被他人更新，请刷新后查看。")
    return _(
        "该隐患刚刚已由%(who)s于 %(when)s %(action)s，当前状态为「%(status)s」。您的操作未保存，请刷新后查看。",
        who=last.actor.display_name,
        when=last.created_at.astimezone(SHANGHAI).strftime("%H:%M"),
        action=TRANSITIONS[last.action].label if last.action in TRANSITIONS else last.action,
        status=STATUS_LABELS[hazard.status],
    )


# --- input helpers -------------------------------------------------------------------------


def _deadline(errors: dict, raw, key: str = "deadline") -> date | None:
    if isinstance(raw, date):
        value = raw
    else:
        try:
            value = date.fromisoformat((raw or "").strip())
        except ValueError:
            errors[key] = _("请填写整改期限（日期）。")
            return None
    if value < clock.today():
        errors[key] = _("整改期限不能早于今天。")
    elif value > clock.today() + timedelta(days=366):
        errors[key] = _("整改期限不能超过一年。")
    return value


def _checked_photos(
    uploads: list[tuple[bytes, str]], errors: dict, key: str = "photos", required: str | None = None
) -> list[tuple[bytes, str]]:
    """The photos of a form, checked and not yet stored: a form stores nothing until every one of
    its files passed (a refused upload must leave no file behind)."""
    if required and not uploads:
        errors[key] = required
        return []
    for data, _name in uploads:
        try:
            photos.check(data)
        except photos.PhotoError as err:
            errors[key] = err.message
            return []
    return list(uploads)


def _store_photos(user: User, checked: list[tuple[bytes, str]]) -> list[Photo]:
    return [photos.store(data, user, None, name) for data, name in checked]


def _photos(
    user: User, uploads: list[tuple[bytes, str]], errors: dict, key: str = "photos", required: str | None = None
) -> list[Photo]:
    checked = _checked_photos(uploads, errors, key, required)
    return [] if errors else _store_photos(user, checked)


def _stop_work(errors: dict, values: dict) -> dict:
    """A major hazard's stop-work order and emergency measures (seed 002 art. 8(2))."""
    need = _("确认重大事故隐患须填写此项。")
    return {
        "stop_scope": fields.text(values, "stop_scope", 2000, errors, need),
        "workers_withdrawn": fields.text(values, "workers_withdrawn", 2000, errors, need),
        "emergency_measures": fields.text(values, "emergency_measures", 2000, errors, need),
        "order_number": fields.text(values, "order_number", 64, errors, need),
    }


def _set_order(hazard: Hazard, order: dict) -> None:
    hazard.stop_work = True
    for key, value in order.items():
        setattr(hazard, key, value)


# --- transitions ---------------------------------------------------------------------------


@transaction
def confirm(
    user: User, hazard: Hazard, decision: HazardDecision | Mapping, seen_version: int | None = None
) -> HazardEvent:
    """Confirm with the final level, deadline, required measures and basis; a major hazard
    needs the stop-work order. ``decision``: the command, or the form's values (read by its
    schema only after the officer may confirm at all)."""

    def change():
        chosen = decision if isinstance(decision, HazardDecision) else commands.load(HazardDecisionSchema(), decision)
        order = chosen.stop_work_order()
        hazard.level, hazard.deadline, hazard.required_measures, hazard.decision_basis = (
            chosen.level,
            chosen.deadline,
            chosen.required_measures,
            chosen.decision_basis,
        )
        hazard.officer_id, hazard.confirmed_at = user.id, clock.now()
        hazard.notice_number = f"ZG-{clock.today():%Y}-{hazard.id:06d}"
        if order:
            _set_order(hazard, order)
        return {
            "level": chosen.level,
            "deadline": chosen.deadline.isoformat(),
            "required_measures": chosen.required_measures,
            "decision_basis": chosen.decision_basis,
            **order,
        }

    note = decision.note if isinstance(decision, HazardDecision) else decision.get("note", "")
    return _apply(user, hazard, "confirm", seen_version, note, change)


@transaction
def reject(user: User, hazard: Hazard, reason: str, seen_version: int | None = None) -> HazardEvent:
    def change():
        errors: dict[str, str] = {}
        text = fields.text({"reason": reason}, "reason", 2000, errors, _("不予确认须写明理由。"))
        if errors:
            raise InputError(errors)
        hazard.reject_reason, hazard.officer_id = text, user.id
        return {"reason": text}

    return _apply(user, hazard, "reject", seen_version, reason, change)


@transaction
def regrade(user: User, hazard: Hazard, values: dict, seen_version: int | None = None) -> HazardEvent:
    def change():
        errors: dict[str, str] = {}
        level = values.get("level")
        if level not in ("general", "major"):
            errors["level"] = _("请选择认定等级：一般隐患或重大事故隐患。")
        elif level == hazard.level:
            errors["level"] = _("等级没有变化。")
        note = fields.text(values, "note", 2000, errors, _("调整等级须写明理由。"))
        order = _stop_work(errors, values) if level == "major" and not hazard.stop_work else {}
        if errors:
            raise InputError(errors)
        before = hazard.level
        hazard.level = level
        if order:
            _set_order(hazard, order)
        return {"from_level": before, "level": level, "reason": note, **order}

    return _apply(user, hazard, "regrade", seen_version, values.get("note", ""), change)


@transaction
def acknowledge(user: User, hazard: Hazard, note: str = "", seen_version: int | None = None) -> HazardEvent:
    return _apply(user, hazard, "acknowledge", seen_version, note, lambda: {})


@transaction
def progress(
    user: User, hazard: Hazard, note: str, uploads: list[tuple[bytes, str]] = (), seen_version: int | None = None
) -> HazardEvent:
    check(user, hazard, "progress", seen_version)
    errors: dict[str, str] = {}
    fields.text({"note": note}, "note", 4000, errors, _("请填写整改进展。"))
    if errors:
        raise InputError(errors)
    stored = _photos(user, list(uploads), errors)
    if errors:
        raise InputError(errors)
    return _apply(user, hazard, "progress", seen_version, note, lambda: {}, stored)


@transaction
def submit(
    user: User,
    hazard: Hazard,
    description: str,
    uploads: list[tuple[bytes, str]],
    documents: list[tuple[bytes, str]] = (),
    seen_version: int | None = None,
) -> HazardEvent:
    """The company's rectification: what was done, photos of the result, documents."""
    check(user, hazard, "submit", seen_version)  # before storing any file
    errors: dict[str, str] = {}
    text = fields.text({"description": description}, "description", 4000, errors, _("请说明整改情况。"))
    if not uploads:
        errors["photos"] = _("请上传整改后的现场照片（至少一张）。")
    if errors:
        raise InputError(errors)
    checked_photos = _checked_photos(list(uploads), errors)
    checked_pdfs = attachments.checked_pdfs(list(documents), errors)
    if errors:
        raise InputError(errors)
    stored, files = _store_photos(user, checked_photos), attachments.store_pdfs(user, checked_pdfs)
    return _apply(user, hazard, "submit", seen_version, text, lambda: {"description": text}, stored, files)


@transaction
def recheck(
    user: User,
    hazard: Hazard,
    passed: bool,
    values: dict,
    uploads: list[tuple[bytes, str]],
    seen_version: int | None = None,
    at: datetime | None = None,
    client_uuid: str | None = None,
) -> HazardEvent:
    """On-site re-check (复查) with photos and position. Passed: a general hazard is closed,
    a major one awaits the officer's closure. Failed: back to rectifying, with a reason and
    a new deadline."""
    action = "recheck_pass" if passed else "recheck_fail"
    check(user, hazard, action, seen_version)
    errors: dict[str, str] = {}
    note = fields.text(values, "note", 4000, errors, None if passed else _("复查不通过须写明原因。"))
    deadline = None if passed else _deadline(errors, values.get("deadline"))
    position = _position(errors, values)
    if not uploads:
        errors["photos"] = _("复查须拍摄现场照片（至少一张）。")
    if errors:
        raise InputError(errors)
    stored = _photos(user, list(uploads), errors)
    if errors:
        raise InputError(errors)  # the photos stored so far are rolled back by @transaction

    def change():
        data = {"passed": passed, **position}
        if at is not None:
            data["received_at"] = clock.now().isoformat()
        if passed:
            data["_to"] = "closed" if hazard.effective_level == "general" else "awaiting_closure"
            if data["_to"] == "closed":
                hazard.closed_at = clock.now()
        else:
            hazard.deadline = deadline
            data["deadline"] = deadline.isoformat()
        return data

    return _apply(user, hazard, action, seen_version, note, change, stored, client_uuid=client_uuid, at=at)


def _position(errors: dict, values: dict) -> dict:
    raw = {k: str(values.get(k) or "").strip() for k in ("latitude", "longitude", "accuracy_m")}
    if not raw["latitude"] and not raw["longitude"]:
        return {}
    try:
        lat, lng = float(raw["latitude"]), float(raw["longitude"])
        acc = float(raw["accuracy_m"]) if raw["accuracy_m"] else None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise ValueError
    except ValueError:
        errors["position"] = _("定位数据无效，请重新获取位置。")
        return {}
    return {"latitude": lat, "longitude": lng, "accuracy_m": acc}


@transaction
def close(user: User, hazard: Hazard, note: str = "", seen_version: int | None = None) -> HazardEvent:
    def change():
        hazard.closed_at = clock.now()
        return {}

    return _apply(user, hazard, "close", seen_version, note, change)
