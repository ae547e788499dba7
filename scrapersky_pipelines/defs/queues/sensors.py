"""Queue sensors: one claim sensor per stage (from one factory), the lease reaper, failure requeue."""
from __future__ import annotations


from collections.abc import Sequence

import dagster as dg
import sqlalchemy as sa

from scrapersky_pipelines.db import queue
from scrapersky_pipelines.db.enums import BatchStatus
from scrapersky_pipelines.db.models import Batch
from scrapersky_pipelines.db.stages import QUEUES
from scrapersky_pipelines.resources.database import Database

from .stage import StageSpec

ALIVE = {
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
}


def _in_flight(session, stage: str) -> int:
    return session.execute(
        sa.select(sa.func.count())
        .select_from(Batch)
        .where(Batch.stage == stage, Batch.status.in_([BatchStatus.CLAIMED, BatchStatus.RUNNING]))
    ).scalar_one()


def claim_batches(database: Database, spec: StageSpec) -> list[queue.Claimed]:
    """Claim up to the stage's free in-flight slots, each slot one batch, each in its own transaction."""
    free = spec.max_batches_in_flight - database.run(lambda s: _in_flight(s, spec.stage))
    claimed = []
    for _ in range(max(free, 0)):
        got = database.run(lambda s: queue.claim(s, spec.queue, spec.batch_size))
        if got is None:
            break
        claimed.append(got)
    return claimed


def build_queue_sensor(spec: StageSpec, job: dg.JobDefinition) -> dg.SensorDefinition:
    @dg.sensor(
        name=f"{spec.stage}_sensor",
        job=job,
        minimum_interval_seconds=spec.interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Claims Queued rows of {spec.queue.table.name}.{spec.queue.prefix}_status into "
        f"batches of up to {spec.batch_size} and launches one run per batch.",
    )
    def _sensor(context: dg.SensorEvaluationContext, database: Database):
        claimed = claim_batches(database, spec)
        if not claimed:
            return dg.SkipReason(f"no Queued {spec.stage} rows, or {spec.max_batches_in_flight} batches in flight")
        keys = [c.key for c in claimed]
        context.log.info(f"claimed {sum(len(c.ids) for c in claimed)} rows into {keys}")
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(run_key=c.key, partition_key=c.key, tags={"scrapersky/rows": str(len(c.ids))})
                for c in claimed
            ],
            dynamic_partitions_requests=[spec.partitions_def.build_add_request(keys)],
        )

    return _sensor


def batch_runs(instance: dg.DagsterInstance, key: str, run_id: str | None) -> list[dg.DagsterRun]:
    """Runs that work (or worked) on a batch: by partition tag, and the one the batch recorded."""
    runs = list(instance.get_runs(dg.RunsFilter(tags={"dagster/partition": key}), limit=20))
    if run_id and all(r.run_id != run_id for r in runs):
        run = instance.get_run_by_id(run_id)
        if run is not None:
            runs.append(run)
    return runs


def reap_expired(instance: dg.DagsterInstance, database: Database, stages: Sequence[str]) -> dict[str, int]:
    """Requeue rows whose lease passed and whose batch has no live run."""
    totals = {"requeued": 0, "errored": 0, "extended": 0}
    for stage in stages:
        q = QUEUES[stage]
        for key in database.run(lambda s: queue.expired_batches(s, q)):
            run_id = database.run(lambda s: s.execute(sa.select(Batch.run_id).where(Batch.key == key)).scalar())
            runs = batch_runs(instance, key, run_id)
            if any(r.status in ALIVE for r in runs):
                totals["extended"] += database.run(lambda s: queue.extend_lease(s, q, [key]))
                continue
            last = max(runs, key=lambda r: r.run_id == run_id, default=None)
            reason = (
                f"lease expired: run {last.run_id} ended {last.status.value}" if last
                else "lease expired: no run was launched for the batch"
            )
            result = database.run(lambda s: queue.requeue(s, q, key, reason))
            totals["requeued"] += result.requeued
            totals["errored"] += result.errored
    return totals


def build_reaper_sensor(stages: Sequence[str]) -> dg.SensorDefinition:
    @dg.sensor(
        name="lease_reaper",
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Returns rows whose lease expired and whose run is not alive to Queued "
        "(or to Error after max attempts).",
    )
    def lease_reaper(context: dg.SensorEvaluationContext, database: Database):
        totals = reap_expired(context.instance, database, stages)
        if not any(totals.values()):
            return dg.SkipReason("no expired leases")
        context.log.info(f"reaper: {totals}")
        return dg.SkipReason(f"reaped: {totals}")

    return lease_reaper


def failed_run_batches(database: Database, run: dg.DagsterRun) -> list[str]:
    keys = database.run(
        lambda s: list(s.execute(sa.select(Batch.key).where(Batch.run_id == run.run_id)).scalars())
    )
    if key := run.tags.get("dagster/partition"):
        keys.append(key)
    return sorted(set(keys))


def requeue_failed_run(database: Database, run: dg.DagsterRun, message: str) -> dict[str, int]:
    totals = {"requeued": 0, "errored": 0}
    for key in failed_run_batches(database, run):
        stage = database.run(lambda s: s.execute(sa.select(Batch.stage).where(Batch.key == key)).scalar())
        if stage not in QUEUES:
            continue
        result = database.run(
            lambda s: queue.requeue(s, QUEUES[stage], key, f"run {run.run_id} failed: {message}")
        )
        totals["requeued"] += result.requeued
        totals["errored"] += result.errored
    return totals


def build_failure_sensor(jobs: Sequence[dg.JobDefinition] | None = None) -> dg.SensorDefinition:
    """Without `jobs`, every job of the code location is watched: asset backfills and UI
    materializations run stage assets outside the stage jobs, and their batches need requeueing too."""

    @dg.run_failure_sensor(
        name="failed_batch_requeue",
        monitored_jobs=list(jobs) if jobs else None,
        # Dagster's default tick is 30 s, most of a crashed batch's time back to Queued; the
        # tick only reads new run-failure events.
        minimum_interval_seconds=10,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Requeues the unfinished rows of a failed batch run at once.",
    )
    def failed_batch_requeue(context: dg.RunFailureSensorContext, database: Database):
        message = (context.failure_event.message or "run failed")[:500]
        totals = requeue_failed_run(database, context.dagster_run, message)
        context.log.info(f"run {context.dagster_run.run_id}: {totals}")

    return failed_batch_requeue
