"""Accounts managed by department admins: create, disable, enable, reset password."""

from __future__ import annotations

import re
from collections.abc import Mapping

import sqlalchemy as sa

from fieldapp import clock, policy, roles
from fieldapp.db import db, transaction
from fieldapp.errors import InputError
from fieldapp.i18n import gettext as _
from fieldapp.models import (
    CompanyManager,
    Enterprise,
    Grid,
    InspectorGrid,
    OrgUnit,
    User,
    UserOrgUnit,
    UserRole,
)
from fieldapp.queries.paging import Page, paginate
from fieldapp.schemas.commands.accounts import NewUser, new_user
from fieldapp.services import sessions, uscc
from fieldapp.services.accounts import (
    MOBILE_RE,
    check_password_strength,
    clear_lock,
    hash_password,
    normalise_login,
)

USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.\-]{2,31}$")


class UserInputError(InputError):
    pass


@transaction
def search(admin: User, q: str, page: int, per_page: int) -> Page:
    """Page ``page`` of the accounts ``admin`` manages whose name, username or mobile holds ``q``:
    active first, by username."""
    query = policy.user_scope(admin)
    if q:
        like = f"%{q}%"
        query = query.where(
            sa.or_(User.display_name.like(like), User.username.like(like.lower()), User.mobile.like(like))
        )
    return paginate(
        query.order_by(User.active.desc(), User.username), page, per_page, sa.orm.selectinload(User.role_rows)
    )


@transaction
def create_user(actor: User, given: NewUser | Mapping, *, hash_method: str = "scrypt") -> User:
    """An admin creates an account. ``given``: the command, or the form's values (every field is
    judged, also when some could not be read, so that the form says everything at once)."""
    policy.require(actor, "user.manage")
    data, form_errors = new_user(given)
    errors: dict[str, str] = {}
    username, mobile, name = _identity(data, errors)
    chosen = [r for r in roles.ALL if r in set(data.roles)]
    if not chosen or len(chosen) != len(set(data.roles)):
        errors["roles"] = _("请至少选择一个有效角色。")
    unit, grids, enterprise = _attachments(actor, data, chosen, errors)
    if errors or form_errors:
        raise UserInputError({**errors, **form_errors})

    user = User(
        username=username,
        mobile=mobile,
        display_name=name,
        password_hash=hash_password(data.password, hash_method),
        org_unit=unit,
    )
    user.role_rows = [UserRole(role=r) for r in chosen]
    db.session.add(user)
    db.session.flush()
    db.session.add_all(InspectorGrid(user_id=user.id, grid_id=g.id) for g in grids)
    if set(chosen) & roles.JURISDICTION_ROLES:
        db.session.add(UserOrgUnit(user_id=user.id, org_unit_id=unit.id))
    if enterprise is not None:
        db.session.add(CompanyManager(user_id=user.id, enterprise_id=enterprise.id))
    db.session.commit()
    return user


def _identity(data: NewUser, errors: dict[str, str]) -> tuple[str, str | None, str]:
    """The new account's login name, mobile and name, checked (free, well-formed); the password
    checked against the login name. Problems go into ``errors``."""
    username = normalise_login(data.username)
    if not USERNAME_RE.match(username):
        errors["username"] = _("用户名须以字母开头，3–32 位，只含小写字母、数字、点、下划线或连字符。")
    elif db.session.scalar(sa.select(User.id).where(User.username == username)):
        errors["username"] = _("用户名已被使用。")
    mobile = normalise_login(data.mobile) if data.mobile.strip() else None
    if mobile is not None:
        if not MOBILE_RE.match(mobile):
            errors["mobile"] = _("请输入 11 位中国大陆手机号。")
        elif db.session.scalar(sa.select(User.id).where(User.mobile == mobile)):
            errors["mobile"] = _("该手机号已被其他账号使用。")
    name = data.display_name.strip()
    if not name or len(name) > 64:
        errors["display_name"] = _("请填写姓名（不超过 64 个字）。")
    weak = check_password_strength(data.password, username)
    if weak:
        errors["password"] = weak
    return username, mobile, name


def _attachments(actor: User, data: NewUser, chosen: list[str], errors: dict[str, str]):
    """The unit, grids and enterprise the new account is attached to, each within ``actor``'s
    jurisdiction and as its roles need. Problems go into ``errors``."""
    unit = None
    if data.org_unit_id is None:
        errors["org_unit_id"] = _("请选择所属单位。")
    else:
        unit = db.session.scalar(policy.org_unit_scope(actor).where(OrgUnit.id == data.org_unit_id))
        if unit is None:
            errors["org_unit_id"] = _("所选单位不在您的管辖范围内。")
    grids = []
    if set(chosen) & roles.INSPECTORS:
        if not data.grid_ids:
            errors["grid_ids"] = _("网格员和技术检查员须至少分配一个网格。")
        else:
            grids = list(db.session.scalars(policy.grid_scope(actor).where(Grid.id.in_(data.grid_ids))))
            if len(grids) != len(set(data.grid_ids)):
                errors["grid_ids"] = _("所选网格不在您的管辖范围内。")
    enterprise = None
    if roles.COMPANY_MANAGER in chosen:
        code = uscc.normalise(data.enterprise_uscc)
        enterprise = db.session.scalar(policy.enterprise_scope(actor).where(Enterprise.uscc == code)) if code else None
        if enterprise is None:
            errors["enterprise_uscc"] = _("请填写所管辖范围内企业的统一社会信用代码。")
    return unit, grids, enterprise


@transaction
def set_active(actor: User, target: User, active: bool) -> None:
    """Disable or re-enable an account; disabling ends its sessions at once."""
    policy.require(actor, "user.manage", target)
    target.active = active
    target.disabled_at = None if active else clock.now()
    if not active:
        sessions.revoke_all(target)
    db.session.commit()


@transaction
def reset_password(actor: User, target: User, new_password: str, *, hash_method: str = "scrypt") -> None:
    policy.require(actor, "user.manage", target)
    weak = check_password_strength(new_password, target.username)
    if weak:
        raise UserInputError({"password": weak})
    target.password_hash = hash_password(new_password, hash_method)
    target.password_changed_at = clock.now()
    sessions.revoke_all(target)
    clear_lock(target)  # a locked-out inspector gets back in with the new password at once
    db.session.commit()


@transaction
def first_admin(unit_code: str, unit_name: str, unit_kind: str, username: str, name: str, password: str) -> User:
    """A new install's first account: the top of the organisation tree (a district or a city)
    and its admin, who creates everything else in the app. Refused once the tree has a top."""
    from fieldapp.services import org

    username = normalise_login(username or "")
    errors = {}
    if db.session.scalar(sa.select(OrgUnit.id).where(OrgUnit.parent_id.is_(None)).limit(1)) is not None:
        errors["unit"] = _("已有顶层单位：请由其管理员在系统中新建账号。")
    if unit_kind not in ("city", "district"):
        errors["kind"] = _("顶层单位须为地市或区县。")
    if not re.fullmatch(r"[0-9A-Za-z-]{1,32}", unit_code or "") or not (unit_name or "").strip():
        errors["unit_code"] = _("请填写单位代码（字母、数字）和名称。")
    if not USERNAME_RE.match(username):
        errors["username"] = _("用户名以字母开头，3–32 位小写字母、数字、下划线、点或横线。")
    weak = check_password_strength(password, username)
    if weak:
        errors["password"] = weak
    if errors:
        raise UserInputError(errors)
    unit = org.create_org_unit(unit_code, unit_name.strip(), unit_kind)
    user = User(
        username=username, display_name=(name or username).strip(), password_hash=hash_password(password), org_unit=unit
    )
    user.role_rows = [UserRole(role=roles.ADMIN)]
    db.session.add(user)
    db.session.flush()
    db.session.add(UserOrgUnit(user_id=user.id, org_unit_id=unit.id))
    db.session.commit()
    return user
