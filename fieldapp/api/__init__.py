"""/api/v1: JSON for the service worker and scripts. Same scopes as the pages."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from fieldapp import policy
from fieldapp.db import db
from fieldapp.models import Enterprise
from fieldapp.schemas import EnterpriseSchema, MeSchema, MeUpdateSchema
from fieldapp.web.guards import permission_required
from fieldapp.web.paging import paginate

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.route("/me")
@login_required
def me():
    """Who is logged in, with roles and grids."""
    return jsonify(MeSchema().dump(current_user))


@bp.route("/me", methods=["PATCH"])
@login_required
def update_me():
    """Change one's own settings (for now the UI language). JSON body; CSRF token in X-CSRFToken."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error="bad_request", message=_("请求内容须为 JSON 对象。")), 400
    try:
        changes = MeUpdateSchema().load(data)
    except ValidationError as err:
        return jsonify(error="validation", message=_("提交的内容有误。"), fields=err.messages), 422
    if "locale" in changes:
        current_user.locale = changes["locale"]
    db.session.commit()
    return jsonify(MeSchema().dump(current_user))


@bp.route("/enterprises")
@permission_required("enterprise.list")
def enterprises():
    """Enterprises in scope; ``?page=`` for more."""
    per_page = request.args.get("per_page", type=int) or current_app.config["PAGE_SIZE"]
    page = paginate(policy.enterprise_scope(current_user).order_by(Enterprise.id), max(1, min(per_page, 200)),
                    sa.orm.joinedload(Enterprise.grid))
    return jsonify(items=EnterpriseSchema(many=True).dump(page.items), page=page.page,
                   pages=page.pages, total=page.total)


@bp.route("/enterprises/<int:enterprise_id>")
@permission_required("enterprise.view")
def enterprise(enterprise_id: int):
    return jsonify(EnterpriseSchema().dump(policy.get_enterprise(current_user, enterprise_id)))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
