"""The phone's JavaScript logic under node's own test runner (tests/js/*.test.mjs): the capture
form's record rules and summary, the position logic, the outbox's sending (sync.js over store.js,
with fake-indexeddb from package-lock.json). Node is on every machine the suite runs on."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_node_unit_tests_pass():
    node = shutil.which("node")
    assert node, "node is needed for tests/js (Debian: apt-get install nodejs)"
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "js").glob("*.test.mjs"))
    assert files
    result = subprocess.run([node, "--test", *files], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
