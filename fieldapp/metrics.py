"""Prometheus metrics at ``/metrics`` (prometheus-client): requests and their latency by route,
what phones' syncs came to, and the queues people work from (hazards to confirm, rectification
overdue) counted when scraped.

Answered to this machine (the monitoring agent beside the app) or to whoever brings
``METRICS_TOKEN`` (``Authorization: Bearer …``); anyone else gets 403. Under gunicorn each worker
counts its own requests: with ``PROMETHEUS_MULTIPROC_DIR`` set (the systemd unit does) the
workers share their counts through that folder and any worker answers for all of them.
"""

from __future__ import annotations

import os
import time

from flask import Flask, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

__all__ = ["CONTENT_TYPE_LATEST", "exposition", "init_app"]


REQUESTS = Counter("fieldapp_requests", "Requests answered, by route, method and status", ["route", "method", "status"])
LATENCY = Histogram(
    "fieldapp_request_seconds",
    "Time to answer a request, by route",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120),
)
SYNC = Counter("fieldapp_sync", "What phones sent, by kind and outcome", ["kind", "outcome"])
#: The routes a phone's outbox sends to, and what each carries.
SYNC_ROUTES = {
    "/api/v1/inspections": "inspection",
    "/api/v1/hazards/<int:hazard_id>/rechecks": "recheck",
    "/api/v1/media": "photo_batch",
    "/api/v1/media/<client_uuid>": "photo",
}


def outcome(status: int) -> str:
    """A sync's outcome from its answer: stored, already there (a replay), refused, or failed —
    refusals and failures are what leaves records waiting in phones' outboxes."""
    if status == 201:
        return "stored"
    if status < 300:
        return "replayed"
    return "refused" if status < 500 else "failed"


class Queues:
    """The hazards people work from, counted when scraped."""

    def collect(self):
        from fieldapp.queries.hazards import waiting_counts

        family = GaugeMetricFamily("fieldapp_hazards_waiting", "Hazards waiting on people, by queue", labels=["queue"])
        for queue, n in waiting_counts().items():
            family.add_metric([queue], n)
        yield family


def exposition() -> bytes:
    """Every metric in Prometheus' text format: the workers' counts (all of them, in
    multiprocess mode) and the queues as they stand."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY as registry
    queues = CollectorRegistry()
    queues.register(Queues())
    return generate_latest(registry) + generate_latest(queues)


def init_app(app: Flask) -> None:
    @app.after_request
    def _count(response):
        rule = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
        if rule != "/metrics":
            REQUESTS.labels(rule, request.method, str(response.status_code)).inc()
            started = g.get("request_started")  # set by requestlog, whose hook runs first
            if started is not None:
                LATENCY.labels(rule).observe(time.perf_counter() - started)
            if rule in SYNC_ROUTES and request.method in ("POST", "PUT"):
                SYNC.labels(SYNC_ROUTES[rule], outcome(response.status_code)).inc()
        return response
