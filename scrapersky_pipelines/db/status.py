"""Read-only reports for operators: queue depth per stage and the top error reasons."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .enums import ProcessingStatus as PS
from .models import Domain
from .stages import QUEUES


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


def stage_status(session: Session, stage: str, submit_batch: str | None = None) -> StageStatus:
    q = QUEUES[stage]
    status = q.col("status")
    scope = []
    if submit_batch is not None:
        if q.model is not Domain:
            scope.append(sa.false())
        else:
            scope.append(Domain.submit_batch == submit_batch)
    counts = dict(
        session.execute(
            sa.select(status, sa.func.count()).where(status.is_not(None), *scope).group_by(status)
        ).all()
    )
    reason = sa.func.split_part(q.col("error"), ":", 1)
    top = session.execute(
        sa.select(reason, sa.func.count())
        .where(status == PS.ERROR, *scope)
        .group_by(reason)
        .order_by(sa.func.count().desc())
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
