"""Helpers that run one async task per batch row with bounded concurrency and a time budget."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from scrapersky_pipelines.db.batches import RowOutcome

Row = dict[str, Any]
T = TypeVar("T")


async def map_rows(
    rows: Sequence[Row],
    work: Callable[[Row], Awaitable[RowOutcome]],
    *,
    concurrency: int,
    budget_seconds: float,
) -> list[RowOutcome]:
    """Outcome per row; a row that raises or overruns its budget ends Error, never the batch."""
    gate = asyncio.Semaphore(max(concurrency, 1))

    async def one(row: Row) -> RowOutcome:
        async with gate:
            try:
                return await asyncio.wait_for(work(row), budget_seconds)
            except TimeoutError:
                return RowOutcome.failed(row["id"], "timeout", f"no result within {budget_seconds:.0f}s")
            except Exception as exc:  # one bad row must not stop its batch
                return RowOutcome.failed(row["id"], "internal", f"{type(exc).__name__}: {exc}")

    return list(await asyncio.gather(*(one(r) for r in rows)))
