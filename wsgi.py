"""gunicorn entry point: `gunicorn wsgi:app`."""
from fieldapp import create_app

app = create_app()
