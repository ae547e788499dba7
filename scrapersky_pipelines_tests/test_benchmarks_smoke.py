"""Smoke test of `python -m benchmarks`: tiny workloads run end to end and each prints a ratio line.

Timing is never asserted: the point is that the entry point, the shared stack (PostgreSQL behind
pgbouncer, synthetic web), the baseline, the in-process driver, the transports and the run-worker
subprocess all work. The daemon-backed sensor figures are checked on a recorded run instead,
because a real daemon needs more than this test's time budget.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TINY = [
    "sitemap_parser",
    "extraction_quality",
    "db_writes:--pages 400 --contacts 200 --per-row 40",
    "http_transports:--pages 30",
    "end_to_end:--domains 2 --workers 1 --daemon-domains 0 --repeat 1",
    "memory:--sizes 3 --stages domain_scan",
]


def test_quick_benchmarks_run_and_print_ratio_lines() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", *TINY],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = done.stdout.split("=== summary", 1)[1]
    for item in TINY:
        name = item.split(":", 1)[0]
        [line] = [row for row in summary.splitlines() if row.startswith(name)]
        assert " ok " in line and "ratio" in line, line
    assert "identical outcomes on every probe" in done.stdout or "outcomes differ" in done.stdout
    assert "every socket to an approved address" in done.stdout


def test_sensor_figures_from_a_recorded_daemon_run() -> None:
    from benchmarks import common, sensors
    from benchmarks.end_to_end import Result
    from scrapersky_pipelines.demo.sites import site_domains

    domains = site_domains(2)
    t0 = 1_800_000_000.0
    raw = {
        "runs": [{"key": f"k-{stage}", "job": f"{stage}_job", "status": "SUCCESS", "created": t0 + 10 * i + 2,
                  "start": t0 + 10 * i + 6, "end": t0 + 10 * i + 9}
                 for i, stage in enumerate(("domain_scan", "sitemap_discovery", "sitemap_import", "page_scrape"))],
        "rows": {stage: [(f"k-{stage}", t0 + 10 * i)] * 2
                 for i, stage in enumerate(("domain_scan", "sitemap_discovery", "sitemap_import", "page_scrape"))},
        "batches": {f"k-{stage}": (stage, 2, t0 + 10 * i + 2, t0 + 10 * i + 7)
                    for i, stage in enumerate(("domain_scan", "sitemap_discovery", "sitemap_import", "page_scrape"))},
    }
    common.CACHE[("daemon", tuple(domains))] = Result("pipeline, real daemon", 2, 40.0, raw=raw)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            assert sensors.main(["--domains", "2"]) == 0
    finally:
        common.CACHE.clear()
    text = out.getvalue()
    assert text.splitlines()[-1].startswith("ratio queued -> run start p50 6.0s")
    assert "page_scrape" in text
