"""Special campaigns: launch (admins), progress per grid and the report."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp import clock, codes, policy
from fieldapp.db import db
from fieldapp.errors import InputError
from fieldapp.i18n import gettext as _
from fieldapp.models import Campaign, ChecklistTemplate, Grid, OrgUnit
from fieldapp.services import campaigns, hazards
from fieldapp.web.guards import permission_required

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


@bp.route("/", methods=["GET", "POST"])
@permission_required("checklist.manage")
def index():
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            campaign = campaigns.launch(current_user, values, request.form.getlist("grid_ids"))
        except InputError as refused:
            db.session.rollback()
            errors, status = refused.errors, 400
        else:
            flash(_("专项已发布，对象已列入网格员的巡查任务。"), "success")
            return redirect(url_for(".show", campaign_id=campaign.id))
    rows = db.session.scalars(campaigns.scope(current_user).order_by(Campaign.starts_on.desc()).limit(100)).all()
    templates = [(t.id, t.name) for t in db.session.scalars(
        sa.select(ChecklistTemplate).where(ChecklistTemplate.active.is_(True)).order_by(ChecklistTemplate.name))]
    units = [(u.id, u.name) for u in db.session.scalars(policy.org_unit_scope(current_user).order_by(OrgUnit.path))]
    grids = db.session.scalars(policy.grid_scope(current_user).order_by(Grid.code)).all()
    return render_template("campaigns/index.html", rows=rows, values=values, errors=errors, templates=templates,
                           units=units, grids=grids, industries=list(codes.INDUSTRIES.items()),
                           chosen=request.form.getlist("grid_ids"), today=clock.today()), status


@bp.route("/<int:campaign_id>")
@permission_required("checklist.manage")
def show(campaign_id: int):
    campaign = policy.get_in_scope(campaigns.scope(current_user), Campaign, campaign_id)
    return render_template("campaigns/show.html", c=campaign, grids=campaigns.progress(campaign),
                           report=campaigns.report(campaign), levels=hazards.LEVEL_LABELS)
