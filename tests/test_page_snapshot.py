"""scripts/page_snapshot.py, the check that a restructuring changed no page: it reads every kind of
page of every demo account, and two runs fingerprint them alike (else it could not tell)."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).parents[1] / "scripts" / "page_snapshot.py"
_spec = importlib.util.spec_from_file_location("page_snapshot", SCRIPT)
page_snapshot = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(page_snapshot)


def test_two_snapshots_of_the_demo_are_identical_and_cover_every_account():
    first, second = page_snapshot.snapshot(), page_snapshot.snapshot()
    assert first == second
    assert len(first) >= 9 and all(len(pages) >= 8 for pages in first.values())
    assert sum(len(pages) for pages in first.values()) >= 200
    assert all(status.startswith(("200 ", "302 ")) for pages in first.values() for status in pages.values())
