"""A grid's public notice board (seed 002 art. 13): who patrols it, how to reach them, and
where the public can send a clue. Only what the rule names is public: photo, name, work ID,
phone, duties, area."""

from __future__ import annotations

import segno
import sqlalchemy as sa

from fieldapp import policy
from fieldapp.db import commit, db, transaction
from fieldapp.errors import InputError, NotFound
from fieldapp.i18n import gettext as _
from fieldapp.models import Grid, Portrait, User
from fieldapp.services import org, photos


def grid_by_code(code: str) -> Grid:
    grid = org.grid_named(code)
    if grid is None:
        raise NotFound(_("找不到该网格。"))
    return grid


def people(grid: Grid) -> list[User]:
    """Active inspectors serving the grid."""
    return org.inspectors_of(grid.id)


def portraits(users: list[User]) -> dict[int, Portrait]:
    if not users:
        return {}
    return {
        p.user_id: p for p in db.session.scalars(sa.select(Portrait).where(Portrait.user_id.in_([u.id for u in users])))
    }


def portrait(user: User) -> Portrait | None:
    """The photo and duties ``user`` shows on the public board, if any."""
    return db.session.get(Portrait, user.id)


def public_portrait(grid: Grid, user_id: int):
    """The portrait's photo, only for someone on this grid's board."""
    if user_id not in {u.id for u in people(grid)}:
        return None
    portrait = db.session.get(Portrait, user_id)
    return portrait.photo if portrait else None


def qr_image(url: str) -> str:
    """A QR code as an inline PNG data URI, sharp at poster size (printed pixelated; medium error correction)."""
    return segno.make(url, error="m").png_data_uri(scale=10, border=4)


@transaction
def set_public_profile(admin: User, target: User, duties: str, photo: tuple[bytes, str] | None) -> None:
    policy.require(admin, "user.manage", target)
    duties = (duties or "").strip()
    if len(duties) > 500:
        raise InputError({"duties": _("不能超过 %(n)d 个字。", n=500)})
    stored = None
    if photo is not None:
        try:
            stored = photos.store(photo[0], admin, None, photo[1])
        except photos.PhotoError as err:
            raise InputError({"portrait": err.message}) from None
    target.duties = duties
    if stored is not None:
        portrait = db.session.get(Portrait, target.id)
        if portrait is None:
            db.session.add(Portrait(user_id=target.id, photo=stored))
        else:
            portrait.photo = stored
    commit()
