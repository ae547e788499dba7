"""The one engine configuration of the app, safe behind a transaction-mode pooler.

Rules (DESIGN section 3): no server-side prepared statements that outlive a transaction, unique
statement names, no session state. Sync code (sensors, the IO manager, the CLI) uses psycopg with
`prepare_threshold=None`; async code uses asyncpg with `statement_cache_size=0`, SQLAlchemy's
`prepared_statement_cache_size=0`, uuid statement names and `NullPool`, so no connection outlives
the event loop that opened it and the engine is safe across loops.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from functools import cache
from typing import Iterator

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

ENV_URL = "SCRAPERSKY_DATABASE_URL"


def database_url() -> str:
    """`SCRAPERSKY_DATABASE_URL`, or the embedded default (started on demand)."""
    if url := os.environ.get(ENV_URL):
        return url
    from .embedded import ensure_embedded

    return ensure_embedded().url()


def _with_driver(url: str, driver: str) -> URL:
    parsed = make_url(url)
    return parsed.set(drivername=f"postgresql+{driver}")


def redact(url: str) -> str:
    """The URL with its password hidden, for logs and errors."""
    return make_url(url).render_as_string(hide_password=True)


@cache
def sync_engine(url: str | None = None) -> Engine:
    return create_engine(
        _with_driver(url or database_url(), "psycopg"),
        connect_args={"prepare_threshold": None, "connect_timeout": 10},
        pool_size=2,
        max_overflow=8,
        pool_pre_ping=True,
        pool_recycle=300,
        hide_parameters=True,
    )


@cache
def async_engine(url: str | None = None) -> AsyncEngine:
    target = _with_driver(url or database_url(), "asyncpg").update_query_dict(
        {"prepared_statement_cache_size": "0"}
    )
    # asyncpg takes a socket directory as host=; SQLAlchemy passes query "host" through unchanged.
    return create_async_engine(
        target,
        poolclass=NullPool,
        connect_args={
            "statement_cache_size": 0,
            "prepared_statement_name_func": lambda: f"__asyncpg_{uuid.uuid4().hex}__",
            "timeout": 10,
        },
        hide_parameters=True,
    )


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(sync_engine(url), expire_on_commit=False, autoflush=False)


def async_session_factory(url: str | None = None) -> async_sessionmaker:
    return async_sessionmaker(async_engine(url), expire_on_commit=False, autoflush=False)


@contextmanager
def transaction(url: str | None = None) -> Iterator[Session]:
    """One short transaction: commit on success, rollback on any error."""
    with session_factory(url)() as session, session.begin():
        yield session


def dispose_all() -> None:
    """Forget cached engines (tests switch databases; forked processes must not share pools)."""
    for fn in (sync_engine, async_engine):
        fn.cache_clear()
