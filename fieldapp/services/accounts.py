"""Logging in, throttling failed logins, and passwords."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from fieldapp import clock
from fieldapp.db import db, transaction
from fieldapp.errors import ServiceError
from fieldapp.i18n import gettext as _
from fieldapp.models import LoginAttempt, User
from fieldapp.services import sessions

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# A hash to check against when the account does not exist, so that a wrong
# username takes as long as a wrong password (no account enumeration by timing).
_DUMMY_HASH: dict[str, str] = {}


class LoginRefused(ServiceError):
    status = 401


class LoginThrottled(LoginRefused):
    status = 429


@dataclass(frozen=True)
class ThrottlePolicy:
    max_per_account: int = 5
    max_per_ip: int = 30
    window: timedelta = timedelta(minutes=15)


def normalise_login(raw: str) -> str:
    """Lower-case a username; reduce a mobile number typed with spaces, dashes or +86."""
    value = (raw or "").strip().lower()
    digits = re.sub(r"[\s\-]", "", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    if MOBILE_RE.match(digits):
        return digits
    return value


def find_user(login: str) -> User | None:
    key = normalise_login(login)
    if not key:
        return None
    return db.session.scalar(sa.select(User).where(sa.or_(User.username == key, User.mobile == key)))


def hash_password(password: str, method: str = "scrypt") -> str:
    return generate_password_hash(password, method=method)


def check_password_strength(password: str, username: str = "") -> str | None:
    """The reason ``password`` is too weak, in the user's language, or None."""
    if len(password) < 8:
        return _("密码至少需要 8 位。")
    if len(password) > 128:
        return _("密码不能超过 128 位。")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        return _("密码需同时包含字母和数字。")
    if username and username.lower() in password.lower():
        return _("密码不能包含用户名。")
    return None


def _recent_failures(column, value, window_start: datetime) -> tuple[int, datetime | None]:
    """Failures since ``window_start`` and since the last success for that key."""
    last_success = db.session.scalar(
        sa.select(sa.func.max(LoginAttempt.at)).where(
            column == value, LoginAttempt.success.is_(True), LoginAttempt.at >= window_start
        )
    )
    after = LoginAttempt.at > last_success if last_success else LoginAttempt.at >= window_start
    count, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(LoginAttempt.at)).where(
            column == value, LoginAttempt.success.is_(False), after
        )
    ).one()
    return count, oldest


def _minutes_left(oldest: datetime | None, window: timedelta, now: datetime) -> int:
    if oldest is None:
        return math.ceil(window.total_seconds() / 60)
    return max(1, math.ceil((oldest + window - now).total_seconds() / 60))


@transaction
def authenticate(
    login: str, password: str, ip: str, *, throttle: ThrottlePolicy = ThrottlePolicy(), hash_method: str = "scrypt"
) -> User:
    """The user for these credentials; raises LoginRefused with a message to show.

    Attempts are recorded in the database so throttling holds across workers
    and machines. While an account or IP is throttled, attempts are refused
    without checking (and without recording), so the lock ends on time.
    """
    now = clock.now()
    account = normalise_login(login)[:64]
    ip = (ip or "")[:64]
    if not account or not password:
        raise LoginRefused(_("请输入用户名（或手机号）和密码。"))
    window_start = now - throttle.window

    failures, oldest = _recent_failures(LoginAttempt.ip, ip, window_start)
    if failures >= throttle.max_per_ip:
        raise LoginThrottled(
            _(
                "此网络登录失败次数过多，请 %(minutes)d 分钟后再试。",
                minutes=_minutes_left(oldest, throttle.window, now),
            )
        )
    user = find_user(account)
    # Counted per account, whichever name it was tried by (username or mobile number): five
    # guesses, not five per name. A name that is no account is counted by the name.
    key = (LoginAttempt.user_id, user.id) if user is not None else (LoginAttempt.account, account)
    failures, oldest = _recent_failures(*key, window_start)
    if failures >= throttle.max_per_account:
        raise LoginThrottled(
            _(
                "该账号连续登录失败次数过多，已暂时锁定，请 %(minutes)d 分钟后再试。",
                minutes=_minutes_left(oldest, throttle.window, now),
            )
        )

    if user is None:
        if hash_method not in _DUMMY_HASH:
            _DUMMY_HASH[hash_method] = hash_password("not a password 0", hash_method)
        check_password_hash(_DUMMY_HASH[hash_method], password)
        ok = False
    else:
        ok = check_password_hash(user.password_hash, password)
    db.session.add(LoginAttempt(at=now, account=account, ip=ip, success=ok, user_id=user.id if user else None))
    db.session.commit()
    if not ok:
        left = throttle.max_per_account - failures - 1
        if 0 < left <= 2:
            raise LoginRefused(_("用户名或密码错误。再失败 %(left)d 次，账号将被暂时锁定。", left=left))
        if left <= 0:
            raise LoginThrottled(
                _(
                    "该账号连续登录失败次数过多，已暂时锁定，请 %(minutes)d 分钟后再试。",
                    minutes=_minutes_left(None, throttle.window, now),
                )
            )
        raise LoginRefused(_("用户名或密码错误。"))
    if not user.active:
        # Told only after the right password, so this reveals nothing to a guesser.
        raise LoginRefused(_("该账号已停用，请联系管理员。"))
    return user


@transaction
def change_password(user: User, current: str, new: str, confirm: str, *, hash_method: str = "scrypt") -> None:
    """Change one's own password; every other session of the user ends."""
    if not check_password_hash(user.password_hash, current or ""):
        raise ServiceError(_("当前密码不正确。"))
    if new != confirm:
        raise ServiceError(_("两次输入的新密码不一致。"))
    if new == current:
        raise ServiceError(_("新密码不能与当前密码相同。"))
    problem = check_password_strength(new, user.username)
    if problem:
        raise ServiceError(problem)
    user.password_hash = hash_password(new, hash_method)
    user.password_changed_at = clock.now()
    sessions.revoke_all(user, keep_token=user.session_token)
    db.session.commit()


#: Login attempts are kept this long: long enough to investigate an attack.
ATTEMPT_RETENTION = timedelta(days=90)


def clear_lock(user: User) -> None:
    """End a lockout (an admin reset the password): recorded as a successful attempt of the account,
    after which its failures count afresh."""
    db.session.add(LoginAttempt(at=clock.now(), account=f"({UNLOCKED})", ip="", success=True, user_id=user.id))


#: What a cleared lock is recorded as, in place of a login name.
UNLOCKED = "admin-reset"


def prune_attempts(retention: timedelta = ATTEMPT_RETENTION) -> int:
    return db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < clock.now() - retention)).rowcount or 0


@transaction
def set_language(user: User, lang: str) -> None:
    """Remember ``user``'s UI language on the account (the caller checked it is supported)."""
    user.locale = lang
    db.session.commit()
