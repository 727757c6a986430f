"""Special campaigns: launch (admins), progress per grid and the report."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp import clock, codes
from fieldapp.http.guards import permission_required
from fieldapp.i18n import gettext as _
from fieldapp.services import campaigns, checklists, hazards, org
from fieldapp.web.forms import post

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


@bp.route("/", methods=["GET", "POST"])
@permission_required("checklist.manage")
def index():
    form = post(lambda values: campaigns.launch(current_user, values, request.form.getlist("grid_ids")))
    if form.done:
        flash(_("专项已发布，对象已列入网格员的巡查任务。"), "success")
        return redirect(url_for(".show", campaign_id=form.result.id))
    return render_template(
        "campaigns/index.html",
        rows=campaigns.recent(current_user),
        values=form.values,
        errors=form.errors,
        templates=checklists.active_choices(),
        units=org.unit_choices(current_user),
        grids=org.grids_in_scope(current_user),
        industries=list(codes.INDUSTRIES.items()),
        chosen=request.form.getlist("grid_ids"),
        today=clock.today(),
    ), form.status


@bp.route("/<int:campaign_id>")
@permission_required("checklist.manage")
def show(campaign_id: int):
    campaign = campaigns.get(current_user, campaign_id)
    return render_template(
        "campaigns/show.html",
        c=campaign,
        grids=campaigns.progress(campaign),
        report=campaigns.report(campaign),
        levels=hazards.LEVEL_LABELS,
    )
