"""marshmallow schemas for the JSON API."""
from marshmallow import Schema, fields


class GridSchema(Schema):
    id = fields.Int()
    code = fields.Str()
    name = fields.Str()


class EnterpriseSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    uscc = fields.Str()
    status = fields.Str()
    address = fields.Str()
    grid = fields.Nested(GridSchema)


class MeSchema(Schema):
    id = fields.Int()
    username = fields.Str()
    display_name = fields.Str()
    roles = fields.Function(lambda u: u.ordered_roles)
    grids = fields.List(fields.Nested(GridSchema))
    locale = fields.Str(allow_none=True)
