"""The IO manager owns transactions: each output commits alone; a failed write leaves nothing."""

import time

import dagster as dg
import pytest
import sqlalchemy as sa

from scrapersky_pipelines.db import queue
from scrapersky_pipelines.db.batches import BatchOutcome, BatchSummary, LoadedBatch, RowOutcome
from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.enums import ProcessingStatus as PS
from scrapersky_pipelines.db.models import Batch, Domain
from scrapersky_pipelines.db.stages import QUEUES
from scrapersky_pipelines.db.submit import insert_domains
from scrapersky_pipelines.defs.domains.partitions import domain_scan_batches
from scrapersky_pipelines.defs.queues.stage import stage_input, stage_output
from scrapersky_pipelines.resources.database import Database
from scrapersky_pipelines.resources.io_manager import PostgresIOManager


@dg.op(ins={"batch": stage_input("domain_scan")}, out=stage_output("domain_scan"))
def write_titles(batch: LoadedBatch) -> BatchOutcome:
    outcomes = [RowOutcome(r["id"], PS.COMPLETE, values={"title": f"title {r['domain']}"}) for r in batch.rows]
    return BatchOutcome("domain_scan", batch.keys, outcomes, time.time())


@dg.op(ins={"batch": stage_input("domain_scan")}, out=stage_output("domain_scan"))
def write_with_one_bad_row(batch: LoadedBatch) -> BatchOutcome:
    outcomes = [RowOutcome(r["id"], PS.COMPLETE, values={"title": "fine"}) for r in batch.rows[:-1]]
    bad = batch.rows[-1]
    outcomes.append(RowOutcome(bad["id"], PS.COMPLETE, values={"language": "x" * 500}))  # varchar(40)
    return BatchOutcome("domain_scan", batch.keys, outcomes, time.time())


@dg.op
def later_step_fails(summary: BatchSummary) -> None:
    assert summary.complete == 3
    raise RuntimeError("later op failed")


def make_job(*steps):
    @dg.job(partitions_def=domain_scan_batches, executor_def=dg.in_process_executor)
    def _job():
        out = steps[0]()
        for step in steps[1:]:
            out = step(out)

    return _job


def claimed_batch(instance) -> str:
    with transaction() as s:
        insert_domains(s, ["alpha.com", "beta.com", "gamma.com"])
    with transaction() as s:
        got = queue.claim(s, QUEUES["domain_scan"], 10)
    instance.add_dynamic_partitions("domain_scan_batches", [got.key])
    return got.key


def run(job, instance, key):
    database = Database()
    return job.execute_in_process(
        instance=instance, partition_key=key, raise_on_error=False,
        resources={"database": database, "pg_io": PostgresIOManager(database=database)},
    )


@pytest.fixture
def instance():
    with dg.instance_for_test() as inst:
        yield inst


def test_earlier_op_commit_survives_a_later_failure(db, instance):
    key = claimed_batch(instance)
    result = run(make_job(write_titles, later_step_fails), instance, key)
    assert not result.success
    with transaction() as s:
        rows = s.execute(sa.select(Domain.title, Domain.scan_status).order_by(Domain.id)).all()
        batch = s.execute(sa.select(Batch).where(Batch.key == key)).scalar_one()
    assert rows == [("title alpha.com", "Complete"), ("title beta.com", "Complete"), ("title gamma.com", "Complete")]
    assert batch.status == "Complete" and batch.rows_complete == 3 and batch.run_id == result.run_id


def test_failed_output_write_leaves_nothing(db, instance):
    key = claimed_batch(instance)
    result = run(make_job(write_with_one_bad_row), instance, key)
    assert not result.success
    with transaction() as s:
        rows = s.execute(sa.select(Domain.title, Domain.scan_status)).all()
        batch = s.execute(sa.select(Batch).where(Batch.key == key)).scalar_one()
    assert {r.title for r in rows} == {None}
    assert {r.scan_status for r in rows} == {"Processing"}  # the lease path or failure sensor takes over
    assert batch.status == "Running" and batch.rows_complete == 0
