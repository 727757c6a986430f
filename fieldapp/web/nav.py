"""What every page's template needs: language, and the navigation for the user's roles."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from fieldapp import i18n, policy, roles
from fieldapp.i18n import gettext as _
from fieldapp.services import notifications


@dataclass
class NavItem:
    label: str
    url: str
    icon: str
    active: bool


def nav_items(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    path = request.path
    items = [NavItem(_("首页"), url_for("home.index"), "home", path == "/")]
    if user.has_role(roles.COMPANY_MANAGER) and len(user.roles) == 1 and user.enterprises:
        e = user.enterprises[0]
        url = url_for("enterprises.show", enterprise_id=e.id)
        items.append(NavItem(_("我的企业"), url, "building", path == url))
    elif policy.can(user, "enterprise.list"):
        items.append(NavItem(_("企业"), url_for("enterprises.index"), "building", path.startswith("/enterprises")))
    if policy.can(user, "inspection.create"):
        items.append(NavItem(_("巡查"), url_for("inspections.patrol"), "list", path.startswith("/inspections")))
        items.append(NavItem(_("同步"), "/outbox", "upload", False))
    if policy.can(user, "hazard.view"):
        items.append(NavItem(_("隐患"), url_for("hazards.index"), "alert", path.startswith("/hazards")))
    if policy.can(user, "clue.handle") or policy.can(user, "clue.submit"):
        items.append(NavItem(_("线索"), url_for("clues.index"), "bell", path.startswith("/clues")))
    if policy.can(user, "interference.review"):
        items.append(NavItem(_("干预记录"), url_for("interference.index"), "shield", path.startswith("/interference")))
    if policy.can(user, "user.manage"):
        items.append(NavItem(_("账号"), url_for("admin.user_list"), "users", path.startswith("/admin")))
    items.append(NavItem(_("我的"), url_for("auth.account"), "user", path.startswith("/account")))
    return items


def init_app(app: Flask) -> None:
    @app.context_processor
    def page_context():
        locale = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
        # The user object itself, not the proxy: each use of ``current_user`` looks it up again.
        user = current_user._get_current_object()
        return {
            "current_locale": locale,
            "html_lang": i18n.html_lang(),
            "nav_items": nav_items(user),
            "role_label": roles.label,
            "can": lambda action, obj=None: policy.can(user, action, obj),
            # A callable: the count is queried only where a template shows it.
            "unread_notifications": lambda: notifications.unread_count(user) if user.is_authenticated else 0,
        }
