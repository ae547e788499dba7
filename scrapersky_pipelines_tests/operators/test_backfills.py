"""Backfills from the UI: chosen or errored batches are reprocessed row for row, ten batches per run.

A real `dagster-webserver` and a real daemon share one DAGSTER_HOME. Sixteen batches of the domain
scan are claimed and run first (one run each, as the claim sensor launches them); then two asset
backfills of `domain_metadata` are launched through the webserver's GraphQL API exactly as the
asset's Launch backfill dialog does: three chosen batches of the first four (one of them all Error
rows), and the other twelve. The backfills are stored before the daemon starts, so its first backfill
iteration picks them up (it iterates every 30 s); the daemon then runs and completes them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest

from scrapersky_pipelines.db import queue
from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.stages import QUEUES
from scrapersky_pipelines.db.submit import insert_domains
from scrapersky_pipelines.definitions import build_definitions
from scrapersky_pipelines.demo.sites import broken_domain, expected, site_domains
from scrapersky_pipelines_tests.support.daemon import running_daemon
from scrapersky_pipelines_tests.support.webserver import TERMINAL_BACKFILL, Webserver, running_webserver

from .conftest import logs_tail, operator_home, pipeline_env

ASSET = ["domain_metadata"]
PARTITIONS = "domain_scan_batches"
PER_RUN = 10  # BackfillPolicy.multi_run(max_partitions_per_run=10) on domain_metadata
BATCH_SIZE = 2
BROKEN = {broken_domain("404"): "http_status", broken_domain("non-html"): "not_html"}
BACKFILL_TAG = "dagster/backfill"
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"
NO_FOLLOW_UPS = {"ops": {"domain_metadata": {"ops": {"apply_scan_policies": {"config": {
    "queue_sitemap_discovery": False}}}}}}


@dataclass(frozen=True)
class DomainRow:
    domain: str
    batch: str
    status: str
    error: str | None
    finished_at: datetime
    last_scanned_at: datetime | None
    attempts: int
    title: str | None


@dataclass(frozen=True)
class BatchRow:
    run_id: str
    status: str
    rows_complete: int
    rows_error: int
    finished_at: datetime


def domain_rows(db) -> dict[str, DomainRow]:
    rows = db.execute("SELECT domain, scan_batch, scan_status, scan_error, scan_finished_at, last_scanned_at,"
                      " scan_attempts, title FROM domains")
    return {r[0]: DomainRow(*r) for r in rows}


def batch_rows(db) -> dict[str, BatchRow]:
    rows = db.execute("SELECT key, run_id, status, rows_complete, rows_error, finished_at FROM batches")
    return {r[0]: BatchRow(*r[1:]) for r in rows}


def tags(run: dict) -> dict[str, str]:
    return {t["key"]: t["value"] for t in run["tags"]}


@dataclass
class Scenario:
    keys: list[str]  # the batches, in partition order
    chosen: list[str]
    rest: list[str]  # the twelve batches after the first four, backfilled in one go
    errored: str  # the batch whose two rows ended in Error
    domains_before: dict[str, DomainRow]
    batches_before: dict[str, BatchRow]
    domains_after: dict[str, DomainRow]
    batches_after: dict[str, BatchRow]
    backfills: dict[str, dict]  # "chosen" / "rest" -> the backfill as the GraphQL API reports it
    logs: str

    def rows_of(self, keys: list[str]) -> list[str]:
        return [d for d, row in self.domains_before.items() if row.batch in keys]

    def runs(self, which: str) -> list[dict]:
        return self.backfills[which]["runs"]


def finished_batches(db, resolve: list[str], home: Path) -> list[str]:
    """Sixteen finished batches of two domains, each claimed and run once like the sensor does."""
    healthy = site_domains(30)
    ordered = healthy[:6] + list(BROKEN) + healthy[6:]  # the broken pair is claimed together, 4th batch
    with transaction() as session:
        insert_domains(session, ordered, batch_name="backfills")
    keys = []
    for _ in range(len(ordered) // BATCH_SIZE):
        with transaction() as session:
            keys.append(queue.claim(session, QUEUES["domain_scan"], BATCH_SIZE).key)

    with pytest.MonkeyPatch.context() as monkeypatch:
        # Before the definitions are built: the HTTP resource reads the environment then, and must
        # reach the synthetic web only (SCRAPERSKY_RESOLVE_ONLY: no DNS lookup, ever).
        for name, value in pipeline_env(db.url, resolve, home).items():
            if name.startswith("SCRAPERSKY_"):
                monkeypatch.setenv(name, value)
        job = build_definitions().resolve_job_def("domain_scan_job")
        instance = dg.DagsterInstance.from_config(str(home))
        try:
            instance.add_dynamic_partitions(PARTITIONS, keys)
            for key in keys:
                # No follow-ups: sitemap discovery is not what this suite watches.
                result = job.execute_in_process(instance=instance, partition_key=key, run_config=NO_FOLLOW_UPS)
                assert result.success
        finally:
            instance.dispose()
    return keys


def wait_backfills(ui: Webserver, ids: dict[str, str], logs, timeout: float = 240) -> dict[str, dict]:
    deadline = time.monotonic() + timeout
    while True:
        found = {name: ui.backfill(backfill_id) for name, backfill_id in ids.items()}
        if all(b["status"] in TERMINAL_BACKFILL for b in found.values()):
            return found
        if time.monotonic() > deadline:
            states = {name: b["status"] for name, b in found.items()}
            raise AssertionError(f"backfills not finished after {timeout:.0f}s: {states}\n{logs()}")
        time.sleep(1)


@pytest.fixture(scope="module")
def scenario(test_db, web, tmp_path_factory) -> Iterator[Scenario]:
    test_db.truncate()
    root = tmp_path_factory.mktemp("backfills")
    home = operator_home(root)
    resolve = web.resolve_entries()
    keys = finished_batches(test_db, resolve, home)
    domains_before, batches_before = domain_rows(test_db), batch_rows(test_db)
    not_scanned = {d: r.error for d, r in domains_before.items() if d not in BROKEN and r.status != "Complete"}
    assert not not_scanned, f"healthy domains not scanned by their first run: {not_scanned}"
    errored = domains_before[next(iter(BROKEN))].batch
    assert errored == keys[3] and {domains_before[d].batch for d in BROKEN} == {errored}
    chosen = [keys[0], keys[1], errored]  # keys[2] is left alone
    rest = keys[4:]

    env = pipeline_env(test_db.url, resolve, home)
    daemon_log, webserver_log = root / "daemon.log", root / "webserver.log"
    with running_webserver(env, webserver_log) as ui:
        # The scan policy queues sitemap discovery; its sensor is switched off in the UI so that
        # only the backfills' runs take the machine.
        assert ui.stop_sensor("sitemap_discovery_sensor") == "STOPPED"
        ids = {"chosen": ui.launch_asset_backfill(ASSET, chosen), "rest": ui.launch_asset_backfill(ASSET, rest)}
        assert {ui.backfill(i)["status"] for i in ids.values()} == {"REQUESTED"}
        with running_daemon(env, daemon_log):
            backfills = wait_backfills(ui, ids, lambda: logs_tail(daemon_log, webserver_log))
    yield Scenario(keys, chosen, rest, errored, domains_before, batches_before, domain_rows(test_db),
                   batch_rows(test_db), backfills, logs_tail(daemon_log, webserver_log))


def test_every_stage_asset_can_be_materialized_on_its_own():
    """What an asset backfill (or Materialize in the UI) of one asset launches: a subset of the
    implicit asset job, whose run config must build (it did not for graph assets: dagster#32862)."""
    defs = build_definitions()
    job = defs.get_repository_def().get_implicit_global_asset_job_def()
    keys = [key for assets_def in defs.assets for key in assets_def.keys]
    assert len(keys) >= 8
    for key in keys:
        subset = job.get_subset(asset_selection={key})
        assert subset.get_job_snapshot() and "io_manager" in subset.required_resource_keys, key


def test_both_backfills_complete_as_asset_backfills(scenario):
    for name, partitions in (("chosen", scenario.chosen), ("rest", scenario.rest)):
        backfill = scenario.backfills[name]
        assert backfill["status"] == "COMPLETED_SUCCESS", f"{name}: {backfill['error']}\n{scenario.logs}"
        assert backfill["isAssetBackfill"] and backfill["assetSelection"] == [{"path": ASSET}]
        assert sorted(backfill["partitionNames"]) == sorted(partitions)
        assert backfill["runs"] and all(run["status"] == "SUCCESS" for run in backfill["runs"])
        assert all(tags(run)[BACKFILL_TAG] == backfill["id"] for run in backfill["runs"])


def test_chosen_batches_reprocess_exactly_their_rows(scenario):
    before, after = scenario.domains_before, scenario.domains_after
    chosen_rows = scenario.rows_of(scenario.chosen)
    untouched = scenario.rows_of([scenario.keys[2]])
    assert len(chosen_rows) == 3 * BATCH_SIZE and len(untouched) == BATCH_SIZE
    for d in chosen_rows:
        assert after[d].finished_at > before[d].finished_at, d
        assert after[d].batch == before[d].batch  # reprocessed in place, not re-batched
        if d not in BROKEN:
            assert after[d].status == "Complete" and after[d].last_scanned_at > before[d].last_scanned_at
    for d in untouched:
        assert after[d] == before[d], d
    chosen_runs = {run["runId"] for run in scenario.runs("chosen")}
    for key in scenario.chosen:
        batch = scenario.batches_after[key]
        assert batch.run_id in chosen_runs and batch.run_id != scenario.batches_before[key].run_id
        assert batch.status == "Complete" and batch.finished_at > scenario.batches_before[key].finished_at
    assert scenario.batches_after[scenario.keys[2]] == scenario.batches_before[scenario.keys[2]]
    # Contiguous chosen batches share a run: [k0..k1] is one run, [k3] another.
    ranges = sorted((tags(r)[RANGE_START], tags(r)[RANGE_END]) for r in scenario.runs("chosen"))
    assert ranges == sorted([(scenario.keys[0], scenario.keys[1]), (scenario.errored, scenario.errored)])


def test_a_batch_whose_rows_ended_in_error_is_processed_again(scenario):
    before, after = scenario.domains_before, scenario.domains_after
    for d, kind in BROKEN.items():
        assert before[d].status == "Error" and before[d].error.startswith(f"{kind}:")
        assert after[d].status == "Error" and after[d].error.startswith(f"{kind}:"), after[d]
        assert after[d].finished_at > before[d].finished_at  # fetched again, failed again
        assert after[d].batch == scenario.errored
    batch = scenario.batches_after[scenario.errored]
    assert (batch.rows_complete, batch.rows_error) == (0, BATCH_SIZE)
    assert batch.run_id != scenario.batches_before[scenario.errored].run_id


def test_twelve_batches_take_two_runs_not_twelve(scenario):
    runs = scenario.runs("rest")
    assert len(scenario.rest) == 12
    assert len(runs) == math.ceil(12 / PER_RUN) == 2
    ranges = sorted((tags(r)[RANGE_START], tags(r)[RANGE_END]) for r in runs)
    assert ranges == sorted([(scenario.rest[0], scenario.rest[PER_RUN - 1]),
                             (scenario.rest[PER_RUN], scenario.rest[-1])])
    by_run: dict[str, list[str]] = {}
    for key in scenario.rest:
        by_run.setdefault(scenario.batches_after[key].run_id, []).append(key)
    assert set(by_run) == {run["runId"] for run in runs}
    assert sorted(len(keys) for keys in by_run.values()) == [2, PER_RUN]
    before, after = scenario.domains_before, scenario.domains_after
    rows = scenario.rows_of(scenario.rest)
    assert len(rows) == 12 * BATCH_SIZE
    for d in rows:
        assert after[d].status == "Complete" and after[d].title == expected(d).title
        assert after[d].finished_at > before[d].finished_at and after[d].last_scanned_at > before[d].last_scanned_at
        assert after[d].batch == before[d].batch
    for key in scenario.rest:
        batch = scenario.batches_after[key]
        assert batch.status == "Complete" and (batch.rows_complete, batch.rows_error) == (BATCH_SIZE, 0)
