"""The enterprise list and the enterprise page: their statements, built once (see ``fieldapp.queries``)."""

from __future__ import annotations

import sqlalchemy as sa

from fieldapp import policy
from fieldapp.models import Enterprise, Grid
from fieldapp.queries import prebuilt
from fieldapp.queries.paging import rows_statement

#: The list page's rows: only the columns the list shows (an enterprise has thirty; each costs the
#: driver and the ORM per row). Reading another one raises.
LIST_ROWS = rows_statement(
    Enterprise,
    sa.orm.load_only(
        Enterprise.id, Enterprise.name, Enterprise.uscc, Enterprise.status, Enterprise.pending_review, raiseload=True
    ),
    sa.orm.joinedload(Enterprise.grid).load_only(Grid.id, Grid.name, raiseload=True),
)


@prebuilt
def page_statement(shape: policy.Shape) -> sa.Select:
    """One enterprise (bound as ``id``) in a scope of this shape, with its grid and the grid's
    department, which the page names: loaded with the enterprise, not after it."""
    return (
        sa.select(Enterprise)
        .where(policy.enterprise_condition_of(shape), Enterprise.id == sa.bindparam("id"))
        .options(sa.orm.joinedload(Enterprise.grid).joinedload(Grid.org_unit))
    )
