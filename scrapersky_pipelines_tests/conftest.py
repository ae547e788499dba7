"""Session fixtures: a real PostgreSQL behind a real pgbouncer (transaction mode)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def test_db():
    from scrapersky_pipelines.db import engine
    from scrapersky_pipelines_tests.support.database import start_test_database, stop_test_database
    from scrapersky_pipelines_tests.support.pgbouncer import find_pgbouncer

    if find_pgbouncer() is None:
        pytest.fail("pgbouncer is required for the database tests (apt-get install pgbouncer)")
    db = start_test_database()
    previous = os.environ.get(engine.ENV_URL)
    os.environ[engine.ENV_URL] = db.url
    engine.dispose_all()
    yield db
    engine.dispose_all()
    if previous is None:
        os.environ.pop(engine.ENV_URL, None)
    else:
        os.environ[engine.ENV_URL] = previous
    stop_test_database(db)


@pytest.fixture
def db(test_db):
    """The test database, emptied before each test."""
    test_db.truncate()
    return test_db


@pytest.fixture(scope="session")
def web():
    """The synthetic web on loopback (generated sites, broken and hostile ones)."""
    from scrapersky_pipelines.demo.web import SyntheticWeb

    with SyntheticWeb(slow_seconds=30) as server:
        yield server


@pytest.fixture
def web_env(web, monkeypatch):
    """Point the HTTP resource built from the environment at the synthetic web, and only there."""
    monkeypatch.setenv("SCRAPERSKY_RESOLVE", ",".join(web.resolve_entries()))
    monkeypatch.setenv("SCRAPERSKY_RESOLVE_ONLY", "1")
    monkeypatch.setenv("SCRAPERSKY_SCHEMES", "http")
    monkeypatch.setenv("SCRAPERSKY_HTTP_TOTAL_TIMEOUT", "4")
    return web


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print the reliability suite's results table when it ran (its xdist workers write it under the
    base temporary directory, see reliability/conftest.py); here so the whole-suite run shows it too."""
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is None:
        return
    try:
        root = factory.getbasetemp()
    except OSError:
        return
    table = root / "reliability-results.md"
    if table.exists():
        terminalreporter.write_sep("=", "reliability results")
        terminalreporter.write(table.read_text())
        terminalreporter.write_line(f"written: {root / 'reliability-results.json'} (+ .md)")
