"""The role-aware home page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from fieldapp import clock, policy, roles
from fieldapp.services import clues, coverage, declarations, hazards, interference, overview
from fieldapp.web import app_texts

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    """One section per role the user holds, in a fixed order (field work first)."""
    user = current_user
    ctx: dict = {"sections": user.ordered_roles}
    if user.has_role(*roles.INSPECTORS):
        ctx["my_grids"] = overview.inspector_grids(user)
    if user.has_role(roles.ENFORCEMENT_OFFICER):
        ctx["jurisdiction"] = overview.jurisdiction_counts(user)
    if user.has_role(roles.ADMIN):
        ctx["admin"] = overview.admin_counts(user)
    if user.has_role(roles.COMPANY_MANAGER):
        ctx["companies"] = user.enterprises
        ctx["waiting"] = hazards.waiting_for_rectification(user)
    if user.has_role(*roles.INSPECTORS, roles.ENFORCEMENT_OFFICER, roles.COMPANY_MANAGER, roles.ADMIN):
        ctx["work"] = hazards.work_counts(user)
    if user.has_role(*roles.INSPECTORS):
        ctx["clue_tasks"] = clues.tasks_for(user)
        ctx["period"] = coverage.current()
        ctx["to_visit"] = coverage.still_to_visit(user, ctx["period"])
        ctx["today"] = clock.today()
        ctx["plan_texts"] = app_texts.plan()
    if policy.can(user, "clue.handle"):
        ctx["clue_counts"] = clues.counts(user)
    if user.has_role(roles.ADMIN):
        ctx["declarations_pending"] = declarations.pending_count(user)
    if user.has_role(roles.DISCIPLINE_INSPECTOR):
        ctx["interference_new"] = interference.unreceived_count(user)
    ctx["jurisdiction_names"] = overview.jurisdiction_names(user)
    return render_template("home/index.html", **ctx)
