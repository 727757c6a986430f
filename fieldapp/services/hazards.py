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
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from fieldapp import clock, policy, roles
from fieldapp.clock import SHANGHAI
from fieldapp.db import commit, db, transaction
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
from fieldapp.schemas.commands.hazards import (
    HazardDecision,
    HazardDecisionSchema,
    ProgressSchema,
    RecheckReport,
    RecheckSchema,
    RectificationSchema,
    Regrade,
    RegradeSchema,
    RejectionSchema,
)
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
    commit()  # inside atomic() (a synced record's follow-ups), the record's transaction decides
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
        chosen = commands.read(HazardDecisionSchema(), decision)
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

    note = commands.given_value(decision, "note") or ""
    return _apply(user, hazard, "confirm", seen_version, note, change)


@transaction
def reject(user: User, hazard: Hazard, reason: str, seen_version: int | None = None) -> HazardEvent:
    def change():
        text = commands.load(RejectionSchema(), {"reason": reason})["reason"]
        hazard.reject_reason, hazard.officer_id = text, user.id
        return {"reason": text}

    return _apply(user, hazard, "reject", seen_version, reason, change)


@transaction
def regrade(user: User, hazard: Hazard, values: Regrade | Mapping, seen_version: int | None = None) -> HazardEvent:
    """Change a confirmed hazard's level, with the reason; raised to major, the stop-work order
    is required unless one stands. ``values``: the command, or the form's values."""

    def change():
        chosen = commands.read(RegradeSchema(hazard.level, hazard.stop_work), values)
        before = hazard.level
        order = {} if hazard.stop_work else chosen.stop_work_order()
        hazard.level = chosen.level
        if order:
            _set_order(hazard, order)
        return {"from_level": before, "level": chosen.level, "reason": chosen.note, **order}

    note = commands.given_value(values, "note") or ""
    return _apply(user, hazard, "regrade", seen_version, note, change)


@transaction
def acknowledge(user: User, hazard: Hazard, note: str = "", seen_version: int | None = None) -> HazardEvent:
    return _apply(user, hazard, "acknowledge", seen_version, note, lambda: {})


@transaction
def progress(
    user: User, hazard: Hazard, note: str, uploads: list[tuple[bytes, str]] = (), seen_version: int | None = None
) -> HazardEvent:
    check(user, hazard, "progress", seen_version)
    commands.load(ProgressSchema(), {"note": note})
    errors: dict[str, str] = {}
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
    said, errors = commands.problems(RectificationSchema(), {"description": description})
    text = said["description"] if said else ""
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
def add_evidence(
    user: User,
    hazard: Hazard,
    note: str,
    photos: list[Photo],
    at: datetime | None = None,
    client_uuid: str | None = None,
    inspection_number: str = "",
) -> HazardEvent:
    """Photos (and a note) from a later visit added to a hazard still open: the inspector found
    the same thing again and said so, instead of reporting it twice (issue 34)."""

    def change():
        return {"inspection": inspection_number} if inspection_number else {}

    return _apply(user, hazard, "evidence", None, note, change, event_photos=photos, client_uuid=client_uuid, at=at)


@transaction
def recheck(
    user: User,
    hazard: Hazard,
    passed: bool,
    values: RecheckReport | Mapping,
    uploads: list[tuple[bytes, str]],
    seen_version: int | None = None,
    at: datetime | None = None,
    client_uuid: str | None = None,
) -> HazardEvent:
    """On-site re-check (复查) with photos and position. Passed: a general hazard is closed,
    a major one awaits the officer's closure. Failed: back to rectifying, with a reason and
    a new deadline. ``values``: the command, or the form's values."""
    action = "recheck_pass" if passed else "recheck_fail"
    check(user, hazard, action, seen_version)
    report, errors = commands.problems(RecheckSchema(passed), values)
    if not uploads:
        errors["photos"] = _("复查须拍摄现场照片（至少一张）。")
    if errors:
        raise InputError(errors)
    stored = _photos(user, list(uploads), errors)
    if errors:
        raise InputError(errors)  # the photos stored so far are rolled back by @transaction

    def change():
        data = {"passed": passed, **report.position()}
        if at is not None:
            data["received_at"] = clock.now().isoformat()
        if passed:
            data["_to"] = "closed" if hazard.effective_level == "general" else "awaiting_closure"
            if data["_to"] == "closed":
                hazard.closed_at = clock.now()
        else:
            hazard.deadline = report.deadline
            data["deadline"] = report.deadline.isoformat()
        return data

    return _apply(user, hazard, action, seen_version, report.note, change, stored, client_uuid=client_uuid, at=at)


@transaction
def close(user: User, hazard: Hazard, note: str = "", seen_version: int | None = None) -> HazardEvent:
    def change():
        hazard.closed_at = clock.now()
        return {}

    return _apply(user, hazard, "close", seen_version, note, change)
