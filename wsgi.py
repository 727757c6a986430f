"""gunicorn entry point: `gunicorn wsgi:app`."""
import gc

from fieldapp import create_app

app = create_app()
# Everything built so far (modules, mappers, compiled templates) lives as long as the process:
# keep it out of the collector's full passes, which otherwise walk ~200,000 objects and stall
# a request for 100-200 ms now and then on a small server.
gc.freeze()
