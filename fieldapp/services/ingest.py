"""Ingest of an inspection recorded offline: one transaction, through the same services
as the online forms, so recusal, immutability and the hazard rules apply equally.

Idempotent on the phone's uuid: the same payload again returns the stored record;
a different payload under the same uuid is a conflict. Media are uploaded first
(``client_media``); a record naming media that never arrived is refused (422), and
the phone keeps it to retry after sending the media.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta

import sqlalchemy as sa

from fieldapp import clock, policy
from fieldapp.db import atomic, db
from fieldapp.errors import Conflict, InputError
from fieldapp.i18n import gettext as _
from fieldapp.models import ClientMedia, HazardEvent, Inspection, InspectionPhoto, MediaFile, User
from fieldapp.schemas.commands.hazards import HazardReport, RecheckReport
from fieldapp.services import checkin, hazards, inspections, storage
from fieldapp.services.media import remember as remember_media

#: A phone clock further ahead than this is refused: its times would be fiction.
MAX_CLOCK_AHEAD = timedelta(hours=1)


def payload_digest(payload: dict) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()


class _Uploads:
    """The media a record names, found in one query; bytes read from storage when used."""

    def __init__(self, user: User, uuids: list) -> None:
        wanted = sorted({str(u) for u in uuids if u is not None})
        rows = (
            db.session.execute(
                sa.select(ClientMedia.uuid, MediaFile)
                .join(MediaFile, MediaFile.id == ClientMedia.media_id)
                .where(ClientMedia.uuid.in_(wanted), ClientMedia.owner_id == user.id)
            ).all()
            if wanted
            else []
        )
        self.sha256 = {uuid: stored.sha256 for uuid, stored in rows}
        remember_media(stored for _uuid, stored in rows)  # the photo services find them without a query

    def __call__(self, media_uuid) -> bytes:
        return storage.current().get(self.digest(media_uuid))

    def digest(self, media_uuid) -> str:
        """The SHA-256 the server computed when the upload arrived (not computed again)."""
        digest = self.sha256.get(str(media_uuid))
        if digest is None:
            raise InputError(
                {"media": _("记录引用的照片 %(uuid)s 尚未上传，请先上传照片再同步记录。", uuid=str(media_uuid))}
            )
        return digest

    def photo(self, user: User, record: Inspection, media_uuid, marked_uuid=None, **details) -> InspectionPhoto:
        if marked_uuid is not None:
            details.update(marked=self(marked_uuid), marked_sha256=self.digest(marked_uuid))
        return inspections.add_photo(user, record, self(media_uuid), sha256=self.digest(media_uuid), **details)


def _named_media(data: dict) -> list:
    finish = data["finish"] or {}
    return [
        *(ref["media_uuid"] for ref in data["photos"]),
        *(ref["marked_media_uuid"] for ref in data["photos"]),
        *(u for h in data["hazards"] for u in h["media_uuids"]),
        *(u for f in data["followups"] for u in f["media_uuids"]),
        finish.get("signature_media_uuid"),
        finish.get("photo_media_uuid"),
    ]


def _replayed(user: User, data: dict, digest: str) -> Inspection | None:
    """The record stored before under this uuid when this is the same payload again (a replay:
    answered as the first was); a different one under the uuid is a conflict."""
    existing = db.session.scalar(sa.select(Inspection).where(Inspection.uuid == str(data["uuid"])))
    if existing is None:
        return None
    if existing.inspector_id == user.id and existing.payload_sha256 == digest:
        return existing
    raise Conflict(_("该记录标识已有不同内容的记录，未做更改。如是更正，请创建补充记录。"))


def ingest(user: User, data: dict, raw_payload: dict) -> tuple[Inspection, bool]:
    """Store one synced inspection; returns (record, created). The same payload sent again — later,
    or at the same moment from a second connection — gets the record the first one stored."""
    policy.require(user, "inspection.create")
    digest = payload_digest(raw_payload)
    existing = _replayed(user, data, digest)
    if existing is not None:
        return existing, False
    try:
        return _store(user, data, digest), True
    except inspections.ClientUuidTaken:
        db.session.rollback()  # it lost the race to an identical request: answer as that one was
        existing = _replayed(user, data, digest)
        if existing is None:
            raise
        return existing, False


def _store(user: User, data: dict, digest: str) -> Inspection:
    now = clock.now()
    if data["started_at"] > now + MAX_CLOCK_AHEAD:
        raise InputError({"started_at": _("记录的开始时间晚于服务器时间，手机时钟可能不准，请校准后重新同步。")})
    enterprise = policy.get_enterprise(user, data["enterprise_id"])
    media = _Uploads(user, _named_media(data))
    with atomic():

        def prepare(record: Inspection) -> None:
            """The record as the phone filled it in, before its rows are first written."""
            # Not loaded from its id before the flush: the position's distance needs it.
            record.enterprise = enterprise
            record.started_at = data["started_at"]
            record.payload_sha256, record.client_version = digest, data["app_version"]
            if data["checkin"]:
                record.checkin = checkin.evidence(enterprise, data["checkin"])
            fields = dict(data["fields_"])
            if data["position"]:
                fields.update({k: str(v) if v is not None else "" for k, v in data["position"].items()})
            by_position = {r.position: r for r in record.results}
            unknown = [r["position"] for r in data["results"] if r["position"] not in by_position]
            if unknown:
                raise InputError({"results": _("检查项序号不在检查表中：%(p)s。", p=", ".join(map(str, unknown)))})
            for r in data["results"]:
                if r["text"]:
                    by_position[r["position"]].text = r["text"]
            inspections.fill(
                record,
                fields,
                [
                    (by_position[r["position"]], r["result"] or "", r["note"], f"result-{r['position']}")
                    for r in data["results"]
                ],
            )
            for r in data["results"]:
                by_position[r["position"]].bulk = bool(r["bulk"] and r["result"] == "pass")

        # The checklist the phone had: that of the day the inspection began (a campaign may have ended since).
        record = inspections.start(
            user,
            enterprise,
            str(data["uuid"]),
            on=data["started_at"].astimezone(clock.SHANGHAI).date(),
            prepare=prepare,
        )
        by_position = {r.position: r for r in record.results}
        links_by_media = {}
        for ref in data["photos"]:
            item = by_position[ref["item_position"]].id if ref["item_position"] in by_position else None
            links_by_media[str(ref["media_uuid"])] = media.photo(
                user, record, ref["media_uuid"], ref["marked_media_uuid"], item_result_id=item, caption=ref["caption"]
            )
        for h in data["hazards"]:
            links = [
                links_by_media.get(str(media_uuid)) or media.photo(user, record, media_uuid)
                for media_uuid in h["media_uuids"]
            ]
            db.session.flush()  # the links' ids, which name the hazard's evidence
            ids = [link.id for link in links]
            item = by_position[h["item_position"]].id if h["item_position"] in by_position else None
            report = HazardReport(
                h["description"], h["place"], h["level"], h["legal_basis"], tuple(ids), item, str(h["uuid"])
            )
            inspections.report_hazard(user, record, report)
        for f in data["followups"]:
            _follow_up(
                user, record, f, [links_by_media.get(str(u)) or media.photo(user, record, u) for u in f["media_uuids"]]
            )
        finish = data["finish"]
        if finish and finish["kind"] == "signed":
            if finish["signature_media_uuid"] is None:
                raise InputError({"signature": _("请在签名框内签字。")})
            png = media(finish["signature_media_uuid"])
            record.ended_at = data["ended_at"] or record.ended_at
            inspections.sign(
                user,
                record,
                finish["signer_name"],
                finish["opinion"],
                "data:image/png;base64," + base64.b64encode(png).decode(),
                finish["summary_sha256"],
                at=finish["at"],
            )
        elif finish and finish["kind"] == "refused":
            photo = media(finish["photo_media_uuid"]) if finish["photo_media_uuid"] else None
            inspections.refuse(user, record, finish["signer_name"], finish["reason"], photo, at=finish["at"])
    return record


def _follow_up(user: User, record: Inspection, followup: dict, links: list[InspectionPhoto]) -> None:
    """Evidence for a hazard of the same enterprise, found again on this visit. One closed while the
    phone was offline gets it too (its officer is told): the manager signed this record without a
    new report, so none is added to it."""
    hazard = hazards.get(user, followup["hazard_id"])
    if hazard.enterprise_id != record.enterprise.id:
        raise InputError({"followups": _("补充证据的隐患不属于本次检查的企业。")})
    db.session.flush()  # the photos' ids
    hazards.add_evidence(
        user,
        hazard,
        followup["note"],
        [link.photo for link in links],
        at=record.started_at,
        client_uuid=str(followup["uuid"]),
        inspection_number=record.number,
    )


def _recheck_replayed(user: User, hazard_id: int, data: dict) -> HazardEvent | None:
    existing = db.session.scalar(sa.select(HazardEvent).where(HazardEvent.client_uuid == str(data["uuid"])))
    if existing is None:
        return None
    if existing.actor_id == user.id and existing.hazard_id == hazard_id:
        return existing
    raise Conflict(_("该复查标识已用于另一条记录，未做更改。"))


def ingest_recheck(user: User, hazard_id: int, data: dict) -> tuple[HazardEvent, bool]:
    """Store one re-check made on the phone; returns (event, created). The same uuid again —
    later, or racing the first at the same moment — is acknowledged as the first was; a hazard
    meanwhile re-checked by someone else is a conflict."""
    policy.require(user, "inspection.create")
    existing = _recheck_replayed(user, hazard_id, data)
    if existing is not None:
        return existing, False
    try:
        return _store_recheck(user, hazard_id, data), True
    except (Conflict, sa.exc.IntegrityError):
        # The hazard moved on, or the uuid was taken, while this request ran: if it was this very
        # re-check, stored by an identical request a moment earlier, say so, as a replay would.
        db.session.rollback()
        existing = _recheck_replayed(user, hazard_id, data)
        if existing is None:
            raise
        return existing, False


def _store_recheck(user: User, hazard_id: int, data: dict) -> HazardEvent:
    if data["at"] > clock.now() + MAX_CLOCK_AHEAD:
        raise InputError({"at": _("复查时间晚于服务器时间，手机时钟可能不准，请校准后重新同步。")})
    hazard = hazards.get(user, hazard_id)
    media = _Uploads(user, data["media_uuids"])
    uploads = [(media(media_uuid), "") for media_uuid in data["media_uuids"]]
    report = RecheckReport(note=data["note"].strip(), deadline=data["deadline"], **(data["position"] or {}))
    return hazards.recheck(
        user, hazard, data["passed"], report, uploads, None, at=data["at"], client_uuid=str(data["uuid"])
    )
