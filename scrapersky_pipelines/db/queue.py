"""Work-queue operations on the entity tables: enqueue, claim, start, finish, requeue.

Every function takes an open session and runs set-based statements inside the caller's short
transaction; none holds a transaction across network I/O.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from .enums import BatchStatus, ProcessingStatus as PS
from .models import Batch
from .stages import QueueSpec

NOW = sa.func.now()


def new_batch_key(stage: str) -> str:
    """Unique forever: stage, UTC second and random suffix (run keys must never repeat)."""
    return f"{stage}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def lease_deadline(seconds: int) -> sa.ColumnElement:
    return NOW + sa.text(f"interval '{int(seconds)} seconds'")


@dataclass(frozen=True)
class Claimed:
    key: str
    ids: list[int]


def enqueue(session: Session, q: QueueSpec, ids: Iterable[int], *, force: bool = True) -> int:
    """Queue rows for the stage; rows already Queued or Processing are left alone.

    With force=False only rows never processed (status NULL) or in Error are queued.
    """
    ids = list(ids)
    if not ids:
        return 0
    status = q.col("status")
    allowed = status.is_(None) | status.not_in([PS.QUEUED, PS.PROCESSING])
    if not force:
        allowed = status.is_(None) | (status == PS.ERROR)
    stmt = (
        sa.update(q.table)
        .where(q.table.c.id.in_(ids), allowed)
        .values(
            {
                status: PS.QUEUED.value,
                q.col("queued_at"): NOW,
                q.col("attempts"): 0,
                q.col("error"): None,
                q.col("batch"): None,
                q.col("lease_until"): None,
            }
        )
    )
    return session.execute(stmt).rowcount


def claim(session: Session, q: QueueSpec, limit: int, key: str | None = None) -> Claimed | None:
    """Move up to `limit` Queued rows (oldest first, SKIP LOCKED) into a new batch."""
    status = q.col("status")
    picked = (
        sa.select(q.table.c.id)
        .where(status == PS.QUEUED)
        .order_by(q.col("queued_at"), q.table.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("picked")
    )
    key = key or new_batch_key(q.stage)
    stmt = (
        sa.update(q.table)
        .where(q.table.c.id == picked.c.id)
        .values(
            {
                status: PS.PROCESSING.value,
                q.col("batch"): key,
                q.col("lease_until"): lease_deadline(q.lease_seconds),
                q.col("attempts"): q.col("attempts") + 1,
            }
        )
        .returning(q.table.c.id)
    )
    ids = sorted(session.execute(stmt).scalars())
    if not ids:
        return None
    session.add(Batch(key=key, stage=q.stage, rows_claimed=len(ids)))
    session.flush()
    return Claimed(key, ids)


def start(session: Session, q: QueueSpec, keys: Sequence[str], run_id: str) -> list[dict[str, Any]]:
    """Take every row of the batches for this run (fresh lease) and return their load columns.

    A backfill of a finished batch lands here too: its rows, whatever their status now, are
    processed again, which is exactly what reprocessing a batch means.
    """
    cols = [q.table.c[c] for c in q.load_columns] + [q.col("batch").label("batch")]
    stmt = (
        sa.update(q.table)
        .where(q.col("batch").in_(list(keys)))
        .values({q.col("status"): PS.PROCESSING.value, q.col("lease_until"): lease_deadline(q.lease_seconds)})
        .returning(*cols)
    )
    rows = [dict(r._mapping) for r in session.execute(stmt)]
    session.execute(
        sa.update(Batch)
        .where(Batch.key.in_(list(keys)))
        .values(status=BatchStatus.RUNNING, run_id=run_id, started_at=NOW)
    )
    rows.sort(key=lambda r: r["id"])
    return rows


def extend_lease(session: Session, q: QueueSpec, keys: Sequence[str]) -> int:
    stmt = (
        sa.update(q.table)
        .where(q.col("batch").in_(list(keys)), q.col("status") == PS.PROCESSING)
        .values({q.col("lease_until"): lease_deadline(q.lease_seconds)})
    )
    return session.execute(stmt).rowcount


def finish(
    session: Session,
    q: QueueSpec,
    keys: Sequence[str],
    outcomes: Sequence[dict[str, Any]],
) -> int:
    """Write terminal statuses and result columns; each outcome has `id`, `status`, `error` and
    `values` (result columns; they may share a name with the stage's own, e.g. a table's `error`).

    Only rows still in one of `keys` are touched, so a row that was requeued and claimed by
    another batch meanwhile is never overwritten by a stale run.
    """
    written = 0
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for o in outcomes:
        values = o.get("values", {k: v for k, v in o.items() if k not in ("id", "status", "error")})
        row = {"v_id": o["id"], "s_status": _plain(o["status"]), "s_error": o.get("error"),
               **{f"c_{k}": _plain(v) for k, v in values.items()}}
        groups.setdefault(tuple(sorted(values)), []).append(row)
    for names, rows in groups.items():
        assignments: dict[Any, Any] = {
            q.col("lease_until"): None,
            q.col("finished_at"): NOW,
            q.col("status"): sa.bindparam("s_status"),
            q.col("error"): sa.bindparam("s_error"),
            **{q.table.c[name]: sa.bindparam(f"c_{name}") for name in names},
        }
        stmt = (
            sa.update(q.table)
            .where(
                q.table.c.id == sa.bindparam("v_id"),
                q.col("batch") == sa.any_(sa.bindparam("v_keys", type_=ARRAY(sa.String))),
            )
            .values(assignments)
        )
        for row in rows:
            row["v_keys"] = list(keys)
        written += session.execute(stmt, rows).rowcount
    return written


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, PS) else value


def close_batches(session: Session, keys: Sequence[str], summaries: dict[str, dict[str, Any]]) -> None:
    """Record per-batch counts, error kinds, results and duration on the `batches` rows."""
    for key in keys:
        s = summaries.get(key, {})
        session.execute(
            sa.update(Batch)
            .where(Batch.key == key)
            .values(
                status=BatchStatus.COMPLETE,
                rows_complete=s.get("complete", 0),
                rows_error=s.get("error", 0),
                rows_filtered=s.get("filtered", 0),
                error_counts=s.get("error_counts") or {},
                results=s.get("results"),
                writes=s.get("writes"),
                finished_at=NOW,
                duration_seconds=s.get("duration_seconds"),
            )
        )


def expired_batches(session: Session, q: QueueSpec, limit: int = 100) -> list[str]:
    """Batch keys that hold rows whose lease has passed."""
    stmt = (
        sa.select(q.col("batch"))
        .where(q.col("status") == PS.PROCESSING, q.col("lease_until") < NOW)
        .group_by(q.col("batch"))
        .limit(limit)
    )
    return [k for k in session.execute(stmt).scalars() if k]


@dataclass(frozen=True)
class Requeued:
    requeued: int
    errored: int


def requeue(session: Session, q: QueueSpec, key: str, reason: str) -> Requeued:
    """Return a dead batch's unfinished rows to Queued, or to Error once out of attempts."""
    status, attempts = q.col("status"), q.col("attempts")
    base = sa.update(q.table).where(q.col("batch") == key, status == PS.PROCESSING)
    reason = reason[:2000]
    errored = session.execute(
        base.where(attempts >= q.max_attempts).values(
            {
                status: PS.ERROR.value,
                q.col("error"): f"{reason} (gave up after {q.max_attempts} attempts)",
                q.col("lease_until"): None,
                q.col("finished_at"): NOW,
            }
        )
    ).rowcount
    requeued = session.execute(
        base.where(attempts < q.max_attempts).values(
            {
                status: PS.QUEUED.value,
                q.col("error"): reason,
                q.col("batch"): None,
                q.col("lease_until"): None,
                q.col("queued_at"): NOW,
            }
        )
    ).rowcount
    session.execute(
        sa.update(Batch)
        .where(Batch.key == key, Batch.status.in_([BatchStatus.CLAIMED, BatchStatus.RUNNING]))
        .values(status=BatchStatus.REQUEUED, last_error=reason, finished_at=NOW)
    )
    return Requeued(requeued, errored)


def depth(session: Session, q: QueueSpec) -> dict[str, int]:
    """Row counts per status of the stage (NULL = never queued is left out)."""
    status = q.col("status")
    stmt = sa.select(status, sa.func.count()).where(status.is_not(None)).group_by(status)
    return {s: n for s, n in session.execute(stmt)}
