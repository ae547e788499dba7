"""Memory benchmark: peak RSS of a run worker for batch sizes 50, 200 and 1,000 (it must stay flat).

A run worker is one process that executes one run. Here each one is a fresh `python -m
benchmarks.memory --worker ...` process: it imports the definitions (as a run worker loads the code
location), then executes the stage job for one batch that this process claimed with the given size
(as the sensor does), and reports its RSS after loading the code and its peak RSS (VmHWM).
The growth column is peak minus after-load: what the batch itself costs.

Stages: `domain_scan` (B synthetic domains: homepage fetch, metadata, contacts and tech per row;
the default) and, with `--stages domain_scan,page_scrape`, `page_scrape` (B real pages of
synthetic sites, queued directly).

    python -m benchmarks.memory [--quick] [--sizes 50,200,1000] [--stages domain_scan,page_scrape]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings

from benchmarks import common
from scrapersky_pipelines.demo import sites

SIZES = (50, 200, 1000)
STAGES = ("domain_scan", "page_scrape")


def queue_rows(st: common.Stack, stage: str, size: int) -> str:
    """Queue `size` rows for `stage` in an empty database and claim them as one batch; its key."""
    import sqlalchemy as sa

    from scrapersky_pipelines.db import queue
    from scrapersky_pipelines.db.enums import ProcessingStatus as PS
    from scrapersky_pipelines.db.models import Domain, Page
    from scrapersky_pipelines.db.stages import QUEUES
    from scrapersky_pipelines.db.submit import insert_domains
    from scrapersky_pipelines.resources.database import Database

    st.reset()
    database = Database(url=st.url)
    if stage == "domain_scan":
        database.run(lambda s: insert_domains(s, sites.site_domains(size)))
    else:
        pages: list[tuple[str, str]] = []
        i = 0
        while len(pages) < size:
            i += 1
            want = sites.expected(sites.site_domain(i))
            if want.crawl_delay:
                continue  # a politeness delay would time the server, not the worker
            pages += [(want.domain, u) for u in sorted(want.page_urls - want.missing_pages)]
        pages = pages[:size]

        def insert(s) -> None:  # type: ignore[no-untyped-def]
            ids = dict(s.execute(sa.insert(Domain).returning(Domain.domain, Domain.id),
                                 [{"domain": d} for d in dict.fromkeys(d for d, _ in pages)]).all())
            s.execute(sa.insert(Page).values(scrape_queued_at=sa.func.now()),
                      [{"domain_id": ids[d], "url": u, "scrape_status": PS.QUEUED.value} for d, u in pages])

        database.run(insert)
    claimed = database.run(lambda s: queue.claim(s, QUEUES[stage], size))
    assert claimed is not None and len(claimed.ids) == size, (stage, size)
    return claimed.key


def worker(stage: str, key: str) -> dict[str, float]:
    """Inside the worker process: load the code, run one batch, report RSS."""
    warnings.simplefilter("ignore")
    import dagster as dg

    from scrapersky_pipelines.definitions import STAGES as SPECS
    from scrapersky_pipelines.definitions import build_definitions

    defs = build_definitions()
    spec = next(s for s in SPECS if s.stage == stage)
    job = defs.resolve_job_def(spec.job_name)
    loaded = common.rss_mib()
    with tempfile.TemporaryDirectory(prefix="bench-mem-") as home, dg.instance_for_test(temp_dir=home) as instance:
        instance.add_dynamic_partitions(spec.partitions_def.name, [key])
        with common.Clock() as clock:
            result = job.execute_in_process(
                instance=instance, partition_key=key, raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}})
    return {"loaded": loaded, "peak": common.peak_rss_mib(), "wall": clock.wall, "ok": result.success}


def measure(st: common.Stack, stage: str, size: int) -> dict[str, float]:
    key = queue_rows(st, stage, size)
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", "--worker", stage, key],
        cwd=common.ROOT, env=st.pipeline_env(), capture_output=True, text=True, timeout=600,
    )
    if out.returncode != 0:
        raise SystemExit(f"worker for {stage} x{size} failed:\n{out.stderr[-2000:]}")
    stats = json.loads(out.stdout.strip().splitlines()[-1])
    [[done]] = st.db.execute(f"SELECT count(*) FROM batches WHERE key = %s AND status = 'Complete'", (key,))
    stats["closed"] = bool(done)
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="sizes 10 and 40, domain_scan only")
    parser.add_argument("--sizes", help="comma-separated batch sizes (default 50,200,1000)")
    parser.add_argument("--stages", help="comma-separated stages of domain_scan, page_scrape (default domain_scan)")
    parser.add_argument("--worker", nargs=2, metavar=("STAGE", "KEY"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0
    sizes = [int(x) for x in args.sizes.split(",")] if args.sizes else ([10, 40] if args.quick else list(SIZES))
    stages = args.stages.split(",") if args.stages else ["domain_scan"]

    rows = []
    growth: dict[str, list[float]] = {}
    with common.stack() as st:
        print(f"memory: one run worker process per batch; {common.machine_line()}", flush=True)
        for stage in stages:
            for size in sizes:
                m = measure(st, stage, size)
                grow = m["peak"] - m["loaded"]
                growth.setdefault(stage, []).append(grow)
                rows.append([stage, size, m["loaded"], m["peak"], grow, m["wall"],
                             "yes" if m["ok"] and m["closed"] else "NO"])
    print()
    common.print_table(["stage", "batch size", "RSS after load MiB", "peak RSS MiB", "growth MiB", "run wall s",
                        "run ok"], rows)
    print()
    parts = []
    flat = True
    for stage, values in growth.items():
        spread = max(values) - min(values)
        per_row = spread / (sizes[-1] - sizes[0]) * 1024 if len(sizes) > 1 else 0.0
        flat &= spread < 64
        parts.append(f"{stage} peak {rows[[r[0] for r in rows].index(stage)][3]:.0f}->"
                     f"{max(r[3] for r in rows if r[0] == stage):.0f} MiB (+{spread:.0f} MiB, ~{per_row:.0f} KiB/row)")
    common.ratio_line(f"peak RSS at batch {sizes[-1]}/{sizes[0]}: " + "; ".join(parts)
                      + f" ({'flat' if flat else 'NOT flat'}: under 64 MiB of growth)")
    return 0


if __name__ == "__main__":
    if os.environ.get("PYTHONWARNINGS") is None:
        warnings.simplefilter("ignore")
    raise SystemExit(main())
