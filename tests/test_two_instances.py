"""Two app processes (gunicorn, different ports) sharing one PostgreSQL and one media store:
what one starts, the other finishes — a sync (photo uploaded to one, record sent to the other)
and a hazard decision (page read from one, form posted to the other). Stateless instances
behind a load balancer need nothing more (issue 9)."""

from __future__ import annotations

from tests.browser.conftest import LiveServer
from tests.helpers import sync_and_confirm_across


def test_a_sync_and_a_decision_cross_instances(own_postgres_database, tmp_path):
    media = tmp_path / "media"
    env = {"DATABASE_URL": own_postgres_database, "SECRET_KEY": "two-instances-test", "MEDIA_ROOT": str(media)}
    a = LiveServer(tmp_path / "a", **env)
    b = LiveServer(tmp_path / "b", **env)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    accounts = {x["username"]: x for x in a.prepare()}
    a.start()
    b.start()
    try:
        sync_and_confirm_across(a.base, b.base, accounts)
    finally:
        a.stop()
        b.stop()
