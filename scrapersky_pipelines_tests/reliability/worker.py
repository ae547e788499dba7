"""A stand-alone run worker for the reliability suite: `python -m scrapersky_pipelines_tests.reliability.worker`.

`drain` does what the daemon does for the given stages, in one process: claim a batch (the queue
function the claim sensor calls), add its partition, execute the stage job of the product's
definitions, repeat until nothing is queued. `run` executes one already-claimed batch. `stress`
hammers the database through both engines from many threads and tasks at once. Every command
prints one JSON line with its results and the process's resident-set figures, so the suite can
run it as a real process, kill it, and measure it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import threading
import time
from typing import Any


def _rss_mb() -> float:
    """Peak resident set of this program: VmHWM (ru_maxrss would include the forking parent's size,
    which Linux carries across exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _instance():
    import dagster as dg

    return dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()


def _run_config(raw: str | None) -> dict[str, Any]:
    return json.loads(raw) if raw else {}


def drain(stages: list[str], batch_size: int, configs: dict[str, Any], max_runs: int) -> dict[str, Any]:
    from scrapersky_pipelines.db import queue
    from scrapersky_pipelines.definitions import defs
    from scrapersky_pipelines.db.stages import QUEUES
    from scrapersky_pipelines.resources.database import Database

    database = Database()
    instance = _instance()
    baseline = _rss_mb()
    runs: list[dict[str, Any]] = []
    progress = True
    while progress and len(runs) < max_runs:
        progress = False
        for stage in stages:
            got = database.run(lambda s: queue.claim(s, QUEUES[stage], batch_size))
            if got is None:
                continue
            progress = True
            instance.add_dynamic_partitions(f"{stage}_batches", [got.key])
            job = defs.resolve_job_def(f"{stage}_job")
            started = time.monotonic()
            result = job.execute_in_process(
                instance=instance, partition_key=got.key, run_config=configs.get(stage, {}), raise_on_error=False
            )
            runs.append({"stage": stage, "key": got.key, "rows": len(got.ids), "success": result.success,
                         "seconds": round(time.monotonic() - started, 2)})
    return {"runs": runs, "rss_after_load_mb": round(baseline, 1), "peak_rss_mb": round(_rss_mb(), 1)}


def run_one(stage: str, key: str, config: dict[str, Any]) -> dict[str, Any]:
    from scrapersky_pipelines.definitions import defs

    instance = _instance()
    instance.add_dynamic_partitions(f"{stage}_batches", [key])
    print(json.dumps({"event": "loaded", "pid": os.getpid()}), flush=True)
    result = defs.resolve_job_def(f"{stage}_job").execute_in_process(
        instance=instance, partition_key=key, run_config=config, raise_on_error=False
    )
    return {"success": result.success, "run_id": result.run_id, "peak_rss_mb": round(_rss_mb(), 1)}


def stress(threads: int, tasks: int, rounds: int) -> dict[str, Any]:
    """Concurrent short transactions through the sync (psycopg) and async (asyncpg) engines."""
    import sqlalchemy as sa

    from scrapersky_pipelines.db import engine

    errors: list[str] = []
    done = {"sync": 0, "async": 0}
    lock = threading.Lock()
    # Parameterised and repeated, so any statement caching or server-side preparing would show.
    query = sa.text("SELECT count(*) FROM domains WHERE id > :floor AND domain <> :name")
    hold = sa.text("SELECT pg_sleep(:s)")

    def sync_worker(n: int) -> None:
        for i in range(rounds):
            try:
                with engine.transaction() as s:
                    s.execute(query, {"floor": i, "name": f"t{n}"}).scalar()
                    s.execute(hold, {"s": 0.01})
                with lock:
                    done["sync"] += 1
            except Exception as exc:  # collected and reported, never swallowed silently
                with lock:
                    errors.append(f"sync {type(exc).__name__}: {exc}")

    async def async_main() -> None:
        factory = engine.async_session_factory()

        async def one(n: int) -> None:
            for i in range(rounds):
                try:
                    async with factory() as s, s.begin():
                        await s.execute(query, {"floor": i, "name": f"a{n}"})
                        await s.execute(hold, {"s": 0.01})
                    done["async"] += 1
                except Exception as exc:
                    errors.append(f"async {type(exc).__name__}: {exc}")

        await asyncio.gather(*(one(n) for n in range(tasks)))
        await engine.async_engine().dispose()

    pool = [threading.Thread(target=sync_worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    asyncio.run(async_main())
    for t in pool:
        t.join()
    engine.sync_engine().dispose()
    return {"done": done, "errors": errors[:50], "error_count": len(errors), "peak_rss_mb": round(_rss_mb(), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reliability-worker")
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("drain")
    d.add_argument("--stages", default="domain_scan")
    d.add_argument("--batch-size", type=int, default=100)
    d.add_argument("--configs", help="JSON: stage -> run config")
    d.add_argument("--max-runs", type=int, default=50)
    r = sub.add_parser("run")
    r.add_argument("--stage", required=True)
    r.add_argument("--key", required=True)
    r.add_argument("--config")
    s = sub.add_parser("stress")
    s.add_argument("--threads", type=int, default=6)
    s.add_argument("--tasks", type=int, default=12)
    s.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    if args.command == "drain":
        out = drain(args.stages.split(","), args.batch_size, _run_config(args.configs), args.max_runs)
    elif args.command == "run":
        out = run_one(args.stage, args.key, _run_config(args.config))
    else:
        out = stress(args.threads, args.tasks, args.rounds)
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
