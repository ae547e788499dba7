"""Queue sensors with build_sensor_context and a real Dagster instance, against the real database."""

import dagster as dg
import pytest
import sqlalchemy as sa

from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.enums import ProcessingStatus as PS
from scrapersky_pipelines.db.models import Batch, Domain
from scrapersky_pipelines.db.stages import QUEUES
from scrapersky_pipelines.db.submit import insert_domains
from scrapersky_pipelines.definitions import defs
from scrapersky_pipelines.defs.queues.sensors import reap_expired
from scrapersky_pipelines.resources.database import Database
from scrapersky_pipelines.resources.http import HttpResource
from scrapersky_pipelines.resources.io_manager import PostgresIOManager


@pytest.fixture
def instance():
    with dg.instance_for_test() as inst:
        yield inst


def submit(n: int) -> None:
    with transaction() as s:
        insert_domains(s, [f"shop-{i:04d}.com" for i in range(n)])


def tick(instance, name: str = "domain_scan_sensor"):
    sensor = defs.resolve_sensor_def(name)
    ctx = dg.build_sensor_context(instance=instance, resources={"database": Database()}, definitions=defs)
    result = sensor(ctx)
    if isinstance(result, dg.SkipReason):
        return dg.SensorResult(skip_reason=result)
    return result


def scan_statuses() -> list[str]:
    with transaction() as s:
        return list(s.execute(sa.select(Domain.scan_status).order_by(Domain.id)).scalars())


def test_empty_queue_skips(db, instance):
    data = tick(instance)
    assert not data.run_requests
    assert "no Queued" in data.skip_reason.skip_message


def test_first_tick_claims_batches_and_requests_one_run_each(db, instance):
    submit(150)
    data = tick(instance)
    keys = [r.partition_key for r in data.run_requests]
    assert len(keys) == 2
    assert all(r.run_key == r.partition_key for r in data.run_requests)
    assert sorted(data.dynamic_partitions_requests[0].partition_keys) == sorted(keys)
    assert scan_statuses().count("Processing") == 150
    with transaction() as s:
        claimed = dict(s.execute(sa.select(Batch.key, Batch.rows_claimed)).all())
    assert sorted(claimed.values()) == [50, 100]


def test_two_ticks_never_claim_the_same_row(db, instance):
    submit(120)
    first = tick(instance)
    submit_more = [f"late-{i}.com" for i in range(30)]
    with transaction() as s:
        insert_domains(s, submit_more)
    second = tick(instance)
    first_keys = {r.run_key for r in first.run_requests}
    second_keys = {r.run_key for r in second.run_requests}
    assert first_keys and second_keys and not first_keys & second_keys
    with transaction() as s:
        per_batch = s.execute(
            sa.select(Domain.scan_batch, sa.func.count()).group_by(Domain.scan_batch)
        ).all()
    assert sum(n for _, n in per_batch) == 150
    assert {k for k, _ in per_batch} == first_keys | second_keys


def test_backpressure_limits_batches_in_flight(db, instance):
    submit(1000)
    data = tick(instance)
    assert len(data.run_requests) == 4  # max_batches_in_flight
    assert "in flight" in tick(instance).skip_reason.skip_message


def expire_leases() -> None:
    with transaction() as s:
        s.execute(sa.update(Domain).values(scan_lease_until=sa.func.now() - sa.text("interval '1 second'")))


def test_lease_expiry_requeues_then_errors_after_max_attempts(db, instance):
    submit(3)
    for attempt in range(1, QUEUES["domain_scan"].max_attempts + 1):
        data = tick(instance)
        assert len(data.run_requests) == 1, attempt
        expire_leases()
        totals = reap_expired(instance, Database(), ["domain_scan"])
        if attempt < QUEUES["domain_scan"].max_attempts:
            assert totals["requeued"] == 3 and scan_statuses() == ["Queued"] * 3
        else:
            assert totals["errored"] == 3
    with transaction() as s:
        errors = s.execute(sa.select(Domain.scan_error)).scalars().all()
    assert scan_statuses() == ["Error"] * 3
    assert all("no run was launched" in e and "gave up after 3 attempts" in e for e in errors)


def test_reaper_leaves_batches_whose_run_is_alive(db, instance):
    submit(2)
    data = tick(instance)
    key = data.run_requests[0].partition_key
    instance.add_dynamic_partitions("domain_scan_batches", [key])
    job = defs.resolve_job_def("domain_scan_job")
    run = instance.create_run_for_job(job, tags={"dagster/partition": key}, status=dg.DagsterRunStatus.STARTED)
    assert run.status == dg.DagsterRunStatus.STARTED
    expire_leases()
    totals = reap_expired(instance, Database(), ["domain_scan"])
    assert totals["extended"] == 2 and totals["requeued"] == 0
    assert scan_statuses() == ["Processing", "Processing"]


def test_failed_run_rows_come_back_through_the_failure_sensor(db, instance):
    submit(4)
    data = tick(instance)
    key = data.run_requests[0].partition_key
    instance.add_dynamic_partitions("domain_scan_batches", [key])
    job = defs.resolve_job_def("domain_scan_job")
    database = Database()
    broken_http = HttpResource(resolve="not-a-resolve-entry")  # the op fails building its client
    result = job.execute_in_process(
        instance=instance,
        partition_key=key,
        resources={"database": database, "pg_io": PostgresIOManager(database=database), "http": broken_http},
        raise_on_error=False,
    )
    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    sensor = defs.resolve_sensor_def("failed_batch_requeue")
    ctx = dg.build_run_status_sensor_context(
        sensor_name="failed_batch_requeue", dagster_event=failure, dagster_instance=instance,
        dagster_run=run, resources={"database": database},
    ).for_run_failure()
    sensor(ctx)
    assert scan_statuses() == ["Queued"] * 4
    with transaction() as s:
        errors = s.execute(sa.select(Domain.scan_error)).scalars().all()
        batch = s.execute(sa.select(Batch).where(Batch.key == key)).scalar_one()
    assert all(e.startswith(f"run {run.run_id} failed") for e in errors)
    assert batch.status == "Requeued"
