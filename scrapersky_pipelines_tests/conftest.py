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
