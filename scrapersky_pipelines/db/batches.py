"""What flows between a stage's ops: the claimed rows in, the per-row outcomes out.

Each object knows how to load or persist itself inside a transaction the IO manager opens;
ops only build and return them.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from scrapersky_pipelines.lib.robots_cache import RobotsCache, robots_hosts

from . import queue
from .enums import ProcessingStatus as PS
from .models import Batch
from .robots import SaveRobots, load_robots
from .stages import QUEUES, QueueSpec


@dataclass
class LoadedBatch:
    """The rows of one run's batches, taken (leased) for processing."""

    stage: str
    keys: list[str]
    rows: list[dict[str, Any]]
    run_id: str
    loaded_at: float = field(default_factory=time.time)
    # robots.txt answers earlier runs kept for these rows' hosts, and those this run fetches.
    robots: RobotsCache = field(default_factory=RobotsCache)

    @classmethod
    def load(cls, session: Session, stage: str, keys: list[str], run_id: str) -> "LoadedBatch":
        rows = queue.start(session, QUEUES[stage], keys, run_id)
        return cls(stage, keys, rows, run_id, robots=RobotsCache(load_robots(session, robots_hosts(rows))))

    def outcome(self, outcomes: list["RowOutcome"], started_at: float, side_writes=()) -> "BatchOutcome":
        """The batch's results, each row attributed to the batch it was claimed in, saved with the
        robots.txt files the run fetched."""
        row_batches = {r["id"]: r["batch"] for r in self.rows if "batch" in r}
        writes = [*side_writes, SaveRobots(self.robots.fetched)] if self.robots.fetched else list(side_writes)
        return BatchOutcome(self.stage, self.keys, outcomes, started_at, row_batches=row_batches,
                            side_writes=writes)


@dataclass
class RowOutcome:
    """The result for one row: terminal status, reason, error kind and columns to write."""

    id: int
    status: PS
    error: str | None = None
    error_kind: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def failed(cls, row_id: int, kind: str, message: str) -> "RowOutcome":
        return cls(row_id, PS.ERROR, error=f"{kind}: {message}"[:2000], error_kind=kind)


@dataclass
class BatchOutcome:
    """All row outcomes of a run; persisting it finishes the rows and closes the batches."""

    stage: str
    keys: list[str]
    outcomes: list[RowOutcome]
    started_at: float
    finished_at: float = field(default_factory=time.time)
    row_batches: dict[int, str] = field(default_factory=dict)
    # Writes to other tables (places, pages, contacts...) committed with the row statuses, never apart.
    side_writes: list[Any] = field(default_factory=list)

    @property
    def spec(self) -> QueueSpec:
        return QUEUES[self.stage]

    def counts(self, outcomes: list[RowOutcome] | None = None) -> dict[str, Any]:
        outcomes = self.outcomes if outcomes is None else outcomes
        by_status = Counter(o.status for o in outcomes)
        return {
            "complete": by_status[PS.COMPLETE],
            "error": by_status[PS.ERROR],
            "filtered": by_status[PS.FILTERED],
            "error_counts": dict(Counter(o.error_kind or "other" for o in outcomes if o.status == PS.ERROR)),
        }

    def persist(self, session: Session) -> dict[str, Any]:
        rows = [
            {"id": o.id, "status": o.status, "error": o.error, "values": o.values} for o in self.outcomes
        ]
        side = {}
        for write in self.side_writes:
            for name, count in (write.persist(session) or {}).items():
                side[name] = side.get(name, 0) + count
        written = queue.finish(session, self.spec, self.keys, rows)
        duration = max(self.finished_at - self.started_at, 1e-6)
        summaries = {}
        for key in self.keys:
            mine = [o for o in self.outcomes if self.row_batches.get(o.id, key) == key]
            summaries[key] = {
                **self.counts(mine),
                "duration_seconds": round(duration, 3),
                "results": {str(o.id): o.error or o.status.value for o in mine[:1000]},
                # side writes are not split per batch: a multi-batch run reports them on each
                "writes": side,
            }
        queue.close_batches(session, self.keys, summaries)
        return {"rows_written": written, **side}


@dataclass
class BatchSummary:
    """A persisted batch as the database now holds it (what downstream ops and metadata read)."""

    stage: str
    keys: list[str]
    complete_ids: list[int]
    rows: int
    complete: int
    error: int
    filtered: int
    error_counts: dict[str, int]
    first_errors: list[tuple[int, str]]
    duration_seconds: float
    writes: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, stage: str, keys: list[str]) -> "BatchSummary":
        q = QUEUES[stage]
        rows = session.execute(
            sa.select(q.table.c.id, q.col("status"), q.col("error")).where(q.col("batch").in_(keys))
        ).all()
        batches = session.execute(sa.select(Batch).where(Batch.key.in_(keys))).scalars().all()
        errors: Counter[str] = Counter()
        for b in batches:
            errors.update(b.error_counts or {})
        by_status = Counter(r[1] for r in rows)
        return cls(
            stage=stage,
            keys=keys,
            complete_ids=sorted(r[0] for r in rows if r[1] == PS.COMPLETE),
            rows=len(rows),
            complete=by_status[PS.COMPLETE],
            error=by_status[PS.ERROR],
            filtered=by_status[PS.FILTERED],
            error_counts=dict(errors),
            first_errors=sorted((r[0], r[2]) for r in rows if r[1] == PS.ERROR)[:20],
            duration_seconds=max((b.duration_seconds or 0.0) for b in batches) if batches else 0.0,
            writes=_merge_writes(b.writes for b in batches),
        )


@dataclass
class WrittenAlready:
    """Counts of writes an op made itself in chunked transactions (e.g. streamed pages), to report."""

    counts: dict[str, int]

    def persist(self, session: Session) -> dict[str, int]:
        return dict(self.counts)


def _merge_writes(all_writes) -> dict[str, int]:
    merged: dict[str, int] = {}
    seen: list[dict] = []
    for writes in all_writes:
        if writes and writes not in seen:  # one run's writes are stored on each of its batches
            seen.append(writes)
            for name, count in writes.items():
                merged[name] = merged.get(name, 0) + int(count)
    return merged


@dataclass
class FollowUp:
    """A policy's decision to queue another stage for some rows."""

    stage: str
    ids: list[int]
    force: bool = True

    def persist(self, session: Session) -> int:
        return queue.enqueue(session, QUEUES[self.stage], self.ids, force=self.force)


@dataclass
class StageReport:
    """The asset's output: the batch summary plus the follow-ups its policies decided."""

    summary: BatchSummary
    follow_ups: list[FollowUp] = field(default_factory=list)

    def persist(self, session: Session) -> dict[str, int]:
        return {f"queued_{f.stage}": f.persist(session) for f in self.follow_ups}
