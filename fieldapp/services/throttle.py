"""Limits on public forms (anonymous clues, tracking-code look-ups), counted in the
database so that they hold across app instances and restarts, with no other service."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from fieldapp import clock
from fieldapp.db import db
from fieldapp.errors import ServiceError
from fieldapp.i18n import gettext as _
from fieldapp.models import ThrottleHit, UsedToken


class TooMany(ServiceError):
    status = 429


def hit(bucket: str, key: str, limit: int, window: timedelta) -> None:
    """Count one use of ``bucket`` by ``key``; refuse (429) once ``limit`` uses fall in ``window``.

    On its own connection and committed at once: a refused or failed attempt still counts,
    so a flood of bad submissions is throttled like a flood of good ones."""
    now = clock.now()
    key = key[:64]
    with db.engine.begin() as conn:
        used = conn.scalar(
            sa.select(sa.func.count())
            .select_from(ThrottleHit)
            .where(ThrottleHit.bucket == bucket, ThrottleHit.key == key, ThrottleHit.at > now - window)
        )
        if used >= limit:
            minutes = max(1, int(window.total_seconds() // 60))
            raise TooMany(
                _(
                    "提交过于频繁：每 %(minutes)d 分钟最多 %(limit)d 次。您填写的内容仍在页面上，请稍后再提交。",
                    minutes=minutes,
                    limit=limit,
                )
            )
        conn.execute(sa.insert(ThrottleHit).values(bucket=bucket, key=key, at=now))
        # Old hits are of no further use; cleared as we go (the index makes it cheap).
        conn.execute(
            sa.delete(ThrottleHit).where(
                ThrottleHit.bucket == bucket, ThrottleHit.key == key, ThrottleHit.at < now - window - timedelta(days=1)
            )
        )


def use_once(token: str) -> bool:
    """Record ``token`` as used, on its own connection and at once; False if it had been used
    (the primary key refuses a second use, also when two arrive at the same moment)."""
    try:
        with db.engine.begin() as conn:
            conn.execute(sa.insert(UsedToken).values(token=token[:64], used_at=clock.now()))
    except sa.exc.IntegrityError:
        return False
    return True


def prune_used(older_than: timedelta) -> int:
    with db.engine.begin() as conn:
        return conn.execute(sa.delete(UsedToken).where(UsedToken.used_at < clock.now() - older_than)).rowcount or 0
