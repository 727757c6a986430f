"""Rewrite the README's settings table from fieldapp/settings.py.

.venv/bin/python scripts/settings_table.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fieldapp.settings import readme_with_table  # noqa: E402

if __name__ == "__main__":
    readme = ROOT / "README.md"
    readme.write_text(readme_with_table(readme.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"rewrote the settings table of {readme}")
