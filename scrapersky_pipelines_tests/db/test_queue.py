"""Queue operations against PostgreSQL through pgbouncer: claim, start, finish, requeue."""

import sqlalchemy as sa

from scrapersky_pipelines.db import queue
from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.enums import ProcessingStatus as PS
from scrapersky_pipelines.db.models import Batch, Domain
from scrapersky_pipelines.db.stages import QUEUES
from scrapersky_pipelines.db.submit import insert_domains

Q = QUEUES["domain_scan"]


def submit(n: int) -> None:
    with transaction() as s:
        insert_domains(s, [f"site-{i:03d}.com" for i in range(n)])


def statuses() -> dict[str, str]:
    with transaction() as s:
        return dict(s.execute(sa.select(Domain.domain, Domain.scan_status)).all())


def test_claim_takes_oldest_first_and_creates_a_batch(db):
    submit(5)
    with transaction() as s:
        got = queue.claim(s, Q, 3)
    assert got is not None and len(got.ids) == 3 and got.ids == [1, 2, 3]
    assert got.key.startswith("domain_scan-")
    with transaction() as s:
        batch = s.execute(sa.select(Batch).where(Batch.key == got.key)).scalar_one()
    assert batch.rows_claimed == 3 and batch.stage == "domain_scan"
    assert list(statuses().values()).count("Processing") == 3


def test_two_claims_never_take_the_same_row(db):
    submit(10)
    with transaction() as s1, transaction() as s2:
        a = queue.claim(s1, Q, 6)
        b = queue.claim(s2, Q, 6)  # concurrent transaction: SKIP LOCKED
    assert a and b
    assert not set(a.ids) & set(b.ids)
    assert len(a.ids) + len(b.ids) == 10
    with transaction() as s:
        assert queue.claim(s, Q, 5) is None


def test_finish_only_touches_rows_still_in_the_batch(db):
    submit(2)
    with transaction() as s:
        got = queue.claim(s, Q, 2)
    with transaction() as s:
        queue.requeue(s, Q, got.key, "lease expired")
    with transaction() as s:
        again = queue.claim(s, Q, 2)
    with transaction() as s:  # the stale run of the first batch writes late
        n = queue.finish(s, Q, [got.key], [{"id": i, "status": PS.COMPLETE, "error": None} for i in got.ids])
    assert n == 0
    with transaction() as s:
        n = queue.finish(s, Q, [again.key], [{"id": i, "status": PS.COMPLETE, "error": None, "title": "t"} for i in again.ids])
    assert n == 2
    assert set(statuses().values()) == {"Complete"}


def test_requeue_counts_attempts_and_errors_after_max(db):
    submit(1)
    for attempt in range(1, Q.max_attempts + 1):
        with transaction() as s:
            got = queue.claim(s, Q, 1)
        assert got is not None, attempt
        with transaction() as s:
            result = queue.requeue(s, Q, got.key, "worker died")
        assert (result.requeued, result.errored) == ((1, 0) if attempt < Q.max_attempts else (0, 1))
    with transaction() as s:
        row = s.execute(sa.select(Domain)).scalar_one()
    assert row.scan_status == PS.ERROR and row.scan_attempts == Q.max_attempts
    assert "worker died" in row.scan_error and "gave up after" in row.scan_error


def test_expired_batches_found_by_lease(db):
    submit(3)
    with transaction() as s:
        got = queue.claim(s, Q, 3)
    with transaction() as s:
        assert queue.expired_batches(s, Q) == []
        s.execute(sa.update(Domain).values(scan_lease_until=sa.func.now() - sa.text("interval '1 minute'")))
    with transaction() as s:
        assert queue.expired_batches(s, Q) == [got.key]


def test_start_reprocesses_a_finished_batch(db):
    submit(2)
    with transaction() as s:
        got = queue.claim(s, Q, 2)
    with transaction() as s:
        queue.finish(s, Q, [got.key], [{"id": i, "status": PS.ERROR, "error": "x"} for i in got.ids])
    with transaction() as s:
        rows = queue.start(s, Q, [got.key], "run-2")
    assert [r["id"] for r in rows] == got.ids and all(r["batch"] == got.key for r in rows)
    assert set(statuses().values()) == {"Processing"}


def test_queued_scan_is_an_index_scan(db):
    submit(2000)
    db.execute("ANALYZE domains")
    plan = "\n".join(
        r[0] for r in db.execute(
            "EXPLAIN SELECT id FROM domains WHERE scan_status = 'Queued' ORDER BY scan_queued_at, id LIMIT 100"
        )
    )
    assert "ix_domains_scan_queue" in plan, plan
