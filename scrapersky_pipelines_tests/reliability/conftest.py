"""Fixtures of the reliability suite and its results table.

Every scenario records rows in, rows terminal, duplicates, peak RSS and duration with `scoreboard`;
at the end of the session the table is written as JSON and Markdown under pytest's base temporary
directory (and to `$SCRAPERSKY_RELIABILITY_REPORT` when set); the root conftest prints it.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

from scrapersky_pipelines_tests.support.processes import python_env

_RESULTS: list["Scenario"] = []

# Natural keys of every entity table: a duplicate is a second row for the same key.
NATURAL_KEYS = {
    "domains": "domain",
    "places": "place_id",
    "local_businesses": "place_id",
    "sitemap_files": "domain_id, url",
    "pages": "domain_id, url",
    "contacts": "domain_id, lower(email)",
}


@dataclass
class Scenario:
    scenario: str
    rows_in: int = 0
    rows_terminal: int = 0
    duplicates: int = 0
    peak_rss_mb: float | None = None
    duration_s: float = 0.0
    notes: str = ""
    _started: float = field(default_factory=time.monotonic, repr=False)

    def done(self) -> "Scenario":
        self.duration_s = round(time.monotonic() - self._started, 1)
        return self

    def __enter__(self) -> "Scenario":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.done()
        if exc_type is not None:
            self.notes = f"FAILED ({exc_type.__name__}) " + self.notes


class Scoreboard:
    def start(self, name: str) -> Scenario:
        row = Scenario(name)
        _RESULTS.append(row)
        return row

    def find(self, prefix: str) -> Scenario | None:
        return next((r for r in _RESULTS if r.scenario.startswith(prefix)), None)


def _rows() -> list[dict]:
    return [{k: v for k, v in asdict(r).items() if not k.startswith("_")} for r in _RESULTS]


def _results_root(base: Path) -> Path:
    """pytest's base temporary directory; under xdist each worker's base is one level below it."""
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _merge(root: Path) -> list[dict]:
    """Every process's rows (xdist workers each write their own file), in scenario order."""
    rows: list[dict] = []
    for part in sorted(root.glob("reliability-results-*.json")):
        rows += json.loads(part.read_text())
    return sorted(rows, key=lambda r: r["scenario"])


@pytest.fixture(scope="session")
def scoreboard(tmp_path_factory: pytest.TempPathFactory):
    board = Scoreboard()
    yield board
    if not _RESULTS:
        return
    import fcntl

    root = _results_root(tmp_path_factory.getbasetemp())
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(root / "reliability-results.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # workers finishing together must not interleave the merge
        (root / f"reliability-results-{worker}.json").write_text(json.dumps(_rows(), indent=2))
        rows = _merge(root)
        targets = [root / "reliability-results.json"]
        if extra := os.environ.get("SCRAPERSKY_RELIABILITY_REPORT"):
            targets.append(Path(extra))
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(rows, indent=2))
            target.with_suffix(".md").write_text(markdown_table(rows))


def markdown_table(rows: list[dict]) -> str:
    head = "| scenario | rows in | rows terminal | duplicates | peak RSS (MB) | duration (s) | notes |\n"
    head += "| --- | ---: | ---: | ---: | ---: | ---: | --- |\n"
    lines = [
        f"| {r['scenario']} | {r['rows_in']} | {r['rows_terminal']} | {r['duplicates']} | "
        f"{'' if r['peak_rss_mb'] is None else round(r['peak_rss_mb'])} | {r['duration_s']} | {r['notes']} |"
        for r in rows
    ]
    return head + "\n".join(lines) + "\n"


def count_duplicates(db) -> int:
    total = 0
    for table, key in NATURAL_KEYS.items():
        [[n]] = db.execute(f"SELECT count(*) - count(DISTINCT ({key})) FROM {table}")
        total += int(n)
    return total


@pytest.fixture
def pipeline_env(db, web):
    """Environment of a pipeline process: the test database through pgbouncer, the synthetic web only."""
    return python_env(
        SCRAPERSKY_DATABASE_URL=db.url,
        SCRAPERSKY_RESOLVE=",".join(web.resolve_entries()),
        SCRAPERSKY_RESOLVE_ONLY="1",
        SCRAPERSKY_SCHEMES="http",
        SCRAPERSKY_HTTP_TOTAL_TIMEOUT="4",
    )
