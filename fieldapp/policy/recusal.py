"""Recusal (回避, seed 000; seed 002 art. 7): a declared interest in an enterprise, pending or
approved, bars the declarer from inspecting it and from deciding or re-checking its hazards."""

from __future__ import annotations

import sqlalchemy as sa

from fieldapp.db import db
from fieldapp.i18n import gettext as _
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models import Enterprise, InterestDeclaration, User

#: The kinds of interest one declares.
KIND_LABELS = {
    "relative": _l("亲属在该企业任职"),
    "former_employer": _l("曾在该企业任职"),
    "shareholding": _l("持有该企业股份"),
    "part_time": _l("在该企业兼职"),
    "other": _l("其他利害关系"),
}
#: Declarations that bar: waiting for a decision, or confirmed.
BLOCKING = ("pending", "approved")

#: Built once: asked on every enterprise page an inspector opens.
_RECUSAL = (
    sa.select(InterestDeclaration)
    .where(
        InterestDeclaration.user_id == sa.bindparam("user_id"),
        InterestDeclaration.enterprise_id == sa.bindparam("enterprise_id"),
        InterestDeclaration.status.in_(BLOCKING),
    )
    .limit(1)
)


def recusal(user: User, enterprise: Enterprise) -> InterestDeclaration | None:
    """A pending or approved declared interest that bars ``user`` from this enterprise."""
    return db.session.scalar(_RECUSAL, {"user_id": user.id, "enterprise_id": enterprise.id})


def recusal_reason(kind: str) -> str:
    return _(
        "您已申报与该企业存在利害关系（%(kind)s），按规定应当回避，不能检查该企业。", kind=KIND_LABELS.get(kind, kind)
    )
