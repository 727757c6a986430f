"""The phone's JavaScript logic under node's own test runner (tests/js/*.test.mjs): the capture
form's record rules and summary, the position logic, the outbox's sending (sync.js over store.js,
with fake-indexeddb from package-lock.json). Node is on every machine the suite runs on."""

import json
import os
import shutil
import subprocess
from pathlib import Path

from fieldapp.web import app_texts

ROOT = Path(__file__).resolve().parent.parent


def test_node_unit_tests_pass(app, tmp_path):
    # The capture page's texts as the server sends them (its rules: the summary's lines, the
    # fields signing requires), for the tests of the logic that uses them.
    with app.test_request_context():
        texts = tmp_path / "capture-texts.json"
        texts.write_text(json.dumps(app_texts.capture(), ensure_ascii=False), encoding="utf-8")
    node = shutil.which("node")
    assert node, "node is needed for tests/js (Debian: apt-get install nodejs)"
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "js").glob("*.test.mjs"))
    assert files
    env = {**os.environ, "FIELDAPP_CAPTURE_TEXTS": str(texts)}
    result = subprocess.run([node, "--test", *files], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_the_vendored_qr_decoder_is_npm_s_own():
    """static/vendor/qr-scanner holds the npm package's worker unchanged (package-lock.json pins
    its version and integrity); an edit or another version would show here."""
    vendored = ROOT / "static" / "vendor" / "qr-scanner" / "qr-scanner-worker.min.js"
    from_npm = ROOT / "node_modules" / "qr-scanner" / "qr-scanner-worker.min.js"
    assert from_npm.exists(), "npm ci installs the dev tools (make install-dev)"
    assert vendored.read_bytes() == from_npm.read_bytes()
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/qr-scanner"]["version"] == "1.4.2"
    assert (ROOT / "static" / "vendor" / "qr-scanner" / "LICENSE").read_text().startswith("MIT License")
