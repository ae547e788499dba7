"""robots.txt answers kept between runs: loaded for a batch's hosts, saved with its results."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from scrapersky_pipelines.lib.robots_cache import MAX_AGE_SECONDS, RobotsFile

from .models import RobotsFile as RobotsRow

_COLUMNS = ("host", "http_status", "content", "final_url", "fetched_at")


def _upsert() -> sa.Insert:
    stmt = insert(RobotsRow.__table__)
    # A run that fetched earlier than the stored answer must not overwrite it.
    return stmt.on_conflict_do_update(
        index_elements=["origin"],
        set_={c: stmt.excluded[c] for c in _COLUMNS},
        where=RobotsRow.__table__.c.fetched_at < stmt.excluded.fetched_at,
    )


_UPSERT = _upsert()


def load_robots(session: Session, hosts: Iterable[str], max_age_seconds: float = MAX_AGE_SECONDS) -> list[RobotsFile]:
    """The kept answers of every origin on ``hosts`` fetched within ``max_age_seconds``."""
    hosts = sorted(set(hosts))
    if not hosts or max_age_seconds <= 0:
        return []
    since = datetime.now(UTC) - timedelta(seconds=max_age_seconds)
    rows = session.execute(
        sa.select(RobotsRow).where(RobotsRow.host.in_(hosts), RobotsRow.fetched_at >= since)
    ).scalars()
    return [RobotsFile(r.origin, r.http_status, r.content, r.final_url, r.fetched_at) for r in rows]


@dataclass
class SaveRobots:
    """robots.txt files a run fetched, upserted by origin (newest answer wins)."""

    files: list[RobotsFile]

    def persist(self, session: Session) -> dict[str, int]:
        latest: dict[str, RobotsFile] = {}
        for f in self.files:
            if f.origin not in latest or latest[f.origin].fetched_at < f.fetched_at:
                latest[f.origin] = f
        if not latest:
            return {}
        # Sorted, so two runs saving the same origins lock them in the same order (no deadlock).
        values = [
            {"origin": f.origin, "host": f.host, "http_status": f.status, "content": f.content,
             "final_url": f.final_url, "fetched_at": f.fetched_at}
            for f in sorted(latest.values(), key=lambda f: f.origin)
        ]
        session.connection().execute(_UPSERT, values)
        return {"robots_files": len(values)}
