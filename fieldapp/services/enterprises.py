"""The enterprise file: validated creation and edits, field status reports, admin
review, and the history of every change.

Input arrives as text (form fields, spreadsheet cells); ``clean()`` turns it into
typed values or a message per field, in the user's language, so the same rules
apply whether a record is typed on a phone or imported from a spreadsheet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale

from fieldapp import clock, codes, fields, policy
from fieldapp.db import db, transaction
from fieldapp.errors import InputError, ServiceError
from fieldapp.i18n import gettext as _
from fieldapp.models import Enterprise, EnterpriseChange, Grid, Hazard, MediaFile, User
from fieldapp.models.enterprises import ENTERPRISE_STATUSES
from fieldapp.services import audit, photos, uscc
from fieldapp.services.accounts import MOBILE_RE

# Mainland China, generously: a point outside is almost always swapped or mistyped.
CHINA_LAT = (3.5, 54.0)
CHINA_LNG = (73.0, 136.0)

#: Statuses an inspector may report from the field.
FIELD_STATUSES = ("active", "relocated", "closed", "suspended")


class EnterpriseInputError(InputError):
    pass


def district_id_of(grid: Grid) -> int:
    """The district is the root of the grid's org path ("/<district>/<town>/")."""
    return int(grid.org_unit.path.strip("/").split("/")[0])


_LABEL_CACHE: dict[int, dict[str, str]] = {}


def _chinese_labels(code_list: dict) -> dict[str, str]:
    """label (in Chinese, whatever the UI language) -> code, plus code -> code."""
    if id(code_list) not in _LABEL_CACHE:
        with force_locale("zh_CN"):
            out = {str(label): code for code, label in code_list.items()}
        out.update({code: code for code in code_list})
        out.update({code.upper(): code for code in code_list})
        _LABEL_CACHE[id(code_list)] = out
    return _LABEL_CACHE[id(code_list)]


def _coded(code_list: dict, message: Callable[[], str], short: dict | None = None):
    def parse(raw: str):
        if not raw:
            return None
        lookup = _chinese_labels(code_list) | (short or {})
        value = lookup.get(raw) or lookup.get(raw.upper())
        if value is None:
            raise ValueError(message())
        return value

    return parse


def _text(max_len: int, required: Callable[[], str] | None = None):
    def parse(raw: str):
        if not raw and required:
            raise ValueError(required())
        if len(raw) > max_len:
            raise ValueError(_("不能超过 %(n)d 个字。", n=max_len))
        return raw

    return parse


def _mobile(raw: str):
    if not raw:
        return ""
    digits = re.sub(r"[\s\-]", "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    if not MOBILE_RE.match(digits):
        raise ValueError(_("请输入 11 位中国大陆手机号。"))
    return digits


def _count(raw: str):
    if not raw:
        return None
    try:
        value = int(float(raw)) if re.fullmatch(r"\d+(\.0+)?", raw) else int(raw)
    except ValueError:
        raise ValueError(_("请填写整数。")) from None
    if not 0 <= value <= 1_000_000:
        raise ValueError(_("人数应在 0 到 1,000,000 之间。"))
    return value


def _degrees(raw: str, low: float, high: float, message: Callable[[], str]):
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(_("请填写十进制度数，如 31.2639。")) from None
    if not low <= value <= high:
        raise ValueError(message())
    return round(value, 7)


def _status(raw: str):
    if not raw:
        return "active"
    lookup = _chinese_labels(ENTERPRISE_STATUSES) | {
        "新发现": "new",
        "搬迁": "relocated",
        "关闭": "closed",
        "停业": "suspended",
        "正常": "active",
        "营业": "active",
    }
    value = lookup.get(raw)
    if value is None:
        raise ValueError(_("状态应为：在营、新发现、已搬迁、已关闭、停产之一。"))
    return value


#: field -> parser(text) -> value, raising ValueError(message)
PARSERS: dict[str, Callable[[str], Any]] = {
    "name": _text(200, required=lambda: _("请填写企业名称。")),
    "registered_address": _text(300),
    "operating_address": _text(300),
    "industry": _coded(codes.INDUSTRIES, lambda: _("行业不在代码表中（如 C33 金属制品业）。")),
    "scale": _coded(codes.SCALES, lambda: _("规模应为：大型、中型、小型、微型之一。")),
    "risk_grade": _coded(
        codes.RISK_GRADES,
        lambda: _("风险等级应为：红、橙、黄、蓝之一。"),
        short={
            "红": "red",
            "橙": "orange",
            "黄": "yellow",
            "蓝": "blue",
            "重大风险": "red",
            "较大风险": "orange",
            "一般风险": "yellow",
            "低风险": "blue",
        },
    ),
    "legal_representative": _text(64),
    "safety_manager_name": _text(64),
    "safety_manager_mobile": _mobile,
    "employee_count": _count,
    "status": _status,
    "notes": _text(2000),
}
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
    text = {k: ("" if v is None else str(v)).strip() for k, v in raw.items()}
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field_name, parse in PARSERS.items():
        try:
            values[field_name] = parse(text.get(field_name, ""))
        except ValueError as exc:
            errors[field_name] = str(exc.args[0])

    code = uscc.normalise(text.get("uscc", ""))
    if not code:
        errors["uscc"] = _("请填写统一社会信用代码。")
    else:
        problem = uscc.problem(code)
        if problem:
            errors["uscc"] = problem
        values["uscc"] = code

    lat_msg = lambda: _("纬度不在中国境内（%(lo)s–%(hi)s），请检查经纬度是否填反。", lo=CHINA_LAT[0], hi=CHINA_LAT[1])  # noqa: E731
    lng_msg = lambda: _("经度不在中国境内（%(lo)s–%(hi)s），请检查经纬度是否填反。", lo=CHINA_LNG[0], hi=CHINA_LNG[1])  # noqa: E731
    for field_name, bounds, msg in (("latitude", CHINA_LAT, lat_msg), ("longitude", CHINA_LNG, lng_msg)):
        try:
            values[field_name] = _degrees(text.get(field_name, ""), *bounds, msg)
        except ValueError as exc:
            errors[field_name] = str(exc.args[0])
    if (
        "latitude" not in errors
        and "longitude" not in errors
        and (values["latitude"] is None) != (values["longitude"] is None)
    ):
        errors["longitude" if values["longitude"] is None else "latitude"] = _("经纬度须同时填写。")

    grid = _grid(text.get("grid", ""), actor, grids_by_code)
    if grid is None:
        errors["grid"] = _("请选择您管辖范围内的网格。") if text.get("grid") else _("请选择网格。")
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
