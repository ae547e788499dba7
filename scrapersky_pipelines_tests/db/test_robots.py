"""robots.txt answers kept in PostgreSQL (through pgbouncer): saved by a run, loaded for a batch."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from scrapersky_pipelines.db import queue
from scrapersky_pipelines.db.batches import LoadedBatch, RowOutcome
from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.enums import ProcessingStatus as PS
from scrapersky_pipelines.db.models import Batch
from scrapersky_pipelines.db.robots import SaveRobots, load_robots
from scrapersky_pipelines.db.stages import QUEUES
from scrapersky_pipelines.db.submit import insert_domains
from scrapersky_pipelines.lib.robots_cache import RobotsFile

NOW = datetime.now(UTC)


def robots(origin: str, body: str, age: timedelta = timedelta(0), status: int = 200) -> RobotsFile:
    return RobotsFile(origin, status, body.encode(), origin + "/robots.txt", NOW - age)


def test_the_newest_answer_per_origin_wins_whatever_order_runs_save_in(db):
    with transaction() as s:
        written = SaveRobots([robots("https://a.test", "new", timedelta(minutes=1)),
                              robots("https://a.test", "newest"), robots("http://a.test", "plain")]).persist(s)
    with transaction() as s:  # a run that fetched an hour ago saves last: it must not win
        SaveRobots([robots("https://a.test", "stale", timedelta(hours=1))]).persist(s)
    with transaction() as s:
        kept = {f.origin: f.content for f in load_robots(s, ["a.test"])}
    assert written == {"robots_files": 2}
    assert kept == {"https://a.test": b"newest", "http://a.test": b"plain"}


def test_load_takes_only_the_batch_hosts_and_answers_young_enough(db):
    with transaction() as s:
        SaveRobots([robots("https://a.test", "a"), robots("https://www.a.test:8443", "www"),
                    robots("https://b.test", "b"), robots("https://old.test", "old", timedelta(hours=30)),
                    robots("https://gone.test", "", status=404)]).persist(s)
    with transaction() as s:
        got = {f.origin for f in load_robots(s, ["a.test", "www.a.test", "old.test", "gone.test"])}
        assert {f.origin for f in load_robots(s, ["old.test"], max_age_seconds=31 * 3600)} == {"https://old.test"}
        assert load_robots(s, []) == [] and load_robots(s, ["a.test"], max_age_seconds=0) == []
    assert got == {"https://a.test", "https://www.a.test:8443", "https://gone.test"}


def test_a_batch_loads_its_hosts_answers_and_saves_what_its_run_fetched_with_the_statuses(db):
    with transaction() as s:
        insert_domains(s, ["a.test", "b.test"])
        SaveRobots([robots("https://www.a.test", "kept")]).persist(s)
        claimed = queue.claim(s, QUEUES["domain_scan"], 10)
    with transaction() as s:
        batch = LoadedBatch.load(s, "domain_scan", [claimed.key], "run-1")
    assert [f.origin for f in batch.robots.known] == ["https://www.a.test"]
    batch.robots.fetched.append(robots("https://b.test", "fetched"))
    outcome = batch.outcome([RowOutcome(r["id"], PS.COMPLETE) for r in batch.rows], 0.0)
    with transaction() as s:
        written = outcome.persist(s)
    with transaction() as s:
        assert {f.origin for f in load_robots(s, ["a.test", "www.a.test", "b.test"])} == {
            "https://www.a.test", "https://b.test"}
        writes = s.execute(sa.select(Batch.writes).where(Batch.key == claimed.key)).scalar_one()
    assert written["robots_files"] == 1 and writes == {"robots_files": 1}
