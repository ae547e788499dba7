"""Sitemap writes: discovered files per domain, child sitemaps found by an import, import queueing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from . import queue
from .models import Domain, SitemapFile
from .stages import QUEUES

# Kinds whose URLs are pages; an index is walked by discovery, not imported.
IMPORTABLE_KINDS = ("urlset", "text", "rss", "atom")
FILE_COLUMNS = (
    "kind", "discovery_method", "http_status", "final_url", "size_bytes", "is_gzip", "url_count",
    "has_images", "has_videos", "has_news", "has_lastmod", "has_priority", "has_changefreq",
    "generator", "error",
)


def _upsert_files() -> Any:
    stmt = insert(SitemapFile.__table__)
    return stmt.on_conflict_do_update(
        constraint="uq_sitemap_files_domain_url",
        set_={**{c: stmt.excluded[c] for c in FILE_COLUMNS}, "updated_at": sa.func.now()},
    ).returning(SitemapFile.__table__.c.id, SitemapFile.__table__.c.url)


# Built once and executed with one parameter set per file: SQLAlchemy compiles it once (its cache)
# and batches the rows, where a VALUES list per domain was compiled afresh for every domain.
_UPSERT_FILES = _upsert_files()


def domain_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    rows = session.execute(sa.select(Domain.id, Domain.domain).where(Domain.id.in_(list(set(ids)))))
    return {r.id: r.domain for r in rows}


@dataclass
class DiscoveredSitemaps:
    """The sitemap files found for one domain: upserted by (domain, url), parents linked by URL."""

    domain_id: int
    files: Sequence[dict[str, Any]]  # FILE_COLUMNS plus "url" and "parent_url"

    def persist(self, session: Session) -> dict[str, int]:
        if not self.files:
            return {"sitemap_files": 0}
        values = [
            {"domain_id": self.domain_id, "url": f["url"], **{c: f.get(c) for c in FILE_COLUMNS}}
            for f in self.files
        ]
        ids = {r.url: r.id for r in session.connection().execute(_UPSERT_FILES, values)}
        for f in self.files:  # a parent is named by the URL it was finally served from
            if f.get("final_url") and f["url"] in ids:
                ids.setdefault(f["final_url"], ids[f["url"]])
        links = [
            {"child": ids[f["url"]], "parent": ids[f["parent_url"]]}
            for f in self.files if f.get("parent_url") in ids and f["parent_url"] != f["url"]
        ]
        if links:
            table = SitemapFile.__table__
            session.connection().execute(
                sa.update(table).where(table.c.id == sa.bindparam("child")).values(parent_id=sa.bindparam("parent")),
                links,
            )
        return {"sitemap_files": len(self.files)}


@dataclass
class ChildSitemaps:
    """Children of an index met during import: new ones are stored and queued; known ones are left alone,
    so an index listing itself or an ancestor cannot loop."""

    domain_id: int
    parent_id: int
    urls: Sequence[str]
    queue_import: bool = True

    def persist(self, session: Session) -> dict[str, int]:
        if not self.urls:
            return {}
        rows = [
            {"domain_id": self.domain_id, "url": u, "parent_id": self.parent_id, "discovery_method": "index"}
            for u in dict.fromkeys(self.urls)
        ]
        new = session.execute(
            insert(SitemapFile).values(rows).on_conflict_do_nothing(constraint="uq_sitemap_files_domain_url")
            .returning(SitemapFile.id)
        ).scalars().all()
        queued = queue.enqueue(session, QUEUES["sitemap_import"], new) if self.queue_import else 0
        return {"child_sitemaps": len(new), "queued_sitemap_import": queued}


@dataclass
class QueueImports:
    """Policy follow-up of discovery: queue the importable, error-free files of these domains."""

    domain_ids: list[int]
    kinds: Sequence[str] = field(default=IMPORTABLE_KINDS)
    stage: str = "sitemap_import"

    def persist(self, session: Session) -> int:
        if not self.domain_ids:
            return 0
        ids = session.execute(
            sa.select(SitemapFile.id).where(
                SitemapFile.domain_id.in_(self.domain_ids), SitemapFile.kind.in_(list(self.kinds)),
                SitemapFile.error.is_(None),
            )
        ).scalars().all()
        return queue.enqueue(session, QUEUES["sitemap_import"], ids)
