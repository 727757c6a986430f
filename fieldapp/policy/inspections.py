"""Inspection records: who reads which (``scope``), and who may inspect an enterprise now."""

from __future__ import annotations

import sqlalchemy as sa

from fieldapp import roles
from fieldapp.i18n import gettext as _
from fieldapp.models import Enterprise, Inspection, User
from fieldapp.policy import scopes
from fieldapp.policy.recusal import recusal, recusal_reason
from fieldapp.queries import prebuilt


def scope(user: User) -> sa.Select:
    """Inspections ``user`` may read: staff see their enterprise scope; a company
    manager sees only final records of their own company; drafts only their author."""
    shape, _values = scopes.scope_binding(user)
    return sa.select(Inspection).where(_condition(shape, scopes.enterprise_condition(user), user.id))


@prebuilt
def scope_condition(shape: scopes.Shape) -> sa.ColumnElement[bool]:
    """``scope``'s condition for a shape (``policy.Shape``), built once; values bound later."""
    return _condition(shape, scopes.enterprise_condition_of(shape), scopes.SCOPE_USER)


def _condition(shape: scopes.Shape, enterprise_condition, user_id) -> sa.ColumnElement[bool]:
    enterprises = sa.select(Enterprise.id).where(enterprise_condition)
    conds = []
    if shape.staff:
        conds.append(
            sa.and_(
                Inspection.enterprise_id.in_(enterprises),
                sa.or_(Inspection.state != "draft", Inspection.inspector_id == user_id),
            )
        )
    if shape.company:
        conds.append(sa.and_(Inspection.state != "draft", Inspection.enterprise_id.in_(enterprises)))
    return sa.or_(*conds) if conds else sa.false()


def why_not_inspect(user: User, enterprise: Enterprise) -> str | None:
    """The reason ``user`` may not inspect ``enterprise`` now, or None."""
    if not user.has_role(*roles.INSPECTORS):
        return _("只有网格员和技术检查员可以发起现场检查。")
    if not scopes.serves_grid(user, enterprise.grid_id):
        return _("该企业不在您负责的网格内，不能发起检查。")
    conflict = recusal(user, enterprise)
    return recusal_reason(conflict.kind) if conflict is not None else None
