"""Point 2, lease path: a run worker SIGKILLed mid-batch with nobody left to report its death.

The worker is a real process running the stage job on a persistent Dagster instance; killed, its
run stays STARTED there. The reaper must not requeue a batch whose run still looks alive (it extends
the lease), the stall check must flag the batch once it is older than lease + grace, and once the
run is known dead (what Dagster's run monitoring or code server reports) the expired lease sends the
rows back to Queued with a reason; a new worker finishes them, each row counting two attempts.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import dagster as dg

from scrapersky_pipelines import cli
from scrapersky_pipelines.db import queue
from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.stages import QUEUES
from scrapersky_pipelines.db.stalls import StallThresholds, queue_health
from scrapersky_pipelines.defs.queues.sensors import build_reaper_sensor
from scrapersky_pipelines.demo.sites import broken_domain, site_domains
from scrapersky_pipelines.resources.database import Database
from scrapersky_pipelines_tests.support.processes import ROOT, run_measured, wait_for, write_instance

from .conftest import count_duplicates

WORKER = [sys.executable, "-m", "scrapersky_pipelines_tests.reliability.worker"]


def reap(instance) -> str:
    sensor = build_reaper_sensor(["domain_scan"])
    result = sensor(dg.build_sensor_context(instance=instance, resources={"database": Database()}))
    return result.skip_message if isinstance(result, dg.SkipReason) else str(result)


def batch_status(db, key: str) -> str | None:
    rows = db.execute("SELECT status FROM batches WHERE key = %s", (key,))
    return rows[0][0] if rows else None


def test_killed_worker_is_recovered_through_the_lease(db, web, pipeline_env, tmp_path, scoreboard):
    with scoreboard.start("2b crash: SIGKILL, lease path") as row:
        slow = [broken_domain("timeout", n) for n in (1, 2)] + [broken_domain("slow-drip", n) for n in (1, 2)]
        domains = site_domains(8) + slow
        assert cli.main(["submit", "domains", *domains]) == 0
        row.rows_in = len(domains)
        with transaction() as s:
            got = queue.claim(s, QUEUES["domain_scan"], 100)
        home = write_instance(tmp_path / "dagster")
        env = {**pipeline_env, "DAGSTER_HOME": str(home)}

        proc = subprocess.Popen([*WORKER, "run", "--stage", "domain_scan", "--key", got.key], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            # Mid-batch: the rows are taken (batch Running) and the slow sites hold the fetch phase open.
            wait_for(lambda: batch_status(db, got.key) == "Running" or proc.poll() is not None, 90, 0.1,
                     "batch running")
            assert proc.poll() is None, "the worker ended before it could be killed"
            os.killpg(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(30)
            proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL
        statuses = db.execute("SELECT DISTINCT scan_status FROM domains")
        assert statuses == [("Processing",)]  # nothing was written: the batch died mid-fetch

        with dg.DagsterInstance.from_config(str(home)) as instance:
            [run] = instance.get_runs()
            assert run.status == dg.DagsterRunStatus.STARTED  # nobody told Dagster

            assert reap(instance) == "no expired leases"
            db.execute("UPDATE domains SET scan_lease_until = now() - interval '1 second'")  # 15 min later
            assert "'extended': 12" in reap(instance)  # the run still looks alive: lease extended, not stolen

            # ... which is a stall once the batch is older than lease + grace: the check says so.
            db.execute("UPDATE batches SET created_at = now() - interval '40 minutes', "
                       "started_at = now() - interval '40 minutes'")
            with transaction() as s:
                health = queue_health(s, QUEUES["domain_scan"], StallThresholds())
            assert health.processing_stalled and health.processing_stuck == 12

            instance.report_run_failed(run)  # run monitoring's verdict on a worker that is gone
            db.execute("UPDATE domains SET scan_lease_until = now() - interval '1 second'")
            assert "'requeued': 12" in reap(instance)
            rows = db.execute("SELECT scan_status, scan_attempts, scan_batch, scan_error FROM domains")
            assert all(r[0] == "Queued" and r[1] == 1 and r[2] is None for r in rows), rows
            assert all(r[3].startswith(f"lease expired: run {run.run_id} ended FAILURE") for r in rows)
            assert batch_status(db, got.key) == "Requeued"

        finish = run_measured([*WORKER, "drain", "--stages", "domain_scan"], pipeline_env, timeout=120)
        assert finish.returncode == 0, finish.stderr[-2000:]
        report = json.loads(finish.stdout.splitlines()[-1])
        assert all(r["success"] for r in report["runs"])
        rows = db.execute("SELECT domain, scan_status, scan_attempts, scan_batch FROM domains")
        assert len(rows) == len(domains) and {r[0] for r in rows} == set(domains)
        assert all(r[1] in ("Complete", "Error") and r[2] == 2 and r[3] != got.key for r in rows), rows
        assert sum(r[1] == "Complete" for r in rows) == 8
        row.rows_terminal = len(rows)
        row.duplicates = count_duplicates(db)
        row.peak_rss_mb = max(finish.peak_rss_mb, report["peak_rss_mb"])
        row.notes = "run left STARTED: lease extended, stall flagged; after the run was marked failed: requeued, attempts 2"
