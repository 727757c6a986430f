"""Enterprise lists and pages, always inside the user's scope."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from fieldapp import policy
from fieldapp.db import db
from fieldapp.models import Enterprise, Grid
from fieldapp.models.enterprises import ENTERPRISE_STATUSES
from fieldapp.web.guards import permission_required
from fieldapp.web.paging import paginate

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")


@bp.route("/")
@permission_required("enterprise.list")
def index():
    """Enterprises in scope, searchable by name or code, filterable by grid and status."""
    q = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") or ""
    grid_id = request.args.get("grid", type=int)
    query = policy.enterprise_scope(current_user)
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(Enterprise.name.like(like, escape="\\"),
                                   Enterprise.uscc.like(like.upper(), escape="\\")))
    if status in ENTERPRISE_STATUSES:
        query = query.where(Enterprise.status == status)
    if grid_id:
        query = query.where(Enterprise.grid_id == grid_id)
    page = paginate(query.options(sa.orm.joinedload(Enterprise.grid)).order_by(Enterprise.name, Enterprise.id),
                    per_page=current_app.config["PAGE_SIZE"])
    grids = db.session.scalars(policy.grid_scope(current_user).order_by(Grid.code)).all()
    return render_template("enterprises/index.html", page=page, q=q, status=status, grid_id=grid_id,
                           grids=grids, statuses=ENTERPRISE_STATUSES)


@bp.route("/<int:enterprise_id>")
@permission_required("enterprise.view")
def show(enterprise_id: int):
    """The enterprise page (the full one-file-per-enterprise hub comes with its issue)."""
    enterprise = policy.get_enterprise(current_user, enterprise_id)
    return render_template("enterprises/show.html", enterprise=enterprise)
