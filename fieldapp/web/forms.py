"""Form parsing (Flask-WTF, which also carries the CSRF token). Rules live in services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import InputRequired, Length

from fieldapp.errors import InputError
from fieldapp.i18n import lazy_gettext as _l


def uploads(field: str) -> list[tuple[bytes, str]]:
    """The files a form posted under ``field``, read: (bytes, file name); empty inputs skipped."""
    return [(f.read(), f.filename or "") for f in request.files.getlist(field) if f and f.filename]


@dataclass
class Posted:
    """A page's form after ``post``: what was typed (kept when refused), the errors by field, the
    status to answer with, and what the service returned when it took the input (``done``)."""

    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    status: int = 200
    result: Any = None
    done: bool = False


def post(action: Callable[[dict], Any]) -> Posted:
    """The form of a page that makes or records something: on GET nothing happens; on POST the
    form's values go to ``action`` (one service call); refused input comes back as errors by
    field with a 400, and what was typed stays in the form."""
    if request.method != "POST":
        return Posted()
    values = request.form.to_dict()
    try:
        result = action(values)
    except InputError as refused:
        return Posted(values, refused.errors, 400)
    return Posted(values, {}, 200, result, True)


class LoginForm(FlaskForm):
    login = StringField(
        _l("用户名或手机号"), validators=[InputRequired(message=_l("请输入用户名或手机号。")), Length(max=64)]
    )
    password = PasswordField(_l("密码"), validators=[InputRequired(message=_l("请输入密码。")), Length(max=128)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[InputRequired(message=_l("请输入当前密码。"))])
    new = PasswordField(_l("新密码"), validators=[InputRequired(message=_l("请输入新密码。"))])
    confirm = PasswordField(_l("再次输入新密码"), validators=[InputRequired(message=_l("请再次输入新密码。"))])


class LabelledChecks(widgets.ListWidget):
    """A list of check boxes, each inside its label: the whole 44 px row is what one taps, not
    the 22 px box (WTForms puts the label beside the box)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        items = "".join(Markup("<li><label>{} {}</label></li>").format(option(), option.label.text) for option in field)
        return Markup(f"<{self.html_tag} {widgets.html_params(**kwargs)}>{items}</{self.html_tag}>")  # noqa: S704


class CheckboxesField(SelectMultipleField):
    widget = LabelledChecks()
    option_widget = widgets.CheckboxInput()

    def process_formdata(self, valuelist):
        try:
            self.data = [self.coerce(x) for x in valuelist]
        except (TypeError, ValueError):
            self.data = []
            raise ValueError(_l("选项无效，请重新选择。")) from None

    def pre_validate(self, form):
        # Choices outside one's scope are refused by the service, in the user's terms.
        pass


class UserForm(FlaskForm):
    username = StringField(_l("用户名"))
    display_name = StringField(_l("姓名"))
    mobile = StringField(_l("手机号"))
    password = PasswordField(_l("初始密码"))
    roles = CheckboxesField(_l("角色"))
    org_unit_id = SelectField(_l("所属单位"), coerce=int)
    grid_ids = CheckboxesField(_l("负责网格（网格员、技术检查员）"), coerce=int)
    enterprise_uscc = StringField(_l("企业统一社会信用代码（企业安全负责人）"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("新密码"), validators=[InputRequired(message=_l("请输入新密码。"))])


class EmptyForm(FlaskForm):
    """Just the CSRF token, for buttons that change state."""
