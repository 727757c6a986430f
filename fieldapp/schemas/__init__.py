"""marshmallow schemas for the JSON API."""
from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, Schema, fields, validate


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


class InputSchema(Schema):
    """Base for request bodies: unknown keys are refused, in the user's language."""

    error_messages = {"unknown": _l("不认识的字段。"), "type": _l("内容格式不正确。")}

    class Meta:
        unknown = RAISE


class MeUpdateSchema(InputSchema):
    locale = fields.Str(allow_none=True, validate=validate.OneOf(
        ["zh_CN", "en", None], error=_l("不支持该语言。")))
