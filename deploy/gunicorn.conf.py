"""gunicorn settings for one app instance (any number of them behind the proxy).

    gunicorn -c deploy/gunicorn.conf.py wsgi:app

Threads serve the slow parts (photo uploads from weak phones) without a process each;
workers = cores, 4 threads each, measured adequate on 2 cores (bench/README.md).
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
keepalive = 5
# Restart workers now and then (memory held by large uploads goes back to the system).
max_requests = 2000
max_requests_jitter = 200
# The proxy in front adds X-Forwarded-*; the app trusts PROXY_COUNT of them.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # the app logs requests itself as JSON lines (LOG_JSON=1), with request ids
errorlog = "-"
# gunicorn 27's control socket sits at one path per user (~/.gunicorn/gunicorn.ctl): a second
# instance on the same host would take it over, and nothing here uses it.
control_socket_disable = True
