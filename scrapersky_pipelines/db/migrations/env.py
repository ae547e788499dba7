"""Alembic environment: one transaction per upgrade, serialised by a transaction-scoped lock."""

from alembic import context
from sqlalchemy import text

from scrapersky_pipelines.db.engine import sync_engine
from scrapersky_pipelines.db.models import Base

MIGRATION_LOCK = 72_157_001  # any constant shared by every migrating process


def run_migrations_online() -> None:
    url = context.config.attributes["database_url"]
    with sync_engine(url).connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
        with context.begin_transaction():
            # xact lock: released at commit, so it is safe through a transaction-mode pooler
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `scrapersky db upgrade`")
run_migrations_online()
