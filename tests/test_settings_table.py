"""Every setting in one table (issue 33): the README's table is the one fieldapp/settings.py
prints; the app reads each of its settings from the environment under its name (config.py is
driven by the table); and whatever gunicorn's configuration, the job wrapper, the Makefile, the
app's code and the sample environment file read or set is in the table — nothing more, nothing
less."""

from __future__ import annotations

import re
from pathlib import Path

from fieldapp.config import Config
from fieldapp.settings import SETTINGS, app_settings, readme_with_table

ROOT = Path(__file__).resolve().parent.parent
NAMES = {s.name for s in SETTINGS}


def _read_by(who: str) -> set[str]:
    return {s.name for s in SETTINGS if s.read_by == who}


def test_the_readme_shows_the_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_with_table(readme) == readme, "run .venv/bin/python scripts/settings_table.py"


def test_the_app_reads_each_of_its_settings_under_its_name(monkeypatch):
    samples = {int: ("7", 7), bool: ("1", True), str: ("sample-value", "sample-value")}
    for setting in app_settings():
        raw, expected = samples[setting.kind]
        monkeypatch.setenv(setting.name, raw)
    values = Config.from_env()
    for setting in app_settings():
        assert values[setting.name] == samples[setting.kind][1], setting.name
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/d")
    assert Config.from_env()["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/d"


def test_what_the_code_reads_is_in_the_table_and_the_table_holds_nothing_else():
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "fieldapp").rglob("*.py"))
    in_code = set(re.findall(r'(?:os\.environ(?:\.get)?[\[(]|_(?:int|bool)\()"([A-Z][A-Z0-9_]+)"', code))
    in_code |= {s.name for s in app_settings()}  # config.py reads these by the table itself
    assert in_code - NAMES == set(), "read by the app but not in the table"
    assert _read_by("app") - in_code == set(), "in the table but never read by the app"

    gunicorn = set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', (ROOT / "deploy/gunicorn.conf.py").read_text()))
    assert gunicorn - NAMES == set() and _read_by("gunicorn") <= gunicorn
    jobs = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "deploy/fieldapp-job").read_text())) - {"DATABASE_URL"}
    assert jobs == _read_by("jobs")
    make = set(re.findall(r"^([A-Z]+)\s*\?=", (ROOT / "Makefile").read_text(), re.MULTILINE))
    assert make == _read_by("make")
    example = set(re.findall(r"^([A-Z_0-9]+)=", (ROOT / "deploy/fieldapp.env.example").read_text(), re.MULTILINE))
    assert example - NAMES == set(), "the sample sets what no one reads"
