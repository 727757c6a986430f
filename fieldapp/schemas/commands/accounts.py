"""The account forms: logging in, changing one's password, an admin creating an account or
resetting its password. Whether the credentials are right, the password strong enough, the name
free and the department within the admin's reach, are the services' (accounts, users)."""

from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import fields, post_load, validate

from fieldapp.i18n import lazy_gettext as _l
from fieldapp.schemas.commands import TOO_LONG, Form, Ident, Ids, problems, readable_part


def _secret(required, limit: int | None = None) -> fields.Str:
    """A password as typed: never trimmed (spaces may be part of it)."""
    checks = [validate.Length(min=1, error=required)]
    if limit:
        checks.append(validate.Length(max=limit, error=TOO_LONG))
    return fields.Str(required=True, validate=checks, error_messages={"required": required, "null": required})


class LoginSchema(Form):
    login = fields.Str(
        required=True,
        validate=[validate.Length(min=1, error=_l("请输入用户名或手机号。")), validate.Length(max=64, error=TOO_LONG)],
        error_messages={"required": _l("请输入用户名或手机号。")},
    )
    password = _secret(_l("请输入密码。"), 128)


class PasswordChangeSchema(Form):
    current = _secret(_l("请输入当前密码。"))
    new = _secret(_l("请输入新密码。"))
    confirm = _secret(_l("请再次输入新密码。"))


class PasswordResetSchema(Form):
    password = _secret(_l("请输入新密码。"))


@dataclass
class NewUser:
    """An account an admin creates: who, how they log in, their roles, and where they work."""

    username: str
    display_name: str
    password: str
    roles: list[str]
    org_unit_id: int | None
    mobile: str = ""
    grid_ids: list[int] = field(default_factory=list)
    enterprise_uscc: str = ""


class NewUserSchema(Form):
    username = fields.Str(load_default="")
    display_name = fields.Str(load_default="")
    mobile = fields.Str(load_default="")
    password = fields.Str(load_default="")
    roles = fields.List(
        fields.Str(error_messages={"invalid": Ids.INVALID}),
        load_default=list,
        error_messages={"invalid": Ids.INVALID},
    )
    org_unit_id = Ident()
    grid_ids = Ids()
    enterprise_uscc = fields.Str(load_default="")

    @post_load
    def command(self, data: dict, **_kwargs) -> NewUser:
        return NewUser(**data)


def new_user(given) -> tuple[NewUser, dict[str, str]]:
    """The account a form asks for, and what is wrong with its fields; when some are wrong, the
    others as read (so that the service can judge them too, and the form says everything at once)."""
    made, wrong = problems(NewUserSchema(), given)
    if made is None:
        made = NewUser(**{"roles": [], "grid_ids": [], **readable_part(NewUserSchema(), given)})
    return made, wrong
