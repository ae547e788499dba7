"""Helpers that run one async task per batch row with bounded concurrency and a time budget."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any

from scrapersky_pipelines.db.batches import RowOutcome

Row = dict[str, Any]


async def map_rows(
    rows: Sequence[Row],
    work: Callable[[Row], Awaitable[RowOutcome]],
    *,
    concurrency: int,
    budget_seconds: float,
    group: Callable[[Row], Hashable] | None = None,
) -> list[RowOutcome]:
    """Outcome per row, in row order; a row that raises or overruns its budget ends Error, never the batch.

    With `group`, rows of one group (e.g. one host) run one after another, so a site's politeness
    delay is spent between its own rows instead of eating into their budgets.
    """
    gate = asyncio.Semaphore(max(concurrency, 1))
    outcomes: dict[int, RowOutcome] = {}

    async def one(row: Row) -> RowOutcome:
        try:
            return await asyncio.wait_for(work(row), budget_seconds)
        except TimeoutError:
            return RowOutcome.failed(row["id"], "timeout", f"no result within {budget_seconds:.0f}s")
        except Exception as exc:  # one bad row must not stop its batch
            return RowOutcome.failed(row["id"], "internal", f"{type(exc).__name__}: {exc}")

    async def lane(members: list[tuple[int, Row]]) -> None:
        async with gate:
            for index, row in members:
                outcomes[index] = await one(row)

    lanes: dict[Hashable, list[tuple[int, Row]]] = {}
    for index, row in enumerate(rows):
        lanes.setdefault(group(row) if group else index, []).append((index, row))
    await asyncio.gather(*(lane(members) for members in lanes.values()))
    return [outcomes[i] for i in range(len(rows))]
