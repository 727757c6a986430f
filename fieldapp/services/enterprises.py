"""The enterprise file: validated creation and edits, field status reports, admin
review, and the history of every change.

Input arrives as text (form fields, spreadsheet cells); ``clean()`` turns it into
typed values or a message per field, in the user's language, so the same rules
apply whether a record is typed on a phone or imported from a spreadsheet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from marshmallow import ValidationError

from fieldapp import clock, fields, policy
from fieldapp.db import db, transaction
from fieldapp.errors import InputError, ServiceError
from fieldapp.i18n import gettext as _
from fieldapp.models import Enterprise, EnterpriseChange, Grid, Hazard, MediaFile, User
from fieldapp.schemas import commands
from fieldapp.schemas.commands import enterprises as record_rules
from fieldapp.schemas.commands.enterprises import EnterpriseRecordSchema
from fieldapp.services import audit, photos

CHINA_LAT, CHINA_LNG = record_rules.CHINA_LAT, record_rules.CHINA_LNG
ENTERPRISE_STATUSES = record_rules.ENTERPRISE_STATUSES  # their labels, for the pages

#: Statuses an inspector may report from the field.
FIELD_STATUSES = ("active", "relocated", "closed", "suspended")


class EnterpriseInputError(InputError):
    pass


def district_id_of(grid: Grid) -> int:
    """The district is the root of the grid's org path ("/<district>/<town>/")."""
    return int(grid.org_unit.path.strip("/").split("/")[0])


EDITABLE = (
    "name",
    "uscc",
    "grid_id",
    "status",
    "registered_address",
    "operating_address",
    "latitude",
    "longitude",
    "industry",
    "scale",
    "risk_grade",
    "legal_representative",
    "safety_manager_name",
    "safety_manager_mobile",
    "employee_count",
    "notes",
)


@dataclass
class Cleaned:
    values: dict[str, Any]
    errors: dict[str, str]


def clean(
    raw: dict[str, Any],
    actor: User,
    *,
    existing: Enterprise | None = None,
    grids_by_code: dict[str, Grid] | None = None,
    known_codes: set[tuple[int, str]] | None = None,
) -> Cleaned:
    """Check one record typed by ``actor``. ``raw`` holds text; ``grid`` may be an id or a grid code.

    Bulk callers pass ``grids_by_code`` (the actor's grids) and ``known_codes``
    ((district id, code) pairs on file) so that a row costs no query.
    """
    try:
        values: dict[str, Any] = EnterpriseRecordSchema().load(raw)
        errors: dict[str, str] = {}
    except ValidationError as refused:
        values, errors = dict(refused.valid_data or {}), commands.messages(refused.messages)
    code = values.get("uscc", "")
    grid_text = ("" if raw.get("grid") is None else str(raw["grid"])).strip()

    grid = _grid(grid_text, actor, grids_by_code)
    if grid is None:
        errors["grid"] = _("请选择您管辖范围内的网格。") if grid_text else _("请选择网格。")
    else:
        values["grid_id"] = grid.id
        values["district_id"] = district_id_of(grid)
        if "uscc" not in errors:
            if known_codes is not None:
                clash = (values["district_id"], code) in known_codes
            else:
                clash = db.session.scalar(
                    sa.select(Enterprise.id).where(
                        Enterprise.district_id == values["district_id"],
                        Enterprise.uscc == code,
                        Enterprise.id != (existing.id if existing else -1),
                    )
                )
            if clash:
                errors["uscc"] = _("本区已有使用该统一社会信用代码的企业档案。")
    return Cleaned(values, errors)


def _grid(raw: str, actor: User, grids_by_code: dict[str, Grid] | None) -> Grid | None:
    if not raw:
        return None
    if grids_by_code is not None:
        return grids_by_code.get(raw) or grids_by_code.get(raw.upper())
    query = policy.grid_scope(actor)
    if raw.isdecimal():  # an id (the form's choice), else a code (imports, the API)
        return db.session.scalar(query.where(Grid.id == grid_id)) if (grid_id := fields.ident(raw)) else None
    return db.session.scalar(query.where(Grid.code == raw.upper()))


def _jsonable(value):
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def record_change(
    enterprise: Enterprise, actor: User | None, kind: str, changes: dict, note: str = "", photo: MediaFile | None = None
) -> EnterpriseChange:
    changes = dict(changes)
    changes.pop("district_id", None)  # derived from the grid
    if "grid_id" in changes:
        # Its hazards move with it (lists are scoped by the hazard's grid).
        moved = db.session.scalars(
            sa.update(Hazard)
            .where(Hazard.enterprise_id == enterprise.id)
            .values(grid_id=changes["grid_id"][1])
            .returning(Hazard.id)
            .execution_options(synchronize_session=False)
        ).all()
        if moved:
            audit.bulk_rows(
                db.session,
                "update",
                db.session.scalars(
                    sa.select(Hazard).where(Hazard.id.in_(moved)).execution_options(populate_existing=True)
                ),
            )
        # History shows grid codes, which stay readable if a grid is ever removed.
        ids = [i for i in changes["grid_id"] if i is not None]
        by_id = dict(db.session.execute(sa.select(Grid.id, Grid.code).where(Grid.id.in_(ids))).all())
        changes["grid"] = tuple(by_id.get(i) for i in changes.pop("grid_id"))
    change = EnterpriseChange(
        enterprise_id=enterprise.id,
        actor_id=actor.id if actor else None,
        at=clock.now(),
        kind=kind,
        changes={k: [_jsonable(a), _jsonable(b)] for k, (a, b) in changes.items()},
        note=note,
        photo_id=photo.id if photo else None,
    )
    db.session.add(change)
    return change


def _unique(step: Callable[[], None]) -> None:
    """Flush or commit; a code filed by someone else a moment ago (after our check)
    becomes a message on the code field, not a server error."""
    try:
        step()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise EnterpriseInputError({"uscc": _("本区已有使用该统一社会信用代码的企业档案。")}) from None


def build(values: dict[str, Any]) -> Enterprise:
    return Enterprise(**{k: v for k, v in values.items() if k in EDITABLE or k == "district_id"})


def create(actor: User, raw: dict[str, Any]) -> Enterprise:
    """An admin adds an enterprise to the registry."""
    policy.require(actor, "enterprise.create")
    cleaned = clean(raw, actor)
    if cleaned.errors:
        raise EnterpriseInputError(cleaned.errors)
    enterprise = build(cleaned.values)
    db.session.add(enterprise)
    _unique(db.session.flush)
    record_change(
        enterprise,
        actor,
        "created",
        {k: (None, v) for k, v in cleaned.values.items() if k in EDITABLE and v not in (None, "")},
    )
    _unique(db.session.commit)
    return enterprise


def update(actor: User, enterprise: Enterprise, raw: dict[str, Any], note: str = "") -> dict:
    """An admin edits the file; returns what changed ({} when nothing did)."""
    policy.require(actor, "enterprise.edit", enterprise)
    cleaned = clean(raw, actor, existing=enterprise)
    if cleaned.errors:
        raise EnterpriseInputError(cleaned.errors)
    changes = {}
    for key in EDITABLE + ("district_id",):
        new = cleaned.values.get(key)
        old = getattr(enterprise, key)
        if new != old:
            changes[key] = (old, new)
            setattr(enterprise, key, new)
    if changes:
        record_change(enterprise, actor, "updated", changes, note)
        _unique(db.session.commit)
    return changes


def change_photo(enterprise: Enterprise, change_id: int) -> MediaFile | None:
    """The photo attached to one of the enterprise's changes (None: no such change or photo)."""
    return db.session.scalar(
        sa.select(MediaFile)
        .join(EnterpriseChange, EnterpriseChange.photo_id == MediaFile.id)
        .where(EnterpriseChange.id == change_id, EnterpriseChange.enterprise_id == enterprise.id)
    )


def _field_photo(actor: User, upload: tuple[bytes, str] | None) -> MediaFile | None:
    """The photo an inspector's field report carries (bytes, file name), kept as evidence."""
    if upload is None:
        return None
    try:
        return photos.store_evidence(upload[0], actor, upload[1])
    except photos.PhotoError as refused:
        raise EnterpriseInputError({"photo": refused.message}) from refused


@transaction
def report_status(
    actor: User, enterprise: Enterprise, status: str, note: str, photo: tuple[bytes, str] | None = None
) -> None:
    """An inspector reports from the field that an enterprise moved, closed, stopped or is back."""
    policy.require(actor, "enterprise.report_status", enterprise)
    photo = _field_photo(actor, photo)
    if status not in FIELD_STATUSES:
        raise EnterpriseInputError({"status": _("请选择企业的现状。")})
    if not note.strip():
        raise EnterpriseInputError({"note": _("请说明情况（如搬迁去向、关闭时间）。")})
    if len(note) > 2000:
        raise EnterpriseInputError({"note": _("不能超过 %(n)d 个字。", n=2000)})
    if status == enterprise.status:
        raise EnterpriseInputError({"status": _("企业当前已是该状态。")})
    record_change(enterprise, actor, "status", {"status": (enterprise.status, status)}, note.strip(), photo)
    enterprise.status = status
    db.session.commit()


@transaction
def report_new(actor: User, raw: dict[str, Any], note: str, photo: tuple[bytes, str] | None = None) -> Enterprise:
    """An inspector found an enterprise that is not on file: it enters as newly found,
    pending an admin's review."""
    policy.require(actor, "enterprise.report_new")
    photo = _field_photo(actor, photo)
    raw = dict(raw, status="new")
    cleaned = clean(raw, actor)
    if cleaned.errors:
        raise EnterpriseInputError(cleaned.errors)
    enterprise = build(cleaned.values)
    enterprise.pending_review = True
    db.session.add(enterprise)
    _unique(db.session.flush)
    record_change(
        enterprise,
        actor,
        "reported",
        {k: (None, v) for k, v in cleaned.values.items() if k in EDITABLE and v not in (None, "")},
        note.strip()[:2000],
        photo,
    )
    db.session.commit()
    return enterprise


@transaction
def confirm(actor: User, enterprise: Enterprise, note: str = "") -> None:
    """An admin confirms a newly found enterprise; it becomes an ordinary active file."""
    policy.require(actor, "enterprise.review", enterprise)
    if not enterprise.pending_review:
        raise ServiceError(_("该企业不在待审核状态。"))
    enterprise.pending_review = False
    changes = {"pending_review": (True, False)}
    if enterprise.status == "new":
        changes["status"] = ("new", "active")
        enterprise.status = "active"
    record_change(enterprise, actor, "confirmed", changes, note.strip()[:2000])
    db.session.commit()


def history(enterprise: Enterprise) -> list[EnterpriseChange]:
    return list(db.session.scalars(_HISTORY, {"enterprise_id": enterprise.id}))


#: Built once: the enterprise page shows it each time.
_HISTORY = (
    sa.select(EnterpriseChange)
    .where(EnterpriseChange.enterprise_id == sa.bindparam("enterprise_id"))
    .options(sa.orm.joinedload(EnterpriseChange.actor), sa.orm.joinedload(EnterpriseChange.photo))
    .order_by(EnterpriseChange.at.desc(), EnterpriseChange.id.desc())
)
