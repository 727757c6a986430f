"""Inspection records: start (with recusal), fill in, photos, hazards, sign or refusal, finality.

Rules from seed 002 art. 7-8: the inspector shows the work ID and explains purpose,
content and scope; the record holds time, place, parts, content, findings and
measures, and the site manager's opinion, name and signature — or the refusal to
sign, with a photo. Once signed or refused the record never changes; corrections
are supplementary records pointing at it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import uuid as uuidlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from PIL import Image, UnidentifiedImageError

from fieldapp import clock, policy
from fieldapp.clock import SHANGHAI
from fieldapp.db import commit, db, load_collection, transaction, unique_violation
from fieldapp.errors import Conflict as ConflictError
from fieldapp.errors import Forbidden, InputError, ServiceError
from fieldapp.i18n import gettext as _
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models import (
    Enterprise,
    Grid,
    Hazard,
    Inspection,
    InspectionPhoto,
    InspectorGrid,
    ItemResult,
    MediaFile,
    Photo,
    User,
)
from fieldapp.models.hazards import hazard_photos
from fieldapp.models.inspections import ITEM_RESULTS, TEXT_LIMITS
from fieldapp.policy import inspections as rules
from fieldapp.queries import inspections as statements
from fieldapp.schemas import commands
from fieldapp.schemas.commands.hazards import FindingSchema, HazardReport
from fieldapp.services import checklists, coverage, geo, notifications, photos
from fieldapp.services.media import store_blob

#: A photo taken this long before the start or after the end is flagged.
PHOTO_TIME_SLACK = timedelta(minutes=15)

# --- starting ---------------------------------------------------------------------

# Who may inspect which enterprise, and who reads which record, live in the policy
# (policy/inspections.py, policy/recusal.py); the names are kept here for the code that reads them.
recusal = rules.recusal
recusal_reason = rules.recusal_reason
why_not_inspect = rules.why_not_inspect
scope = rules.scope
scope_condition = rules.scope_condition


class ClientUuidTaken(Exception):
    """Another request stored a record under this client uuid between our look and our insert
    (a double tap, a phone's retry racing the first try); the caller rolls back and looks again."""


def start_once(user: User, enterprise: Enterprise, client_uuid: str | None) -> Inspection:
    """``start`` for a form that may be sent twice at once: the loser of the race gets the record
    the winner made (the same as a later replay gets), not an error."""
    try:
        return start(user, enterprise, client_uuid)
    except ClientUuidTaken:  # start (a @transaction) rolled its attempt back
        return start(user, enterprise, client_uuid)


@transaction
def start(
    user: User,
    enterprise: Enterprise,
    client_uuid: str | None = None,
    supplements: Inspection | None = None,
    on: date | None = None,
    prepare: Callable[[Inspection], None] | None = None,
) -> Inspection:
    """Open a draft record with the enterprise's checklist. The same client uuid twice
    returns the same record (a double tap or a retried request makes one record).

    ``prepare`` fills the new record in before its first INSERT (a synced record arrives
    filled in: its values and results go out with the rows, not as updates of each after)."""
    reason = why_not_inspect(user, enterprise)
    if reason:
        raise Forbidden(reason)
    if client_uuid:
        try:
            client_uuid = str(uuidlib.UUID(client_uuid))
        except ValueError:
            raise InputError({"uuid": _("记录标识无效。")}) from None
        existing = db.session.scalar(sa.select(Inspection).where(Inspection.uuid == client_uuid))
        if existing is not None and prepare is not None:
            # A synced record arrives whole: one stored meanwhile under its uuid is for the caller
            # to judge (the same payload, or another), never to be filled in again.
            raise ClientUuidTaken(client_uuid)
        if existing is not None:
            if existing.inspector_id != user.id or existing.enterprise_id != enterprise.id:
                raise ConflictError(_("该记录标识已被其他记录使用。"))
            return existing
    template = checklists.template_for(enterprise, on)
    now = clock.now()
    inspection = Inspection(
        uuid=client_uuid or str(uuidlib.uuid4()),
        number=f"tmp-{uuidlib.uuid4().hex[:24]}",
        enterprise_id=enterprise.id,
        inspector_id=user.id,
        template_id=template.id,
        started_at=now,
        work_id_number=user.work_id or "",
        supplements_id=supplements.id if supplements else None,
        photos=[],
        hazards=[],
        co_inspectors=[],
    )  # known empty: no query to learn it
    inspection.results = [
        ItemResult(item_id=i.id, position=i.position, category=i.category, text=i.text)
        for i in template.items
        if i.active
    ]
    if prepare is not None:
        prepare(inspection)
    db.session.add(inspection)
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:
        if client_uuid and unique_violation(error, "inspections", "uuid"):
            raise ClientUuidTaken(client_uuid) from None  # the same request, a moment earlier
        raise
    # Record numbers: XJ-<Shanghai date the server opened it>-<id>, unique because the id is.
    inspection.number = f"XJ-{now.astimezone(SHANGHAI):%Y%m%d}-{inspection.id:06d}"
    commit()
    return inspection


# --- filling in ---------------------------------------------------------------------


def _editable(user: User, inspection: Inspection) -> None:
    if inspection.inspector_id != user.id:
        raise Forbidden(_("只有记录的填写人可以修改草稿。"))
    if inspection.is_final:
        raise ServiceError(_("记录已签字确认（或已记录拒签），不能再修改；如需更正，请创建补充记录。"))


@transaction
def update(
    user: User,
    inspection: Inspection,
    fields: dict[str, Any],
    results: dict[int, tuple[str, str]],
    co_inspector_ids: list[int] | None = None,
) -> None:
    """Save the draft: text fields, position, checklist results, co-inspectors."""
    _editable(user, inspection)
    errors: dict[str, str] = {}
    by_id = {r.id: r for r in inspection.results}
    _fill(
        inspection,
        fields,
        [(by_id.get(result_id), result, note, f"result-{result_id}") for result_id, (result, note) in results.items()],
        errors,
    )
    if co_inspector_ids is not None:
        inspection.co_inspectors = _co_inspectors(user, inspection, co_inspector_ids, errors)
    if errors:
        raise InputError(errors)  # what _fill set is rolled back by @transaction
    commit()


def fill(inspection: Inspection, fields: dict[str, Any], rows: list[tuple[ItemResult, str, str, str]]) -> None:
    """Fill in a record as ``update`` does, without saving: for ``start``'s ``prepare``.
    ``rows``: (the record's result row, result, note, the key its error is reported under)."""
    errors: dict[str, str] = {}
    _fill(inspection, fields, rows, errors)
    if errors:
        raise InputError(errors)


def _fill(
    inspection: Inspection,
    fields: dict[str, Any],
    rows: list[tuple[ItemResult | None, str, str, str]],
    errors: dict[str, str],
) -> None:
    """``rows``: (the result row, None if not the record's; result; note; the key of its error)."""
    for key, limit in TEXT_LIMITS.items():
        if key in fields:
            value = (fields.get(key) or "").strip()
            if len(value) > limit:
                errors[key] = _("不能超过 %(n)d 个字。", n=limit)
            else:
                setattr(inspection, key, value)
    if "id_shown" in fields:
        inspection.id_shown = bool(fields["id_shown"])
    _position(inspection, fields, errors)
    for row, result, note, key in rows:
        if row is None:
            errors["results"] = _("检查项不属于本记录。")
            continue
        if result not in ("", *ITEM_RESULTS):
            errors[key] = _("请选择：合格、不合格或不适用。")
            continue
        if row.result != (result or None):
            row.bulk = False  # answered again, on its own
        row.result = result or None
        row.note = (note or "").strip()[:2000]


def _position(inspection: Inspection, fields: dict[str, Any], errors: dict[str, str]) -> None:
    raw = {k: (str(fields.get(k) or "")).strip() for k in ("latitude", "longitude", "accuracy_m")}
    if not raw["latitude"] and not raw["longitude"]:
        return
    try:
        lat, lng = float(raw["latitude"]), float(raw["longitude"])
        accuracy = float(raw["accuracy_m"]) if raw["accuracy_m"] else None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180) or (accuracy is not None and not 0 <= accuracy < 100_000):
            raise ValueError
    except ValueError:
        errors["position"] = _("定位数据无效，请重新获取位置。")
        return
    inspection.latitude, inspection.longitude, inspection.accuracy_m = lat, lng, accuracy
    e = inspection.enterprise
    inspection.distance_m = (
        round(geo.distance_m(lat, lng, e.latitude, e.longitude), 1)
        if e.latitude is not None and e.longitude is not None
        else None
    )


def _co_inspectors(user: User, inspection: Inspection, ids: list[int], errors: dict[str, str]) -> list[User]:
    ids = [i for i in ids if i != user.id]
    if not ids:
        return []
    found = list(
        db.session.scalars(
            sa.select(User)
            .join(InspectorGrid, InspectorGrid.user_id == User.id)
            .where(User.id.in_(ids), User.active.is_(True), InspectorGrid.grid_id == inspection.enterprise.grid_id)
        )
    )
    if len(found) != len(set(ids)):
        errors["co_inspectors"] = _("同行检查人员须是本网格的在岗检查人员。")
    return found


@transaction
def add_photo(
    user: User,
    inspection: Inspection,
    data: bytes,
    original_name: str = "",
    item_result_id: int | None = None,
    caption: str = "",
    sha256: str = "",
    marked: bytes | None = None,
    marked_sha256: str = "",
) -> InspectionPhoto:
    """Attach a photo (processed by the photo pipeline) and flag what looks like an old
    gallery photo or one taken elsewhere. ``sha256``: the digest of ``data`` where the server
    has already computed it (a synced upload, hashed when it arrived). ``marked``: a copy the
    inspector marked up on the phone, filed beside the original, which stays the evidence."""
    _editable(user, inspection)
    if item_result_id is not None and item_result_id not in {r.id for r in inspection.results}:
        raise InputError({"item_result_id": _("检查项不属于本记录。")})
    digest = sha256 or hashlib.sha256(data).hexdigest()
    for link in inspection.photos:
        if link.photo.original.sha256 == digest:
            return link  # the same photo sent twice (a retry, a double tap) is attached once
    now = clock.now()
    photo = photos.store(
        data,
        user,
        photos.Watermark(now, inspection.latitude, inspection.longitude, inspection.work_id_number, inspection.number),
        original_name,
        sha256=digest,
    )
    link = InspectionPhoto(photo=photo, item_result_id=item_result_id, caption=caption.strip()[:200])
    if marked is not None:
        link.marked = photos.store(
            marked,
            user,
            photos.Watermark(
                now, inspection.latitude, inspection.longitude, inspection.work_id_number, inspection.number
            ),
            sha256=marked_sha256 or hashlib.sha256(marked).hexdigest(),
        )
    link.flag_time, link.flag_place = photo_flags(photo, inspection, now)
    # Through the relationship, so the record's own lists stay current inside one transaction.
    inspection.photos.append(link)
    commit()
    return link


def photo_flags(photo: Photo, inspection: Inspection, now: datetime) -> tuple[bool, bool]:
    flag_time = photo.taken_at is not None and not (
        inspection.started_at - PHOTO_TIME_SLACK <= photo.taken_at <= (inspection.ended_at or now) + PHOTO_TIME_SLACK
    )
    e = inspection.enterprise
    flag_place = (
        photo.latitude is not None
        and e.latitude is not None
        and geo.distance_m(photo.latitude, photo.longitude, e.latitude, e.longitude) > geo.FAR_M
    )
    return flag_time, flag_place


@transaction
def remove_photo(user: User, inspection: Inspection, link_id: int) -> None:
    _editable(user, inspection)
    link = next((p for p in inspection.photos if p.id == link_id), None)
    if link is None:
        raise InputError({"photo": _("照片不属于本记录。")})
    if any(link.photo in h.photos for h in inspection.hazards):
        raise InputError({"photo": _("该照片是已上报隐患的证据，不能删除。")})
    db.session.delete(link)
    commit()


@transaction
def report_hazard(user: User, inspection: Inspection, report: HazardReport) -> Hazard:
    """A finding becomes a reported hazard; evidence (at least one photo) is required (art. 8(3))."""
    _editable(user, inspection)
    if report.client_uuid:
        existing = db.session.scalar(sa.select(Hazard).where(Hazard.uuid == report.client_uuid))
        if existing is not None and existing.inspection_id == inspection.id:
            return existing  # the same hazard sent again (a double tap, a retry)
        if existing is not None:
            # Never acknowledge what was not stored: the whole record is refused, the hazard named.
            raise ConflictError(
                _(
                    "隐患“%(what)s”的标识 %(uuid)s 已被另一条记录使用，本记录未保存。请在手机上删除该隐患后重新上报。",
                    what=report.description.strip()[:40],
                    uuid=report.client_uuid,
                )
            )
    errors = {}
    try:
        commands.check(FindingSchema(), report)
    except InputError as refused:
        errors.update(refused.errors)
    links = [p for p in inspection.photos if p.id in set(report.photo_link_ids)]
    if not links:
        errors["photos"] = _("上报隐患必须附至少一张现场照片作为证据。")
    if report.item_result_id is not None and report.item_result_id not in {r.id for r in inspection.results}:
        errors["item_result_id"] = _("检查项不属于本记录。")
    if errors:
        raise InputError(errors)
    hazard = Hazard(
        uuid=report.client_uuid or str(uuidlib.uuid4()),
        enterprise_id=inspection.enterprise_id,
        grid_id=inspection.enterprise.grid_id,
        item_result_id=report.item_result_id,
        reporter_id=user.id,
        description=report.description.strip(),
        place=report.place.strip(),
        proposed_level=report.level,
        legal_basis=report.legal_basis.strip(),
    )
    hazard.photos = [link.photo for link in links]
    inspection.hazards.append(hazard)
    db.session.flush()
    notifications.reported(hazard)
    commit()
    return hazard


@transaction
def delete_draft(user: User, inspection: Inspection) -> None:
    _editable(user, inspection)
    if inspection.hazards:
        raise ServiceError(_("草稿中已上报隐患，不能删除；请完成记录。"))
    db.session.delete(inspection)
    commit()


# --- finishing ---------------------------------------------------------------------

#: Why a record cannot be signed yet. Phones recording offline show the same messages.
MISSING = {
    "id_shown": _l("请确认已出示工作证，并说明检查的目的、内容和范围。"),
    "work_id_number": _l("请填写工作证号。"),
    "parts": _l("请填写检查部位。"),
    "findings": _l("请填写检查情况。"),
    "measures": _l("请填写处理措施（没有问题可填“无”）。"),
    "results": _l("还有 %(n)d 个检查项未选择结果。"),
    "results_note": _l("不合格的检查项须写明问题（%(n)d 项未写）。"),
}


#: The record's fields that must be filled in before the manager signs (or refuses); the
#: capture page is sent this list (app_texts.capture), so the phone asks for the same ones.
SIGNING_REQUIRES = ("id_shown", "work_id_number", "parts", "findings", "measures")


def missing_for_signature(inspection: Inspection) -> dict[str, str]:
    """What must be filled in before the manager can sign (or refuse)."""
    missing = {key: str(MISSING[key]) for key in SIGNING_REQUIRES if not getattr(inspection, key)}
    unanswered = [r for r in inspection.results if r.result is None]
    if unanswered:
        missing["results"] = str(MISSING["results"]) % {"n": len(unanswered)}
    failed_without_note = [r for r in inspection.results if r.result == "fail" and not r.note]
    if failed_without_note:
        missing["results_note"] = str(MISSING["results_note"]) % {"n": len(failed_without_note)}
    return missing


#: The summary a site manager reads and signs, line by line. It is the contract with offline phones:
#: the capture page receives these templates with its texts (web/app_texts.py) and fills them from
#: the record it holds, hashes the text, and the server checks the hash against the record it
#: stores. Always Chinese: it is the record's legal text, whatever language the screens speak.
#: Changing a line breaks the signatures of records made on phones with the old page: don't.
SUMMARY_FORMAT = {
    "head": "现场检查记录 {uuid}",
    "enterprise": "企业：{name}（{uscc}）",
    "inspector": "检查人员：{name}（工作证号 {work_id}）",
    "parts": "检查部位：{text}",
    "findings": "检查情况：{text}",
    "measures": "处理措施：{text}",
    "failed": "不合格项：{n} 项",
    "failed_item": "  - {text}：{note}",
    "hazards": "上报隐患：{n} 项",
    "hazard_item": "  - [{level}] {place} {description}",
    "levels": {"general": "一般", "major": "重大"},
}


def summary_lines(
    record_uuid: str,
    enterprise_name: str,
    uscc: str,
    inspector_name: str,
    work_id: str,
    parts: str,
    findings: str,
    measures: str,
    failed: list[tuple[str, str]],
    hazards: list[tuple[str, str, str]],
) -> str:
    """The summary a site manager reads before signing, from plain values.

    This is the contract with offline phones: they build the same text from what they
    hold (nothing here is assigned by the server), hash it, and the server checks the
    hash against the record it stores. ``failed`` = (item, note); ``hazards`` =
    (level, place, description).
    """
    f = SUMMARY_FORMAT
    lines = [
        f["head"].format(uuid=record_uuid),
        f["enterprise"].format(name=enterprise_name, uscc=uscc),
        f["inspector"].format(name=inspector_name, work_id=work_id),
        f["parts"].format(text=parts),
        f["findings"].format(text=findings),
        f["measures"].format(text=measures),
        f["failed"].format(n=len(failed)),
    ]
    lines += [f["failed_item"].format(text=text, note=note) for text, note in failed]
    lines.append(f["hazards"].format(n=len(hazards)))
    lines += [
        f["hazard_item"].format(level=f["levels"][level], place=place, description=description)
        for level, place, description in hazards
    ]
    return "\n".join(lines)


def summary_text(inspection: Inspection) -> str:
    """Exactly what the site manager reads before signing; its SHA-256 is stored with the signature."""
    return summary_lines(
        inspection.uuid,
        inspection.enterprise.name,
        inspection.enterprise.uscc,
        inspection.inspector.display_name,
        inspection.work_id_number,
        inspection.parts,
        inspection.findings,
        inspection.measures,
        [(r.text, r.note) for r in inspection.results if r.result == "fail"],
        [(h.proposed_level, h.place, h.description) for h in inspection.hazards],
    )


def summary_sha256(inspection: Inspection) -> str:
    return hashlib.sha256(summary_text(inspection).encode()).hexdigest()


def _signature_png(data_url: str) -> bytes:
    prefix = "data:image/png;base64,"
    if not data_url or not data_url.startswith(prefix):
        raise InputError({"signature": _("请在签名框内签字。")})
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise InputError({"signature": _("签名数据无效，请重新签字。")}) from None
    if len(raw) > 2 * 1024 * 1024:
        raise InputError({"signature": _("签名数据过大，请重新签字。")})
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG" or image.width * image.height > 4096 * 4096:
                raise InputError({"signature": _("签名数据无效，请重新签字。")})
            alpha = image.convert("RGBA").getchannel("A")
    except (UnidentifiedImageError, OSError, ValueError):
        raise InputError({"signature": _("签名数据无效，请重新签字。")}) from None
    ink = alpha.point(lambda a: 255 if a > 40 else 0)
    box, inked = ink.getbbox(), ink.histogram()[255]
    # A real signature spans some width and height and leaves some ink; a tap or a dot does not.
    if box is None or (box[2] - box[0]) < alpha.width * 0.12 or (box[3] - box[1]) < alpha.height * 0.08 or inked < 150:
        raise InputError({"signature": _("签名过于简单（像一个点或一条短线），请签写完整的姓名。")})
    return raw


@transaction
def sign(
    user: User,
    inspection: Inspection,
    signer_name: str,
    opinion: str,
    signature_data_url: str,
    shown_summary_sha256: str,
    at: datetime | None = None,
) -> None:
    """The site manager signs on the inspector's phone; the record becomes final."""
    _editable(user, inspection)
    errors = missing_for_signature(inspection)
    if errors:
        raise InputError(errors)
    if shown_summary_sha256 != summary_sha256(inspection):
        raise InputError({"summary": _("记录内容在签字前发生了变化，请让现场负责人重新阅读后再签字。")})
    if not signer_name.strip() or len(signer_name) > 64:
        raise InputError({"signer_name": _("请现场负责人填写姓名。")})
    if len(opinion) > 2000:
        raise InputError({"signer_opinion": _("不能超过 %(n)d 个字。", n=2000)})
    png = _signature_png(signature_data_url)
    signature = store_blob(png, "image/png", user, "signature.png")
    now = at or clock.now()  # a record signed offline keeps the time it was signed
    inspection.signer_name, inspection.signer_opinion = signer_name.strip(), opinion.strip()
    # Set the relationship, not the id: the hash below reads it from this same object.
    inspection.signature, inspection.summary_sha256 = signature, shown_summary_sha256
    inspection.signed_at = inspection.ended_at = now
    inspection.state = "signed"
    _finalise(inspection)


@transaction
def refuse(
    user: User,
    inspection: Inspection,
    signer_name: str,
    reason: str,
    photo_data: bytes | None,
    original_name: str = "",
    at: datetime | None = None,
) -> None:
    """The site manager refuses to sign: the refusal, its reason and a photo are recorded instead."""
    _editable(user, inspection)
    errors = missing_for_signature(inspection)
    if not reason.strip():
        errors["refusal_reason"] = _("请记录拒绝签字的情况和理由。")
    if photo_data is None:
        errors["refusal_photo"] = _("拒绝签字须拍摄现场照片留证。")
    elif not photo_data:  # a file chosen but empty: say so, as for any photo
        errors["refusal_photo"] = photos.empty_message()
    if errors:
        raise InputError(errors)
    now = at or clock.now()
    photo = photos.store(
        photo_data,
        user,
        photos.Watermark(now, inspection.latitude, inspection.longitude, inspection.work_id_number, inspection.number),
        original_name,
    )
    inspection.signer_name = signer_name.strip()[:64]
    inspection.refusal_reason = reason.strip()[:2000]
    inspection.refusal_photo = photo
    inspection.summary_sha256 = summary_sha256(inspection)
    inspection.ended_at = now
    inspection.state = "refused"
    _finalise(inspection)


def canonical(inspection: Inspection) -> dict:
    """Everything the final record says, in a stable shape, for its content hash."""

    def iso(moment):
        return moment.isoformat() if moment else None

    return {
        "number": inspection.number,
        "uuid": inspection.uuid,
        "enterprise": inspection.enterprise.uscc,
        "inspector": inspection.inspector.username,
        "work_id": inspection.work_id_number,
        "id_shown": inspection.id_shown,
        "started_at": iso(inspection.started_at),
        "ended_at": iso(inspection.ended_at),
        "position": [inspection.latitude, inspection.longitude, inspection.accuracy_m],
        "parts": inspection.parts,
        "content": inspection.content,
        "findings": inspection.findings,
        "measures": inspection.measures,
        "co_inspectors": sorted(u.username for u in inspection.co_inspectors),
        "results": [[r.position, r.text, r.result, r.note] for r in inspection.results],
        "photos": sorted(p.photo.original.sha256 for p in inspection.photos),
        # Keys only records that have them carry, so the hashes of earlier records still hold.
        **(
            {"bulk": [r.position for r in inspection.results if r.bulk]}
            if any(r.bulk for r in inspection.results)
            else {}
        ),
        **(
            {
                "marked": sorted(
                    [p.photo.original.sha256, p.marked.original.sha256]
                    for p in inspection.photos
                    if p.marked is not None
                )
            }
            if any(p.marked_photo_id for p in inspection.photos)
            else {}
        ),
        "hazards": [
            [h.uuid, h.proposed_level, h.place, h.description, sorted(p.original.sha256 for p in h.photos)]
            for h in inspection.hazards
        ],
        "state": inspection.state,
        "signer": inspection.signer_name,
        "opinion": inspection.signer_opinion,
        "signature": inspection.signature.sha256 if inspection.signature else None,
        "summary_sha256": inspection.summary_sha256,
        "signed_at": iso(inspection.signed_at),
        "refusal": [
            inspection.refusal_reason,
            inspection.refusal_photo.original.sha256 if inspection.refusal_photo else None,
        ],
        "supplements": inspection.supplements.number if inspection.supplements else None,
        # The code scanned on site (issue 34); only records that have one carry the key.
        **({"checkin": inspection.checkin} if inspection.checkin else {}),
    }


def compute_hash(inspection: Inspection) -> str:
    text = json.dumps(canonical(inspection), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _finalise(inspection: Inspection) -> None:
    # From the objects as they are now (every relationship the hash reads is set on them).
    inspection.content_hash = compute_hash(inspection)
    commit()


def verify(inspection: Inspection) -> bool:
    """Does the final record still hash to what was stored when it was signed?"""
    return inspection.is_final and compute_hash(inspection) == inspection.content_hash


def supplement(user: User, original: Inspection) -> Inspection:
    """Start a supplementary record that corrects or adds to a final one."""
    if not original.is_final:
        raise ServiceError(_("草稿可以直接修改，不需要补充记录。"))
    return start(user, original.enterprise, supplements=original)


# --- reading -------------------------------------------------------------------------


def get(user: User, inspection_id) -> Inspection:
    """The record with everything its page and its content hash read, in four statements built
    once: the record with its people, signature and checklist, then its results, its photos and
    its hazards with theirs. (By selectinload these were six round trips.)"""
    shape, values = policy.scope_binding(user)
    record = policy.get_prebuilt(statements.record_statement(shape), values, inspection_id)
    load_collection(record, "results", statements.RESULTS)
    load_collection(record, "photos", statements.PHOTOS)
    load_collection(record, "hazards", statements.HAZARDS)
    return record


def for_enterprise(user: User, enterprise: Enterprise, limit: int = 20) -> list[Inspection]:
    shape, values = policy.scope_binding(user)
    return list(
        db.session.scalars(
            statements.for_enterprise_statement(shape), {**values, "enterprise_id": enterprise.id, "limit": limit}
        )
    )


def photo_in_scope(user: User, photo_id: int) -> Photo | None:
    """A photo ``user`` may see: one of a record or hazard they may read.

    From the photo to its records (by index), then the scope on those: the same small work
    whether the photo is elsewhere or does not exist, so the answer's time tells nothing
    (starting from everything the user may see took ~13 ms longer for a photo of another grid)."""
    records = sa.union_all(
        sa.select(InspectionPhoto.inspection_id).where(InspectionPhoto.photo_id == photo_id),
        sa.select(InspectionPhoto.inspection_id).where(InspectionPhoto.marked_photo_id == photo_id),
        sa.select(Inspection.id).where(Inspection.refusal_photo_id == photo_id),
        sa.select(Hazard.inspection_id)
        .join(hazard_photos, hazard_photos.c.hazard_id == Hazard.id)
        .where(hazard_photos.c.photo_id == photo_id),
    )
    visible = scope(user).with_only_columns(Inspection.id).where(Inspection.id.in_(records))
    return db.session.scalar(sa.select(Photo).where(Photo.id == photo_id, sa.exists(visible)))


def signature_in_scope(user: User, inspection_id: int) -> MediaFile | None:
    inspection = db.session.scalar(scope(user).where(Inspection.id == inspection_id))
    return inspection.signature if inspection else None


def finished_between(user: User, lo: datetime, hi: datetime) -> sa.Result:
    """The finished inspections in ``user``'s scope begun in [lo, hi), oldest first, as rows of
    (number, enterprise, USCC, grid code, inspector, work ID, started, ended, state, signer,
    hazards found) — read in batches, for an export of any size."""
    visible = (
        scope(user)
        .where(Inspection.state != "draft", Inspection.started_at >= lo, Inspection.started_at < hi)
        .subquery()
    )
    i = sa.orm.aliased(Inspection, visible)
    hazard_count = sa.select(sa.func.count(Hazard.id)).where(Hazard.inspection_id == i.id).scalar_subquery()
    return db.session.execute(
        sa.select(
            i.number,
            Enterprise.name,
            Enterprise.uscc,
            Grid.code,
            User.display_name,
            i.work_id_number,
            i.started_at,
            i.ended_at,
            i.state,
            i.signer_name,
            hazard_count,
        )
        .join(Enterprise, Enterprise.id == i.enterprise_id)
        .join(Grid, Grid.id == Enterprise.grid_id)
        .join(User, User.id == i.inspector_id)
        .order_by(i.started_at)
        .execution_options(yield_per=1000)
    )


def patrol_list(user: User) -> list[sa.Row]:
    """The patrol list: the enterprises due a visit in ``user``'s own grids as (enterprise, last
    finished visit), never visited first, then longest ago (the first 200). The last visit is the
    one the database keeps on each enterprise (migration 0016): grouping every inspection by its
    enterprise instead took 1-2 s at city scale (bench.capacity found it)."""
    last = Enterprise.last_inspected_at
    return list(
        db.session.execute(
            sa.select(Enterprise, last.label("last"))
            .join(InspectorGrid, InspectorGrid.grid_id == Enterprise.grid_id)
            .where(InspectorGrid.user_id == user.id, Enterprise.status.in_(coverage.DUE_STATUSES))
            .order_by(last.is_not(None), last, Enterprise.name)
            .limit(200)
        )
    )


def drafts_of(user: User) -> list[Inspection]:
    """``user``'s unfinished records, newest first."""
    return list(
        db.session.scalars(
            sa.select(Inspection)
            .where(Inspection.inspector_id == user.id, Inspection.state == "draft")
            .options(sa.orm.joinedload(Inspection.enterprise))
            .order_by(Inspection.started_at.desc())
        )
    )
