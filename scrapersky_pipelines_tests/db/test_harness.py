"""The harness itself: the app reaches PostgreSQL through pgbouncer in transaction mode."""

import sqlalchemy as sa

from scrapersky_pipelines.db import engine


def test_app_url_goes_through_pgbouncer_in_transaction_mode(db):
    assert f":{db.bouncer.port}/" in db.url
    with engine.transaction() as s:
        assert s.execute(sa.text("select 1")).scalar() == 1
    import psycopg

    with psycopg.connect(db.bouncer.url("pgbouncer"), autocommit=True, prepare_threshold=None) as c:
        rows = c.execute("SHOW CONFIG").fetchall()
    mode = {r[0]: r[1] for r in rows}["pool_mode"]
    assert mode == "transaction"


def test_schema_is_at_head(db):
    from scrapersky_pipelines.db.migrate import current_revision

    assert current_revision(db.url) is not None


def test_migrations_match_the_models_and_go_down_and_up(db):
    """Head is exactly what the typed models declare; every migration also reverses."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from scrapersky_pipelines.db.migrate import downgrade, upgrade
    from scrapersky_pipelines.db.models import Base

    db.execute("DROP DATABASE IF EXISTS migration_check")
    db.execute("CREATE DATABASE migration_check")
    url = db.server.url("migration_check")
    upgrade(url)
    downgrade(url, "base")
    upgrade(url)
    checked = engine.sync_engine(url)
    try:
        with checked.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        checked.dispose()
    assert diff == []
