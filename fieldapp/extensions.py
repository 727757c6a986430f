"""Extension singletons, bound to the app in create_app()."""

from flask_babel import Babel
from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from fieldapp.db import db

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()

__all__ = ["babel", "compress", "csrf", "db", "login_manager", "migrate"]
