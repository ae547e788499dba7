"""Sensor benchmark: time from a row becoming Queued to its run starting, and runs per 1,000 rows.

Measured on a real `dagster-daemon` (the project's workspace and dagster.yaml: 5 s sensor
intervals, `max_concurrent_runs` 4, at most 2 runs per stage) processing N synthetic domains
through scan, discovery, import and scrape (`end_to_end.run_daemon`; when the end-to-end
benchmark already ran it in this process with the same domains, its run is reused).

For every row that a run took: `queued` is the row's `<stage>_queued_at`, `claimed` the creation
of its batch (the sensor tick that claimed it), `run start` the Dagster run's start time (its
process began executing) and `took rows` the batch's `started_at` (the IO manager loaded the
rows). "first batch" is each stage's first batch, launched before any backlog formed in that
stage; p50/p95/max are over all rows, backlog included. Runs per 1,000 rows is runs launched over
rows processed, per stage (target: at most 10).

    python -m benchmarks.sensors [--quick] [--domains N]
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any

from benchmarks import common
from benchmarks.end_to_end import QUEUE_COLUMNS, Result, run_daemon
from scrapersky_pipelines.demo import sites

DEFAULT_DOMAINS = 20


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def latencies(result: Result) -> dict[str, dict[str, Any]]:
    """Per stage: row latencies (queued -> claimed, -> run start, -> rows taken), runs, rows."""
    raw = result.raw
    starts = {r["key"]: r["start"] for r in raw["runs"] if r["key"] and r["start"]}
    out: dict[str, dict[str, Any]] = {}
    for stage in QUEUE_COLUMNS:
        batches = {k: b for k, b in raw["batches"].items() if b[0] == stage}
        claim, start, took, first = [], [], [], []
        first_key = min(batches, key=lambda k: batches[k][2], default=None)
        for key, queued in raw["rows"][stage]:
            if key not in batches:
                continue
            _, _, created, started = batches[key]
            claim.append(created - queued)
            if key in starts:
                start.append(starts[key] - queued)
                if key == first_key:
                    first.append(starts[key] - queued)
            if started is not None:
                took.append(started - queued)
        rows = sum(b[1] for b in batches.values())
        out[stage] = {"runs": len(batches), "rows": rows, "claim": claim, "start": start, "took": took,
                      "first": max(first) if first else float("nan"),
                      "per_1000": 1000 * len(batches) / rows if rows else float("nan")}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="8 domains")
    parser.add_argument("--domains", type=int, help=f"domains through the daemon (default {DEFAULT_DOMAINS}; 8 quick)")
    args = parser.parse_args(argv)
    n = args.domains or (8 if args.quick else DEFAULT_DOMAINS)
    domains = sites.site_domains(n)

    result = common.CACHE.get(("daemon", tuple(domains)))
    print(f"sensors: {n} domains through a real dagster-daemon (5 s sensor interval, 4 concurrent runs, "
          f"2 per stage); {common.machine_line()}", flush=True)
    if result is None:
        with common.stack() as st:
            result = run_daemon(st, domains)
        print(f"  daemon run: {result.wall:.1f}s ({result.note})", flush=True)
    else:
        print(f"  reusing the end-to-end benchmark's daemon run ({result.wall:.1f}s)", flush=True)
    from scrapersky_pipelines.definitions import STAGES

    sizes = {spec.stage: spec.batch_size for spec in STAGES}
    stats = latencies(result)
    rows = []
    for stage, s in stats.items():
        rows.append([stage, s["rows"], s["runs"], s["per_1000"], sizes[stage], 1000 / sizes[stage], s["first"],
                     percentile(s["claim"], 0.5), percentile(s["start"], 0.5), percentile(s["start"], 0.95),
                     max(s["start"], default=float("nan")), percentile(s["took"], 0.5)])
    print()
    common.print_table(["stage", "rows", "runs", "runs/1000 rows", "batch size", "runs/1000 full", "first batch s",
                        "p50 claim s",
                        "p50 run start s", "p95 run start s", "max run start s", "p50 took rows s"], rows)
    all_start = [v for s in stats.values() for v in s["start"]]
    all_runs = sum(s["runs"] for s in stats.values())
    all_rows = sum(s["rows"] for s in stats.values())
    per_1000 = 1000 * all_runs / all_rows if all_rows else float("nan")
    worst_stage = min(sizes, key=lambda k: sizes[k] if k in stats else 10**9)
    print()
    print("claim = queued -> batch claimed by a sensor tick; run start = queued -> Dagster run started "
          "(run process executing); took rows = queued -> the run's IO manager loaded the rows; "
          "runs/1000 full = with a full batch every tick (1000 / batch size), what a large backlog costs")
    full = 1000 / sizes[worst_stage]
    verdict = "meets" if full <= 10 else "MISSES"
    common.ratio_line(f"queued -> run start p50 {statistics.median(all_start) if all_start else float('nan'):.1f}s "
                      f"(p95 {percentile(all_start, 0.95):.1f}s); runs per 1,000 rows {per_1000:.1f} observed, "
                      f"{full:.0f} at full batches of the smallest stage ({worst_stage}, batch {sizes[worst_stage]}; "
                      f"{verdict} the 10 target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
