"""Benchmark results kept as JSON (bench/results/<name>.json) with when, where and which commit,
so bench/README.md's results table can be rebuilt from them (``python -m bench.readme``)."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

DIR = Path(__file__).resolve().parent / "results"


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores {model}".strip() + f", {platform.system()} {platform.release()}"


def commit() -> str:
    git = shutil.which("git") or "git"
    try:
        out = subprocess.run(  # noqa: S603
            [git, "rev-parse", "--short", "HEAD"],
            cwd=DIR.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(  # noqa: S603
            [git, "status", "--porcelain", "--untracked-files=no"],
            cwd=DIR.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return out + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def save(name: str, rows: list[dict], settings: dict | None = None) -> Path:
    DIR.mkdir(exist_ok=True)
    path = DIR / f"{name}.json"
    path.write_text(
        json.dumps(
            {
                "benchmark": name,
                "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "machine": machine(),
                "commit": commit(),
                "settings": settings or {},
                "rows": rows,
            },
            ensure_ascii=False,
            indent=1,
        )
        + "\n"
    )
    return path
