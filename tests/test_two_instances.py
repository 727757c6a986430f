"""Two app processes (gunicorn, different ports) sharing one PostgreSQL and one media store:
what one starts, the other finishes — a sync (photo uploaded to one, record sent to the other)
and a hazard decision (page read from one, form posted to the other). Stateless instances
behind a load balancer need nothing more (issue 9)."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime, timedelta

from tests.browser.conftest import LiveServer
from tests.factories import log_in_over_http
from tests.images import jpeg


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
        inspector = log_in_over_http(a.base, "inspector")
        me = inspector.get(f"{b.base}/api/v1/me", timeout=10)  # the session made on A is valid on B
        assert me.status_code == 200 and me.json()["username"] == "inspector"
        headers = {"X-CSRFToken": me.json()["csrf_token"]}
        photo = jpeg(640, 480, color=(20, 90, 160))
        media_uuid = str(uuid.uuid4())
        put = inspector.put(
            f"{a.base}/api/v1/media/{media_uuid}",
            data=photo,
            timeout=30,
            headers={**headers, "X-Content-SHA256": hashlib.sha256(photo).hexdigest(), "Content-Type": "image/jpeg"},
        )
        assert put.status_code == 201, put.text
        enterprise = accounts["company"]["enterprise"]
        started = datetime.now(UTC) - timedelta(minutes=30)
        record = {
            "uuid": str(uuid.uuid4()),
            "enterprise_id": enterprise["id"],
            "started_at": started.isoformat(),
            "ended_at": (started + timedelta(minutes=20)).isoformat(),
            "app_version": "two-instances",
            "fields": {
                "parts": "仓库",
                "content": "消防",
                "findings": "通道堵塞",
                "measures": "清理",
                "work_id_number": "",
                "id_shown": True,
            },
            "results": [],
            "photos": [{"media_uuid": media_uuid, "item_position": None, "caption": ""}],
            "hazards": [
                {
                    "uuid": str(uuid.uuid4()),
                    "description": "消防通道堵塞",
                    "place": "仓库",
                    "level": "general",
                    "media_uuids": [media_uuid],
                    "item_position": None,
                    "legal_basis": "",
                }
            ],
        }
        sent = inspector.post(f"{b.base}/api/v1/inspections", json=record, headers=headers, timeout=30)
        assert sent.status_code == 201, sent.text  # B found the photo A stored
        again = inspector.post(f"{a.base}/api/v1/inspections", json=record, headers=headers, timeout=30)
        assert again.status_code == 200 and again.json()["id"] == sent.json()["id"]  # replay on A: the same record
        officer = log_in_over_http(b.base, "officer")
        queue = officer.get(f"{b.base}/hazards/?tab=to_confirm", timeout=10).text
        hazard_id = int(re.search(r'href="/hazards/(\d+)"', queue).group(1))
        page = officer.get(f"{a.base}/hazards/{hazard_id}", timeout=10).text
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        deadline = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
        decided = officer.post(
            f"{b.base}/hazards/{hazard_id}/confirm",
            timeout=10,
            allow_redirects=False,
            data={
                "csrf_token": token,
                "version": version,
                "level": "general",
                "deadline": deadline,
                "required_measures": "清理通道",
                "decision_basis": "《消防法》",
            },
        )
        assert decided.status_code == 302, decided.text[:800]
        assert "已确认" in officer.get(f"{a.base}/hazards/{hazard_id}", timeout=10).text
        photo_url = re.search(r'src="(/photos/\d+/thumb)"', officer.get(f"{a.base}/hazards/{hazard_id}").text).group(1)
        assert officer.get(f"{b.base}{photo_url}", timeout=10).status_code == 200
    finally:
        a.stop()
        b.stop()
