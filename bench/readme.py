"""Rebuild the results table of bench/README.md from the figures the benchmarks saved last
(bench/results/*.json: date, machine, commit, settings, rows).

    .venv/bin/python -m bench.readme        # after any benchmark; `make bench` runs them all first
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.results import DIR

README = Path(__file__).resolve().parent / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
ORDER = [
    "patrol",
    "integrity",
    "load",
    "dashboards",
    "explain",
    "idor",
    "shell",
    "network",
    "planner",
    "notify",
    "offline",
    "hazards",
    "enterprises",
    "photos",
    "scale",
    "capacity",
    "generate-postgresql-scale10",
    "generate-postgresql-scale1",
    "generate-postgresql",
    "generate-sqlite",
]


def _cell(value) -> str:
    if value is None:
        return ""
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(result: dict) -> str:
    rows = result["rows"]
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    settings = ", ".join(f"{k} {v}" for k, v in result.get("settings", {}).items())
    lines = [
        f"### {result['benchmark']}",
        "",
        f"{result['date']} · {result['machine']} · commit {result['commit']}" + (f" · {settings}" if settings else ""),
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    lines += ["| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def render() -> str:
    found = {p.stem: json.loads(p.read_text()) for p in sorted(DIR.glob("*.json"))}
    names = [n for n in ORDER if n in found] + [n for n in found if n not in ORDER]
    return "\n\n".join(table(found[n]) for n in names) if names else "(no results saved yet)"


def main() -> int:
    text = README.read_text()
    if START not in text or END not in text:
        print(f"{README} has no {START} … {END} section", file=sys.stderr)
        return 1
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{render()}\n{END}{tail}")
    print(f"rewrote the results section of {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
