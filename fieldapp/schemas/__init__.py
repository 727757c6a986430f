"""marshmallow schemas for the JSON API."""

from datetime import UTC, datetime

from flask_wtf.csrf import generate_csrf
from marshmallow import RAISE, Schema, fields, validate

from fieldapp.i18n import lazy_gettext as _l


class GridSchema(Schema):
    id = fields.Int()
    code = fields.Str()
    name = fields.Str()


class EnterpriseSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    uscc = fields.Str()
    status = fields.Str()
    operating_address = fields.Str()
    registered_address = fields.Str()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    industry = fields.Str(allow_none=True)
    risk_grade = fields.Str(allow_none=True)
    pending_review = fields.Bool()
    grid = fields.Nested(GridSchema)


class MeSchema(Schema):
    id = fields.Int()
    username = fields.Str()
    display_name = fields.Str()
    roles = fields.Function(lambda u: u.ordered_roles)
    grids = fields.List(fields.Nested(GridSchema))
    locale = fields.Str(allow_none=True)
    work_id = fields.Str(allow_none=True)
    #: For scripts of pages cached on the phone (which hold no token): the session's CSRF token.
    csrf_token = fields.Function(lambda u: generate_csrf())


#: The times a record can plausibly carry; anything else is a phone with a broken clock or an attack
#: (year 1 at +14:00 overflows when turned into UTC).
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


class Moment(fields.AwareDateTime):
    """An ISO 8601 time with its offset, between 2000 and 2100, handed on in UTC."""

    default_error_messages = {
        "range": _l("时间不在合理范围内（2000 至 2100 年），请检查手机时钟。"),
        "invalid": _l("须为带时区的 ISO 8601 时间。"),
        "invalid_awareness": _l("须为带时区的 ISO 8601 时间。"),
    }

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment = moment.astimezone(UTC)
        except (OverflowError, ValueError):
            raise self.make_error("range") from None
        if not EARLIEST <= moment < LATEST:
            raise self.make_error("range")
        return moment


class ClientUUID(fields.UUID):
    """A phone's UUID for what it made: a real one (the nil UUID names nothing)."""

    default_error_messages = {"invalid_uuid": _l("须为有效的 UUID。")}

    def _deserialize(self, value, attr, data, **kwargs):
        found = super()._deserialize(value, attr, data, **kwargs)
        if found is not None and found.int == 0:
            raise self.make_error("invalid_uuid")
        return found


class InputSchema(Schema):
    """Base for request bodies: unknown keys are refused, in the user's language."""

    error_messages = {"unknown": _l("不认识的字段。"), "type": _l("内容格式不正确。")}

    class Meta:
        unknown = RAISE


class MeUpdateSchema(InputSchema):
    locale = fields.Str(allow_none=True, validate=validate.OneOf(["zh_CN", "en", None], error=_l("不支持该语言。")))


class ErrorSchema(Schema):
    error = fields.Str(metadata={"description": "machine-readable code, e.g. not_found, validation"})
    message = fields.Str(metadata={"description": "for the user, in their language"})
    fields_ = fields.Dict(data_key="fields", metadata={"description": "per-field messages (422)"})


class EnterprisePageSchema(Schema):
    items = fields.List(fields.Nested(EnterpriseSchema))
    page = fields.Int()
    pages = fields.Int()
    total = fields.Int()


class PackHazardSchema(Schema):
    id = fields.Int()
    uuid = fields.Str()
    description = fields.Str()
    place = fields.Str()
    level = fields.Str(metadata={"enum": ["general", "major"]})
    status = fields.Str()
    reported_at = fields.DateTime()
    deadline = fields.Date(allow_none=True)
    item_id = fields.Int(allow_none=True, metadata={"description": "the checklist item it was found on"})
    item_text = fields.Str(allow_none=True, metadata={"description": "that item's wording in the record"})


class PackLastVisitSchema(Schema):
    at = fields.DateTime()
    parts = fields.Str()
    content = fields.Str()
    signer_name = fields.Str()


class PackEnterpriseSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    uscc = fields.Str()
    grid = fields.Str()
    status = fields.Str()
    address = fields.Str()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    industry = fields.Str(allow_none=True)
    risk_grade = fields.Str(allow_none=True)
    checkin_version = fields.Int(metadata={"description": "the version of its check-in code (一企一码) now valid"})
    safety_manager_name = fields.Str()
    safety_manager_mobile = fields.Str()
    updated_at = fields.DateTime()
    last_inspected_at = fields.DateTime(allow_none=True)
    open_hazards = fields.List(fields.Nested(PackHazardSchema))
    template_id = fields.Int(allow_none=True, metadata={"description": "the checklist template to use"})
    campaign = fields.Str(
        allow_none=True, metadata={"description": "the special campaign whose checklist template_id is, while it runs"}
    )
    last_visit = fields.Nested(
        PackLastVisitSchema,
        allow_none=True,
        metadata={
            "description": "the last final record here, whose parts, content and signer the phone proposes again"
        },
    )


class PackItemSchema(Schema):
    id = fields.Int()
    position = fields.Int()
    category = fields.Str()
    text = fields.Str()
    basis = fields.Str()
    phrases = fields.List(fields.Str(), metadata={"description": "common findings, offered as one-tap notes"})


class PackTemplateSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    industry = fields.Str(allow_none=True)
    default_parts = fields.Str(metadata={"description": "检查部位 proposed when the enterprise has no last visit"})
    default_content = fields.Str()
    items = fields.List(fields.Nested(PackItemSchema))


class PackRecheckSchema(Schema):
    id = fields.Int()
    enterprise_id = fields.Int()
    enterprise_name = fields.Str()
    description = fields.Str()
    place = fields.Str()
    level = fields.Str()
    required_measures = fields.Str()
    deadline = fields.Date(allow_none=True)


class PackMeSchema(Schema):
    id = fields.Int()
    display_name = fields.Str(metadata={"description": "as the signed summary names the inspector"})
    work_id = fields.Str()


class PackSchema(Schema):
    generated_at = fields.DateTime()
    cursor = fields.DateTime(metadata={"description": "send back as ?since= for the next delta"})
    full = fields.Bool()
    enterprise_ids = fields.List(fields.Int(), metadata={"description": "every enterprise now in scope"})
    enterprises = fields.List(fields.Nested(PackEnterpriseSchema))
    templates = fields.List(fields.Nested(PackTemplateSchema))
    me = fields.Nested(PackMeSchema)
    rechecks = fields.List(fields.Nested(PackRecheckSchema), metadata={"description": "hazards awaiting re-check"})
    recused = fields.Dict(
        keys=fields.Str(),
        values=fields.Str(),
        metadata={"description": "enterprise id -> why the inspector must not inspect it"},
    )


class MediaReceiptSchema(Schema):
    uuid = fields.Str()
    sha256 = fields.Str()
    size = fields.Int()
    content_type = fields.Str()
