"""City scale, end to end: generate a district and a city, compare the pages, find the capacity.

    .venv/bin/python -m bench.city                        # what `make bench` runs (~1.5 hours on 2 cores)
    .venv/bin/python -m bench.city --small URL --large URL  # databases already generated

In one throwaway PostgreSQL cluster: ``bench.generate`` at scale 1 (a district) and at scale 10 (a
city of ten districts; its time is the generation target's, ≤ 60 minutes), then ``bench.scale``
(each key page's cost on both) and ``bench.capacity`` (the open-loop knee on the city). Each saves
its own results.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("FIELDAPP_INSTANCE", tempfile.mkdtemp(prefix="fieldapp-bench-city-"))

import sqlalchemy as sa  # noqa: E402

from bench import capacity, results, scale  # noqa: E402
from bench.generate import fill_district  # noqa: E402


def _database(cluster_url: str, name: str) -> str:
    engine = sa.create_engine(cluster_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return sa.make_url(cluster_url).set(database=name).render_as_string(hide_password=False)


def _generated(cluster_url: str, name: str, at_scale: float) -> str:
    url = _database(cluster_url, name)
    started = time.perf_counter()
    fill_district(url, at_scale)
    took = time.perf_counter() - started
    print(f"scale {at_scale:g} generated, vacuumed and analysed in {took:.0f} s", flush=True)
    results.save(
        f"generate-postgresql-scale{at_scale:g}",
        [{"measure": "generate, vacuum, analyse", "seconds": round(took, 1), "minutes": round(took / 60, 1)}],
        {"scale": at_scale, "target_minutes": 60 if at_scale >= 10 else None},
    )
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", help="a generated district (skips generating it)")
    parser.add_argument("--large", help="a generated city (skips generating it)")
    parser.add_argument("--requests", type=int, default=100, help="bench.scale: requests per page")
    parser.add_argument("--seconds", type=float, default=30.0, help="bench.capacity: seconds per step")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fieldapp-bench-city-"))
    (work / "media").mkdir()
    with ExitStack() as stack:
        if not (args.small and args.large):
            from tests import postgres

            cluster = stack.enter_context(postgres.throwaway_cluster())
        large = args.large or _generated(cluster, "city", 10)
        small = args.small or _generated(cluster, "district", 1)
        rows = scale.compare(*scale.measure_both(small, large, args.requests))
        results.save("scale", rows, {"small": 1, "large": 10, "requests": args.requests, "db": "postgresql"})
        for row in rows:
            print(row, flush=True)
        steps = [int(s) for s in capacity.STEPS.split(",")]
        load = capacity.run(large, steps, args.seconds, work, clients=16)
        summary = capacity.knee(load)
        print(summary, flush=True)
        capacity.save(load, summary, args.seconds, "10")
    return 0


if __name__ == "__main__":
    sys.exit(main())
