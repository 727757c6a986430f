"""The inspection record's page and the enterprise page's list of records: their statements,
built once per shape (see ``fieldapp.queries``)."""

from __future__ import annotations

import sqlalchemy as sa

from fieldapp import policy
from fieldapp.models import Hazard, Inspection, InspectionPhoto, ItemResult, Photo, User
from fieldapp.policy.inspections import scope_condition
from fieldapp.queries import prebuilt


@prebuilt
def record_statement(shape: policy.Shape) -> sa.Select:
    return (
        sa.select(Inspection)
        .where(scope_condition(shape), Inspection.id == sa.bindparam("id"))
        .options(
            sa.orm.joinedload(Inspection.enterprise),
            sa.orm.joinedload(Inspection.inspector),
            sa.orm.joinedload(Inspection.signature),
            sa.orm.joinedload(Inspection.template),
            sa.orm.joinedload(Inspection.co_inspectors),
        )
    )  # a few at most


# A record's collections, each in its relationship's order.
RESULTS = sa.select(ItemResult).where(ItemResult.inspection_id == sa.bindparam("id")).order_by(ItemResult.position)


PHOTOS = (
    sa.select(InspectionPhoto)
    .where(InspectionPhoto.inspection_id == sa.bindparam("id"))
    .order_by(InspectionPhoto.id)
    .options(sa.orm.joinedload(InspectionPhoto.photo).joinedload(Photo.original))
)


HAZARDS = (
    sa.select(Hazard)
    .where(Hazard.inspection_id == sa.bindparam("id"))
    .order_by(Hazard.id)
    .options(sa.orm.joinedload(Hazard.photos).joinedload(Photo.original))
)


@prebuilt
def for_enterprise_statement(shape: policy.Shape) -> sa.Select:
    # Only what the list shows: the records' texts and hashes stay in the database (each column
    # read costs the driver and the ORM per row); reading another one raises instead of quietly
    # asking once per record.
    return (
        sa.select(Inspection)
        .where(scope_condition(shape), Inspection.enterprise_id == sa.bindparam("enterprise_id"))
        .options(
            sa.orm.load_only(
                Inspection.id,
                Inspection.number,
                Inspection.state,
                Inspection.started_at,
                Inspection.inspector_id,
                raiseload=True,
            ),
            sa.orm.joinedload(Inspection.inspector).load_only(User.id, User.display_name, raiseload=True),
        )
        .order_by(Inspection.started_at.desc())
        .limit(sa.bindparam("limit"))
    )
