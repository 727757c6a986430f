"""Extension singletons, bound to the app in create_app()."""

from flask import current_app, request
from flask_babel import Babel
from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from fieldapp.db import db

migrate = Migrate()
login_manager = LoginManager()


class HeaderFirstCSRF(CSRFProtect):
    """The token from the X-CSRFToken header when a request carries one, before the form's:
    reading the form parses a whole multipart body at once, and the media upload reads its body
    as it arrives (api/multipart.py), so that a cut connection keeps the photos that were whole."""

    def _get_csrf_token(self):
        for header in current_app.config["WTF_CSRF_HEADERS"]:
            if token := request.headers.get(header):
                return token
        return super()._get_csrf_token()


csrf = HeaderFirstCSRF()
babel = Babel()
compress = Compress()

__all__ = ["babel", "compress", "csrf", "db", "login_manager", "migrate"]
