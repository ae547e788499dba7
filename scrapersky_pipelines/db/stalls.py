"""Queue stall detection: which stage queues hold rows that nobody is working on.

A queue is stalled when rows wait in Queued past a threshold while no batch of the stage has been
claimed for as long (the claim sensor is off, failing or gone), or when rows sit in Processing
past their lease plus a grace period (the reaper is not reaping), or belong to a batch claimed
longer ago than lease plus grace (a run that never ends keeps its lease extended). A deep queue
that is being drained is a backlog, not a stall. Ages come from the database clock.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .enums import ProcessingStatus as PS
from .models import Batch
from .stages import QueueSpec


@dataclass(frozen=True, slots=True)
class StallThresholds:
    """When waiting becomes a stall. Defaults: Queued 30 min without a claim; Processing 15 min
    past the lease, or a batch older than lease + 15 min."""

    queued_seconds: int = 30 * 60
    processing_grace_seconds: int = 15 * 60

    def __post_init__(self) -> None:
        if self.queued_seconds < 1 or self.processing_grace_seconds < 0:
            raise ValueError("stall thresholds must be positive")

    @classmethod
    def from_env(cls) -> "StallThresholds":
        """`SCRAPERSKY_STALL_QUEUED_MINUTES` / `SCRAPERSKY_STALL_PROCESSING_GRACE_MINUTES`, else defaults."""
        base = cls()
        queued = os.environ.get("SCRAPERSKY_STALL_QUEUED_MINUTES")
        grace = os.environ.get("SCRAPERSKY_STALL_PROCESSING_GRACE_MINUTES")
        return cls(
            queued_seconds=round(float(queued) * 60) if queued else base.queued_seconds,
            processing_grace_seconds=round(float(grace) * 60) if grace else base.processing_grace_seconds,
        )


@dataclass(frozen=True, slots=True)
class QueueHealth:
    """One stage queue at one moment; ages in seconds (None when there is nothing to age)."""

    stage: str
    queued: int
    queued_overdue: int
    oldest_queued_age: float | None
    last_claim_age: float | None
    processing: int
    processing_stuck: int
    oldest_processing_age: float | None
    thresholds: StallThresholds

    @property
    def queued_stalled(self) -> bool:
        """Overdue Queued rows and no claim of this stage within the threshold."""
        claimed_recently = self.last_claim_age is not None and self.last_claim_age < self.thresholds.queued_seconds
        return self.queued_overdue > 0 and not claimed_recently

    @property
    def processing_stalled(self) -> bool:
        return self.processing_stuck > 0

    @property
    def stalled(self) -> bool:
        return self.queued_stalled or self.processing_stalled

    def describe(self) -> str:
        """One line an operator can act on."""
        if not self.stalled:
            return f"{self.stage}: ok ({self.queued} queued, {self.processing} processing)"
        parts = []
        if self.queued_stalled:
            claim = "never" if self.last_claim_age is None else f"{_minutes(self.last_claim_age)} ago"
            parts.append(
                f"{self.queued_overdue} rows Queued for over {_minutes(self.thresholds.queued_seconds)} "
                f"(oldest {_minutes(self.oldest_queued_age)}), last batch claimed {claim}: "
                f"is the {self.stage}_sensor running?"
            )
        if self.processing_stalled:
            parts.append(
                f"{self.processing_stuck} rows Processing past lease + {_minutes(self.thresholds.processing_grace_seconds)} "
                f"(oldest {_minutes(self.oldest_processing_age)}): is lease_reaper running, or is a run hung?"
            )
        return f"{self.stage} STALLED: " + "; ".join(parts)

    def as_metadata(self) -> dict[str, float | int | str | bool]:
        return {
            "stalled": self.stalled,
            "queued": self.queued,
            "queued_overdue": self.queued_overdue,
            "oldest_queued_minutes": _round_minutes(self.oldest_queued_age),
            "last_claim_minutes": _round_minutes(self.last_claim_age),
            "processing": self.processing,
            "processing_stuck": self.processing_stuck,
            "oldest_processing_minutes": _round_minutes(self.oldest_processing_age),
            "queued_threshold_minutes": round(self.thresholds.queued_seconds / 60, 1),
            "processing_grace_minutes": round(self.thresholds.processing_grace_seconds / 60, 1),
        }


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds >= 5400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min"


def _round_minutes(seconds: float | None) -> float:
    return -1.0 if seconds is None else round(seconds / 60, 1)


def _seconds(n: int) -> sa.ColumnElement:
    return sa.literal_column(f"interval '{int(n)} seconds'")


def _age(column: sa.ColumnElement) -> sa.ColumnElement:
    return sa.func.extract("epoch", sa.func.now() - column)


def queue_health(session: Session, q: QueueSpec, thresholds: StallThresholds) -> QueueHealth:
    """Three indexed aggregate queries (partial queue/lease indexes, batches by stage and time)."""
    status, queued_at, lease = q.col("status"), q.col("queued_at"), q.col("lease_until")
    queued_cutoff = sa.func.now() - _seconds(thresholds.queued_seconds)
    queued, overdue, oldest_queued = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(queued_at < queued_cutoff),
            _age(sa.func.min(queued_at)),
        ).where(status == PS.QUEUED)
    ).one()

    grace = _seconds(thresholds.processing_grace_seconds)
    batch_age_limit = _seconds(q.lease_seconds + thresholds.processing_grace_seconds)
    since = sa.func.coalesce(Batch.started_at, Batch.created_at)
    # A Processing row without a lease is never reaped (expired_batches needs one): stuck by definition.
    stuck = lease.is_(None) | (lease < sa.func.now() - grace) | (since < sa.func.now() - batch_age_limit)
    processing, processing_stuck, oldest_processing = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(stuck),
            _age(sa.func.min(since)),
        )
        .select_from(q.table)
        .outerjoin(Batch, Batch.key == q.col("batch"))
        .where(status == PS.PROCESSING)
    ).one()

    last_claim = session.execute(
        sa.select(_age(sa.func.max(Batch.created_at))).where(Batch.stage == q.stage)
    ).scalar()
    return QueueHealth(
        stage=q.stage,
        queued=int(queued),
        queued_overdue=int(overdue),
        oldest_queued_age=_float(oldest_queued),
        last_claim_age=_float(last_claim),
        processing=int(processing),
        processing_stuck=int(processing_stuck),
        oldest_processing_age=_float(oldest_processing),
        thresholds=thresholds,
    )


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
