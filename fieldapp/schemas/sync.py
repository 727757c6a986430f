"""What a phone sends when it syncs an inspection recorded offline."""

from __future__ import annotations

from marshmallow import fields, validate

from fieldapp.db import MAX_ID
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models.inspections import TEXT_LIMITS
from fieldapp.schemas import ClientUUID, InputSchema, MediaReceiptSchema, Moment
from fieldapp.schemas.commands.hazards import FindingSchema

_TEXT = {"load_default": ""}


class PositionSchema(InputSchema):
    latitude = fields.Float(required=True, validate=validate.Range(-90, 90))
    longitude = fields.Float(required=True, validate=validate.Range(-180, 180))
    accuracy_m = fields.Float(allow_none=True, load_default=None, validate=validate.Range(0, 100_000))


class RecordFieldsSchema(InputSchema):
    parts = fields.Str(validate=validate.Length(max=TEXT_LIMITS["parts"]), **_TEXT)
    content = fields.Str(validate=validate.Length(max=TEXT_LIMITS["content"]), **_TEXT)
    findings = fields.Str(validate=validate.Length(max=TEXT_LIMITS["findings"]), **_TEXT)
    measures = fields.Str(validate=validate.Length(max=TEXT_LIMITS["measures"]), **_TEXT)
    work_id_number = fields.Str(validate=validate.Length(max=TEXT_LIMITS["work_id_number"]), **_TEXT)
    id_shown = fields.Bool(load_default=False)


class ResultSchema(InputSchema):
    position = fields.Int(required=True, strict=True, validate=validate.Range(0, 10_000))
    result = fields.Str(
        allow_none=True,
        load_default=None,
        validate=validate.OneOf(["pass", "fail", "na"], error=_l("结果须为 pass、fail 或 na。")),
    )
    note = fields.Str(validate=validate.Length(max=2000), **_TEXT)
    #: The item's wording as the phone showed it (and the site manager read it); kept when
    #: the checklist was edited on the server after the phone last refreshed.
    text = fields.Str(validate=validate.Length(min=1, max=500), load_default=None)
    #: Answered 合格 with the rest of its section or list by one tap (本节其余合格 / 其余全部合格).
    bulk = fields.Bool(load_default=False)


class PhotoRefSchema(InputSchema):
    media_uuid = ClientUUID(required=True)
    item_position = fields.Int(allow_none=True, load_default=None, strict=True)
    caption = fields.Str(validate=validate.Length(max=200), **_TEXT)
    #: A copy marked up on the phone (arrows, circles, a word); the photo itself stays the evidence.
    marked_media_uuid = ClientUUID(allow_none=True, load_default=None)


class HazardUploadSchema(FindingSchema):
    """A hazard of the record: what the form's report says (FindingSchema), with the phone's ids."""

    uuid = ClientUUID(required=True)
    media_uuids = fields.List(ClientUUID(), required=True, validate=validate.Length(min=1))
    item_position = fields.Int(allow_none=True, load_default=None, strict=True)


class FinishSchema(InputSchema):
    kind = fields.Str(required=True, validate=validate.OneOf(["signed", "refused"]))
    signer_name = fields.Str(validate=validate.Length(max=64), **_TEXT)
    opinion = fields.Str(validate=validate.Length(max=2000), **_TEXT)
    signature_media_uuid = ClientUUID(allow_none=True, load_default=None)
    summary_sha256 = fields.Str(validate=validate.Regexp(r"^[0-9a-f]{64}$"), **_TEXT)
    reason = fields.Str(validate=validate.Length(max=2000), **_TEXT)
    photo_media_uuid = ClientUUID(allow_none=True, load_default=None)
    at = Moment(allow_none=True, load_default=None)


class FollowupUploadSchema(InputSchema):
    """Evidence for a hazard already open, found again on this visit (instead of a second report)."""

    uuid = ClientUUID(required=True)
    hazard_id = fields.Int(required=True, strict=True, validate=validate.Range(1, MAX_ID))
    note = fields.Str(validate=validate.Length(max=4000), **_TEXT)
    media_uuids = fields.List(ClientUUID(), required=True, validate=validate.Length(min=1, max=20))


class CheckinSchema(InputSchema):
    """The enterprise's code (一企一码) scanned on site: what it said, when, where the phone stood."""

    token = fields.Str(required=True, validate=validate.Length(min=1, max=300))
    at = Moment(required=True)
    position = fields.Nested(PositionSchema, allow_none=True, load_default=None)


class InspectionUploadSchema(InputSchema):
    uuid = ClientUUID(required=True)
    enterprise_id = fields.Int(required=True, strict=True, validate=validate.Range(1, MAX_ID))
    started_at = Moment(required=True)
    ended_at = Moment(allow_none=True, load_default=None)
    position = fields.Nested(PositionSchema, allow_none=True, load_default=None)
    fields_ = fields.Nested(RecordFieldsSchema, data_key="fields", load_default=dict)
    results = fields.List(fields.Nested(ResultSchema), load_default=list)
    photos = fields.List(fields.Nested(PhotoRefSchema), load_default=list)
    hazards = fields.List(fields.Nested(HazardUploadSchema), load_default=list)
    followups = fields.List(fields.Nested(FollowupUploadSchema), load_default=list, validate=validate.Length(max=50))
    finish = fields.Nested(FinishSchema, allow_none=True, load_default=None)
    checkin = fields.Nested(CheckinSchema, allow_none=True, load_default=None)
    app_version = fields.Str(validate=validate.Length(max=32), **_TEXT)


class MediaManifestItemSchema(InputSchema):
    """One upload of a batch (``POST /api/v1/media``): its file part is named by the uuid."""

    uuid = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    sha256 = fields.Str(required=True, validate=validate.Length(min=1, max=64))


class MediaKnownSchema(InputSchema):
    """Uploads a phone asks about (``POST /api/v1/media/known``): at most a day's outbox."""

    media = fields.List(fields.Nested(MediaManifestItemSchema), required=True, validate=validate.Length(max=500))


class MediaKnownReceiptSchema(InputSchema):
    known = fields.List(fields.Str(), metadata={"description": "uuids held with the content asked about"})


class MediaBatchItemSchema(MediaReceiptSchema):
    created = fields.Bool(metadata={"description": "stored now (false: had been stored before)"})


class MediaBatchReceiptSchema(InputSchema):
    media = fields.List(fields.Nested(MediaBatchItemSchema), metadata={"description": "in the manifest's order"})


class IngestReceiptSchema(InputSchema):
    uuid = fields.Str()
    id = fields.Int()
    number = fields.Str()
    state = fields.Str()
    content_hash = fields.Str()
    created = fields.Bool()


class RecheckUploadSchema(InputSchema):
    """A re-check (复查) recorded on site, offline or not."""

    uuid = ClientUUID(required=True)
    passed = fields.Bool(required=True)
    note = fields.Str(validate=validate.Length(max=4000), **_TEXT)
    deadline = fields.Date(allow_none=True, load_default=None)
    position = fields.Nested(PositionSchema, allow_none=True, load_default=None)
    media_uuids = fields.List(ClientUUID(), required=True, validate=validate.Length(min=1, max=20))
    at = Moment(required=True)
    app_version = fields.Str(validate=validate.Length(max=32), **_TEXT)


class RecheckReceiptSchema(InputSchema):
    uuid = fields.Str()
    hazard_id = fields.Int()
    event_id = fields.Int()
    status = fields.Str()
    created = fields.Bool()
