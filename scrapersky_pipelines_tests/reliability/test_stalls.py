"""Point 9: a queue whose rows stay Queued or Processing beyond a threshold is flagged.

Against the real database: the health query, the `queue_not_stalled` checks of the code location
executed in a run (as from the UI), and the stall sensor's evaluations (what the asset page shows).
The running daemon flagging a stall is in test_daemon_faults.py.
"""

from __future__ import annotations

import json

import dagster as dg
import pytest

from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.stages import QUEUES
from scrapersky_pipelines.db.stalls import StallThresholds, queue_health
from scrapersky_pipelines.db.submit import insert_domains
from scrapersky_pipelines.definitions import STAGES, build_definitions
from scrapersky_pipelines.defs.queues.stalls import CHECK_NAME, SENSOR_NAME, build_stall_sensor, stall_check_key
from scrapersky_pipelines.resources.database import Database

SPECS = {s.stage: s for s in STAGES}
LIMITS = StallThresholds()


def health(stage: str = "domain_scan", limits: StallThresholds = LIMITS):
    with transaction() as s:
        return queue_health(s, QUEUES[stage], limits)


def submit(n: int, prefix: str = "stall") -> None:
    with transaction() as s:
        insert_domains(s, [f"{prefix}-{i:03d}.com" for i in range(n)])


def backdate_queued(db, minutes: int) -> None:
    db.execute(f"UPDATE domains SET scan_queued_at = now() - interval '{minutes} minutes' WHERE scan_status = 'Queued'")


def claim(db, key: str, ids: str = "TRUE", lease: str = "now() + interval '15 minutes'",
          created: str = "now()") -> None:
    db.execute(f"INSERT INTO batches (key, stage, status, rows_claimed, created_at, started_at) "
               f"VALUES ('{key}', 'domain_scan', 'Running', 0, {created}, {created})")
    db.execute(f"UPDATE domains SET scan_status = 'Processing', scan_batch = '{key}', scan_lease_until = {lease}, "
               f"scan_attempts = scan_attempts + 1 WHERE {ids}")


def test_healthy_queues_are_not_stalled(db):
    for stage in QUEUES:
        h = health(stage)
        assert not h.stalled and h.queued == h.processing == 0, h
    submit(5)
    h = health()
    assert h.queued == 5 and h.queued_overdue == 0 and not h.stalled
    assert "ok (5 queued" in h.describe()


def test_queued_past_threshold_without_a_claim_is_a_stall(db):
    submit(7)
    backdate_queued(db, 45)
    h = health()
    assert h.queued_stalled and h.stalled and h.queued_overdue == 7 and h.last_claim_age is None
    assert h.oldest_queued_age >= 45 * 60
    text = h.describe()
    assert text.startswith("domain_scan STALLED: 7 rows Queued for over 30 min") and "domain_scan_sensor" in text
    # A shorter threshold flags younger rows; a longer one does not flag these.
    assert not health(limits=StallThresholds(queued_seconds=3 * 3600)).stalled


def test_a_deep_queue_that_is_being_drained_is_a_backlog_not_a_stall(db):
    submit(12)
    backdate_queued(db, 120)
    claim(db, "domain_scan-recent", ids="id <= 2")  # the sensor claimed a batch just now
    h = health()
    assert h.queued_overdue == 10 and not h.queued_stalled and h.last_claim_age < 60
    # ... but a claim from 2 hours ago does not count as activity.
    db.execute("UPDATE batches SET created_at = now() - interval '2 hours'")
    assert health().queued_stalled


def test_processing_past_lease_plus_grace_is_a_stall(db):
    submit(6)
    claim(db, "domain_scan-old", lease="now() - interval '20 minutes'")
    h = health()
    assert h.processing == 6 and h.processing_stuck == 6 and h.processing_stalled
    assert "lease_reaper" in h.describe()
    # Within the grace period the reaper still has time: not a stall yet.
    db.execute("UPDATE domains SET scan_lease_until = now() - interval '5 minutes'")
    assert not health().stalled


def test_a_batch_whose_lease_keeps_being_extended_is_a_stall_once_it_is_too_old(db):
    # A run Dagster still believes alive makes the reaper extend the lease forever; the batch's age
    # (claimed over lease + grace ago) gives it away.
    submit(3)
    claim(db, "domain_scan-hung", lease="now() + interval '10 minutes'", created="now() - interval '40 minutes'")
    h = health()
    assert h.processing_stuck == 3 and h.stalled and h.oldest_processing_age >= 40 * 60
    db.execute("UPDATE batches SET created_at = now() - interval '10 minutes', started_at = now() - interval '10 minutes'")
    assert not health().stalled


def test_processing_without_a_lease_is_a_stall(db):
    submit(2)
    db.execute("UPDATE domains SET scan_status = 'Processing', scan_lease_until = NULL, scan_batch = NULL")
    assert health().processing_stuck == 2


def test_thresholds_from_the_environment(monkeypatch):
    monkeypatch.setenv("SCRAPERSKY_STALL_QUEUED_MINUTES", "5")
    monkeypatch.setenv("SCRAPERSKY_STALL_PROCESSING_GRACE_MINUTES", "0.5")
    assert StallThresholds.from_env() == StallThresholds(queued_seconds=300, processing_grace_seconds=30)
    with pytest.raises(ValueError):
        StallThresholds(queued_seconds=0)


def checks_defs() -> dg.Definitions:
    """The product's Definitions plus a job of the stall checks alone (what the UI runs for "Execute")."""
    checks = dg.AssetSelection.checks(*(stall_check_key(s) for s in STAGES))
    return dg.Definitions.merge(build_definitions(), dg.Definitions(jobs=[dg.define_asset_job("stall_checks", checks)]))


def test_one_check_per_stage_asset_executed_in_a_run(db):
    defs = checks_defs()
    keys = {stall_check_key(s) for s in STAGES}
    assert set(defs.resolve_asset_graph().asset_check_keys) == keys and len(keys) == len(STAGES)
    submit(4)
    backdate_queued(db, 90)
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("stall_checks").execute_in_process(instance=instance)
    assert result.success
    evaluations = {e.asset_key.to_user_string(): e for e in result.get_asset_check_evaluations()}
    assert len(evaluations) == len(STAGES)
    scan = evaluations["domain_metadata"]
    assert not scan.passed and scan.severity == dg.AssetCheckSeverity.ERROR
    assert scan.metadata["queued_overdue"].value == 4 and "STALLED" in scan.description
    assert all(e.passed for k, e in evaluations.items() if k != "domain_metadata")


def test_check_thresholds_are_launchpad_config(db):
    defs = checks_defs()
    submit(2)
    backdate_queued(db, 20)  # under the default 30 min, over a 10 min threshold
    check_op = f"domain_metadata_{CHECK_NAME}"
    with dg.instance_for_test() as instance:
        job = defs.resolve_job_def("stall_checks")
        default = job.execute_in_process(instance=instance)
        strict = job.execute_in_process(
            instance=instance, run_config={"ops": {check_op: {"config": {"queued_minutes": 10}}}}
        )
    pick = lambda r: next(e for e in r.get_asset_check_evaluations() if e.asset_key.path == ["domain_metadata"])  # noqa: E731
    assert pick(default).passed and not pick(strict).passed


def sensor_tick(instance, sensor, cursor: str | None = None) -> dg.SensorResult:
    ctx = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"database": Database()})
    return sensor(ctx)


def test_stall_sensor_reports_changes_and_the_ui_sees_them(db):
    sensor = build_stall_sensor(STAGES, refresh_seconds=3600)
    with dg.instance_for_test() as instance:
        first = sensor_tick(instance, sensor)
        assert len(first.asset_events) == len(STAGES) and all(e.passed for e in first.asset_events)
        assert "no stalled queues" in first.skip_reason.skip_message

        quiet = sensor_tick(instance, sensor, first.cursor)
        assert quiet.asset_events == []  # nothing changed: nothing recorded

        submit(3)
        db.execute("UPDATE domains SET scan_status = 'Processing', scan_lease_until = now() - interval '1 hour'")
        stalled = sensor_tick(instance, sensor, quiet.cursor)
        [event] = stalled.asset_events
        assert event.asset_key == SPECS["domain_scan"].asset_key and event.check_name == CHECK_NAME
        assert not event.passed and event.metadata["processing_stuck"].value == 3
        assert "1 stalled queue(s): domain_scan STALLED" in stalled.skip_reason.skip_message

        # What the daemon does with the result, and what the asset page then reads.
        for e in stalled.asset_events:
            instance.report_runless_asset_event(e)
        record = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [stall_check_key(SPECS["domain_scan"])]
        )[stall_check_key(SPECS["domain_scan"])]
        assert record.event.dagster_event.event_specific_data.passed is False

        # An hour later the same state is recorded again, so the UI's "last evaluated" stays fresh.
        aged = json.loads(stalled.cursor)
        for state in aged.values():
            state["at"] -= 3601
        refreshed = sensor_tick(instance, sensor, json.dumps(aged))
        assert len(refreshed.asset_events) == len(STAGES)

        db.execute("UPDATE domains SET scan_status = 'Complete', scan_lease_until = NULL")
        recovered = sensor_tick(instance, sensor, stalled.cursor)
        [back] = recovered.asset_events
        assert back.passed and back.asset_key == SPECS["domain_scan"].asset_key


def test_the_code_location_checks_every_stage_and_runs_the_sensor_by_default():
    from scrapersky_pipelines.definitions import defs

    checks = {k for k in defs.resolve_asset_graph().asset_check_keys if k.name == CHECK_NAME}
    assert checks == {stall_check_key(s) for s in STAGES}
    [sensor] = [s for s in defs.sensors if s.name == SENSOR_NAME]
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_a_stage_run_does_not_execute_the_stall_check(db, web_env):
    """The check belongs to the sensor and the operator: a batch run neither waits on it nor fails by it."""
    from scrapersky_pipelines.db import queue
    from scrapersky_pipelines.demo.sites import site_domains

    spec = SPECS["domain_scan"]
    defs = build_definitions()
    with transaction() as s:
        insert_domains(s, site_domains(3))
    with transaction() as s:
        got = queue.claim(s, QUEUES["domain_scan"], 10)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(spec.partitions_def.name, [got.key])
        result = defs.resolve_job_def(spec.job_name).execute_in_process(instance=instance, partition_key=got.key)
    assert result.success and result.get_asset_check_evaluations() == []
    assert [r[0] for r in db.execute("SELECT DISTINCT scan_status FROM domains")] == ["Complete"]
