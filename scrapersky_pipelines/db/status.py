"""Read-only reports for operators: queue depth per stage and the top error reasons."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .enums import ProcessingStatus as PS
from .models import Domain, Page, SitemapFile
from .stages import QUEUES, QueueSpec


@dataclass
class StageStatus:
    stage: str
    queued: int
    in_flight: int
    complete: int
    error: int
    filtered: int
    top_errors: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return self.queued + self.in_flight + self.complete + self.error + self.filtered


def _scope(q: QueueSpec, submit_batch: str | None) -> list[sa.ColumnElement[bool]]:
    """A submission's rows in this stage: its domains, and the sitemap files and pages they led to
    (a sitemap or page submission names its domains too). The places stages precede domains."""
    if submit_batch is None:
        return []
    if q.model is Domain:
        return [Domain.submit_batch == submit_batch]
    if q.model in (SitemapFile, Page):
        return [q.table.c.domain_id.in_(sa.select(Domain.id).where(Domain.submit_batch == submit_batch))]
    return [sa.false()]


def stage_status(session: Session, stage: str, submit_batch: str | None = None) -> StageStatus:
    q = QUEUES[stage]
    status = q.col("status")
    scope = _scope(q, submit_batch)
    counts = dict(
        session.execute(
            sa.select(status, sa.func.count()).where(status.is_not(None), *scope).group_by(status)
        ).all()
    )
    # The error's kind; "run <id> failed" (a failed run's rows) is one reason, not one per run.
    reason = sa.func.regexp_replace(sa.func.split_part(q.col("error"), ":", 1), r"^run \S+ failed$", "run failed")
    top = session.execute(
        sa.select(reason, sa.func.count())
        .where(status == PS.ERROR, *scope)
        .group_by(reason)
        .order_by(sa.func.count().desc(), reason)
        .limit(5)
    ).all()
    return StageStatus(
        stage,
        counts.get(PS.QUEUED, 0),
        counts.get(PS.PROCESSING, 0),
        counts.get(PS.COMPLETE, 0),
        counts.get(PS.ERROR, 0),
        counts.get(PS.FILTERED, 0),
        [(r or "unknown", n) for r, n in top],
    )


def all_stages(session: Session, submit_batch: str | None = None) -> list[StageStatus]:
    return [stage_status(session, s, submit_batch) for s in QUEUES]
