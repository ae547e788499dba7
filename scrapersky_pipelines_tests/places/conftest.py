"""Fixtures of the Places tests: the fake Places server, a code location of the Places stages, drain helpers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa

from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.defs.places import GROUP
from scrapersky_pipelines.defs.queues.sensors import build_queue_sensor
from scrapersky_pipelines.demo.places_server import FakePlacesServer
from scrapersky_pipelines.resources.database import Database
from scrapersky_pipelines.resources.io_manager import PostgresIOManager
from scrapersky_pipelines.resources.places import API_KEY_ENV, CurationPolicy, PlacesResource

KEY = "AIzaSy-t3st-5ecret-places-key-0042"


@pytest.fixture(scope="session")
def fake_places() -> Iterator[FakePlacesServer]:
    with FakePlacesServer(api_key=KEY, token_delay=0.2, quota_failures=2) as server:
        yield server


@pytest.fixture
def places_server(fake_places: FakePlacesServer) -> FakePlacesServer:
    fake_places.reset()
    return fake_places


def places_resource(server: FakePlacesServer, **overrides: Any) -> PlacesResource:
    values: dict[str, Any] = {
        "api_key": dg.EnvVar(API_KEY_ENV),
        "base_url": server.base_url,
        "legacy_base_url": server.base_url,
        "backoff_base": 0.001,
        "backoff_max": 0.01,
        "legacy_token_delay": 0.0,
        "token_retries": 40,
        "token_retry_delay": 0.05,
        "timeout": 5.0,
        "total_timeout": 10.0,
    }
    values.update(overrides)
    return PlacesResource(**values)


def build_defs(places: PlacesResource, policy: CurationPolicy | None = None) -> dg.Definitions:
    """The Places group wired like definitions.py wires every group (sensors from the stage specs)."""
    stage_jobs = {spec.stage: spec.job() for spec in GROUP.stages}
    database = Database()
    return dg.Definitions(
        assets=list(GROUP.assets),
        jobs=[*stage_jobs.values(), *GROUP.jobs],
        sensors=[build_queue_sensor(spec, stage_jobs[spec.stage]) for spec in GROUP.stages],
        resources={
            "database": database,
            "pg_io": PostgresIOManager(database=database),
            "places": places,
            "curation_policy": policy or CurationPolicy(),
        },
    )


@dataclass
class Pipeline:
    """A code location of the Places stages on a test instance; `drain` is what the daemon would do."""

    defs: dg.Definitions
    instance: dg.DagsterInstance
    results: list[dg.ExecuteInProcessResult] = field(default_factory=list)

    def tick(self, stage: str) -> dg.SensorResult | dg.SkipReason:
        sensor = self.defs.resolve_sensor_def(f"{stage}_sensor")
        ctx = dg.build_sensor_context(instance=self.instance, resources={"database": Database()}, definitions=self.defs)
        return sensor(ctx)

    def drain(self, stage: str, max_ticks: int = 10) -> list[dg.ExecuteInProcessResult]:
        """Tick the stage's sensor and run every requested batch until nothing is queued."""
        job = self.defs.resolve_job_def(f"{stage}_job")
        ran = []
        for _ in range(max_ticks):
            data = self.tick(stage)
            if isinstance(data, dg.SkipReason):
                break
            for request in data.dynamic_partitions_requests:
                self.instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
            for run in data.run_requests:
                ran.append(job.execute_in_process(instance=self.instance, partition_key=run.partition_key, raise_on_error=False))
        self.results += ran
        return ran

    def launch(self, job_name: str, ops: dict[str, Any]) -> dg.ExecuteInProcessResult:
        job = self.defs.resolve_job_def(job_name)
        result = job.execute_in_process(instance=self.instance, run_config={"ops": ops}, raise_on_error=False)
        self.results.append(result)
        return result


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as inst:
        yield inst


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(API_KEY_ENV, KEY)
    return KEY


@pytest.fixture
def pipeline(db, places_server, instance, api_key) -> Pipeline:
    return Pipeline(build_defs(places_resource(places_server)), instance)


def rows(sql: str, **params: Any) -> list[sa.Row]:
    with transaction() as s:
        return list(s.execute(sa.text(sql), params).all())


def scalar(sql: str, **params: Any) -> Any:
    with transaction() as s:
        return s.execute(sa.text(sql), params).scalar()


def execute(sql: str, **params: Any) -> None:
    with transaction() as s:
        s.execute(sa.text(sql), params)


def cli(*argv: str) -> int:
    """Run `scrapersky <argv>` through the places sub-commands (cli.py wires them the same way)."""
    import argparse

    from scrapersky_pipelines import cli_places

    parser = argparse.ArgumentParser(prog="scrapersky")
    cli_places.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return int(args.func(args) or 0)
