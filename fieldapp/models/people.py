"""Users, their roles, what each is attached to, and login sessions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from fieldapp import clock, roles
from fieldapp.db import UTCDateTime, db
from fieldapp.models.enterprises import Enterprise
from fieldapp.models.org import Grid, OrgUnit

_ROLE_CHECK = "role IN (" + ", ".join(f"'{r}'" for r in roles.ALL) + ")"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: Login name; stored lower-case so that logins are case-insensitive.
    username: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    #: Mainland mobile number, also accepted as the login name.
    mobile: so.Mapped[str | None] = so.mapped_column(sa.String(20), unique=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(64))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    #: False once an admin disables the account; every session stops at once.
    active: so.Mapped[bool] = so.mapped_column(default=True)
    #: Work-ID number (工作证号), printed on inspection records; issued with training later.
    work_id: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    #: Preferred UI language ("zh_CN", "en"); None follows the browser.
    #: What the person does: shown on the grid's public notice board (with a Portrait).
    duties: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    locale: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    #: The department that manages this account (admins see accounts of their subtree).
    org_unit_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("org_units.id"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    password_changed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    disabled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    org_unit: so.Mapped[OrgUnit | None] = so.relationship()
    #: Loaded when asked for: the signed-in user gets them joined (services.sessions), lists
    #: that show roles ask for them (selectinload); every other User a page loads (reporters,
    #: actors, inspectors of records) used to cost a query for roles nobody read.
    role_rows: so.Mapped[list[UserRole]] = so.relationship(cascade="all, delete-orphan")
    grids: so.Mapped[list[Grid]] = so.relationship(secondary="inspector_grids", order_by="Grid.code", viewonly=True)
    jurisdictions: so.Mapped[list[OrgUnit]] = so.relationship(
        secondary="user_org_units", order_by="OrgUnit.code", viewonly=True
    )
    enterprises: so.Mapped[list[Enterprise]] = so.relationship(
        secondary="company_managers", order_by="Enterprise.name", viewonly=True
    )

    #: Set by services.sessions at login/load: the opaque token Flask-Login keeps in the cookie.
    session_token = None  # plain attribute, not a column

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)

    def has_role(self, *wanted: str) -> bool:
        return bool(self.roles.intersection(wanted))

    @property
    def ordered_roles(self) -> list[str]:
        return [r for r in roles.ALL if r in self.roles]

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        # Flask-Login stores this in the session; it names a server-side
        # session row, never the user id, so logout and disabling revoke it.
        if not self.session_token:
            raise RuntimeError("user has no login session")
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (sa.CheckConstraint(_ROLE_CHECK, name="role"),)

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)


class InspectorGrid(db.Model):
    """An inspector serves a grid (one inspector may serve several)."""

    __tablename__ = "inspector_grids"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    grid_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("grids.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    assigned_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)


class UserOrgUnit(db.Model):
    """An officer's, admin's, supervisor's or discipline inspector's jurisdiction."""

    __tablename__ = "user_org_units"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    org_unit_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("org_units.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CompanyManager(db.Model):
    """A company safety manager's enterprise."""

    __tablename__ = "company_managers"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    enterprise_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class UserSession(db.Model):
    """A login on one device. Only the SHA-256 of the cookie's token is stored."""

    __tablename__ = "user_sessions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    last_seen_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    ip: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    user_agent: so.Mapped[str] = so.mapped_column(sa.String(255), default="")

    user: so.Mapped[User] = so.relationship()


class LoginAttempt(db.Model):
    """Every login attempt; recent failures throttle per account and per IP."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_account_at", "account", "at"),
        sa.Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    #: The login name as typed, normalised (lower-case, trimmed).
    account: so.Mapped[str] = so.mapped_column(sa.String(64))
    ip: so.Mapped[str] = so.mapped_column(sa.String(64))
    success: so.Mapped[bool] = so.mapped_column(default=False)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
