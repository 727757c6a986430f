"""gunicorn settings for one app instance (any number of them behind the proxy).

    gunicorn -c deploy/gunicorn.conf.py wsgi:app

Threads serve the slow parts (photo uploads from weak phones) without a process each;
workers = cores, 4 threads each, measured adequate on 2 cores (bench/README.md). Run it on a
distribution's CPython (PGO and LTO builds: the README's "Which Python"); the app compresses and
serves static files itself, so it needs no proxy for that.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("THREADS", 4))
# Photos arrive over mobile networks: give uploads time, but recycle stuck workers.
timeout = 120
graceful_timeout = 30
# A phone on a weak link pays a round trip for each new connection (three with TLS), and a person
# reads a page for longer than a few seconds: keep idle connections as nginx does for its clients
# (75 s). gthread parks them in its poller, holding no thread; and behind nginx this outlasts its
# upstream keepalive_timeout (60 s), so nginx closes first, never reusing a connection closed here.
# (A stopping worker closes kept-alive connections within 2 s; one a browser opened and never used
# waits out this timeout, up to graceful_timeout: only without nginx in front.)
keepalive = 75
# Restart workers now and then, against slow leaks. Not often: a worker's memory levels off
# (~95-125 MB through 40 s of photo uploads under load), and each restart costs ~0.2-0.5 s of
# CPU (fork, teardown, cold caches); at 2,000 requests that was a third of every /healthz
# request's cost under load. At a district's rate this is still a restart every few hours.
max_requests = 10000
max_requests_jitter = 1000
# The app is loaded once, in the master, and each worker is forked from it: a restarted worker
# is serving at once instead of importing and building the app again (~1.1 s of CPU each time),
# and the workers share the loaded code's memory. Code changes therefore need a full restart,
# not HUP.
preload_app = True
# The proxy in front adds X-Forwarded-*; the app trusts PROXY_COUNT of them.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # the app logs requests itself as JSON lines (LOG_JSON=1), with request ids
errorlog = "-"
# gunicorn 27's control socket sits at one path per user (~/.gunicorn/gunicorn.ctl): a second
# instance on the same host would take it over, and nothing here uses it.
control_socket_disable = True


def when_ready(server):
    """Before the first worker is forked: the templates compiled once, for every worker."""
    if server.cfg.preload_app:
        import wsgi

        wsgi.warm()


def post_fork(server, worker):
    """Database connections must never be shared across the fork. Nothing connects while the
    app is built, so the pools are empty; dropping them here (SQLAlchemy's recipe for forked
    processes) keeps it so if that ever changes."""
    from fieldapp.extensions import db
    from wsgi import app

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def child_exit(server, worker):
    """A worker gone: its live gauges leave the shared metrics (PROMETHEUS_MULTIPROC_DIR)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
