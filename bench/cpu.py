"""Where a load's CPU goes: the app's gunicorn, PostgreSQL, the load's own clients (Linux /proc).

On two cores all three share the machine, so a page's throughput says little on its own about
the app: this splits each route's CPU time into the parts, per request.
"""

from __future__ import annotations

import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def _times(pid: int, with_reaped: bool) -> float:
    """CPU seconds of ``pid``; with its reaped children's when ``with_reaped`` (dead workers)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    # After the ")" closing the command name: field 3 is index 0; utime 14, stime 15, cutime 16, cstime 17.
    ticks = int(fields[11]) + int(fields[12])
    if with_reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / _TICK


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


def _tree(pid: int) -> float:
    """``pid`` with every process under it, and those under it that have ended and been reaped."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += _times(p, with_reaped=True)
        todo += _children(p)
    return total


def _named(comm: str) -> float:
    """Every process called ``comm`` (PostgreSQL's backends, and through the postmaster's reaped
    children, those that ended)."""
    total = 0.0
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "comm").read_text().strip() == comm:
                    total += _times(int(d.name), with_reaped=True)
            except (FileNotFoundError, ProcessLookupError):
                continue
    return total


def snapshot(app_pid: int) -> dict[str, float]:
    """CPU seconds so far: the app (gunicorn master and workers), PostgreSQL on this machine, and
    this process's children (the load's clients)."""
    clients = sum(_tree(c) for c in _children(os.getpid()) if c != app_pid)
    return {"app": _tree(app_pid), "db": _named("postgres"), "clients": clients}


def per_request(before: dict[str, float], after: dict[str, float], requests: int) -> dict[str, float]:
    """CPU milliseconds per request of each part, between two snapshots."""
    n = max(requests, 1)
    return {f"cpu_{k}_ms": round((after[k] - before[k]) * 1000 / n, 2) for k in before}
