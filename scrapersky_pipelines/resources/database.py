"""The database resource: short transactions, retried with backoff when the server is away."""


import random
import time
from collections.abc import Callable
from typing import TypeVar

import dagster as dg
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from scrapersky_pipelines.db import engine

T = TypeVar("T")

TRANSIENT_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300", "40001", "40P01")


def is_transient(exc: BaseException) -> bool:
    """Connection loss, server shutdown, too many clients, serialization failure, deadlock."""
    if isinstance(exc, OperationalError) and getattr(exc, "connection_invalidated", False):
        return True
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or ""
        if any(code.startswith(p) for p in TRANSIENT_SQLSTATES):
            return True
        return isinstance(exc, OperationalError)
    return False


class Database(dg.ConfigurableResource):
    """The app database. `url` unset means the embedded default."""

    url: str | None = None
    # 8 attempts wait 0.5+1+2+4+8+15+15 s (x0.5..1.5 jitter), 23 s at the least: longer than a
    # pooler's server_login_retry (pgbouncer: 15 s), which follows any server restart. With 6 the
    # retries could run out before the pooler even tried to reconnect.
    max_attempts: int = 8
    backoff_seconds: float = 0.5

    def resolved_url(self) -> str:
        return self.url or engine.database_url()

    def run(self, work: Callable[[Session], T], *, log=None) -> T:
        """Run `work` in its own transaction; commit on success, rollback on error.

        Transient failures (server restart, dropped connection) retry the whole transaction.
        """
        for attempt in range(1, self.max_attempts + 1):
            try:
                with engine.transaction(self.resolved_url()) as session:
                    return work(session)
            except Exception as exc:
                if attempt == self.max_attempts or not is_transient(exc):
                    raise
                delay = min(self.backoff_seconds * 2 ** (attempt - 1), 15.0) * random.uniform(0.5, 1.5)
                if log is not None:
                    log.warning(f"database unavailable ({type(exc).__name__}); retry {attempt} in {delay:.1f}s")
                engine.sync_engine(self.resolved_url()).dispose()
                time.sleep(delay)
        raise AssertionError("unreachable")
