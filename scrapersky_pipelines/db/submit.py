"""Set-based inserts of submitted entities; idempotent, chunked, queued for their first stage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from .enums import ProcessingStatus as PS
from .models import Domain

CHUNK = 5_000


@dataclass
class Inserted:
    inserted: int
    existing: list[str]
    requeued: int = 0


def insert_domains(
    session: Session,
    domains: Sequence[str],
    *,
    source: str = "submitted",
    batch_name: str | None = None,
    queue_scan: bool = True,
    rescan_existing: bool = False,
) -> Inserted:
    """Insert new domains (Queued for the metadata scan); report those already present."""
    inserted: set[str] = set()
    for start in range(0, len(domains), CHUNK):
        chunk = list(domains[start:start + CHUNK])
        values = {
            "domain": sa.func.unnest(sa.cast(chunk, sa.ARRAY(sa.String))),
        }
        stmt = insert(Domain).from_select(
            ["domain", "source", "submit_batch", "scan_status", "scan_queued_at"],
            sa.select(
                values["domain"],
                sa.literal(source),
                sa.literal(batch_name, sa.String),
                sa.literal(PS.QUEUED.value if queue_scan else None, sa.String),
                sa.func.now() if queue_scan else sa.null(),
            ),
        ).on_conflict_do_nothing(index_elements=["domain"]).returning(Domain.domain)
        inserted.update(session.execute(stmt).scalars())
    existing = [d for d in domains if d not in inserted]
    requeued = 0
    if existing and (rescan_existing or batch_name):
        ids = session.execute(sa.select(Domain.id).where(Domain.domain.in_(existing))).scalars().all()
        if batch_name:
            session.execute(sa.update(Domain).where(Domain.id.in_(ids)).values(submit_batch=batch_name))
        if rescan_existing:
            from . import queue
            from .stages import QUEUES

            requeued = queue.enqueue(session, QUEUES["domain_scan"], ids)
    return Inserted(len(inserted), existing, requeued)


@dataclass
class DomainSubmission:
    """Validated domains to insert; persisted by the IO manager in one transaction."""

    domains: list[str]
    source: str = "submitted"
    batch_name: str | None = None
    rescan_existing: bool = False

    def persist(self, session: Session) -> dict[str, int]:
        result = insert_domains(
            session, self.domains, source=self.source, batch_name=self.batch_name,
            rescan_existing=self.rescan_existing,
        )
        return {"inserted": result.inserted, "already_present": len(result.existing), "requeued": result.requeued}


def _domain_ids(session: Session, domains: Sequence[str], batch_name: str | None) -> dict[str, int]:
    """Ids of these domains, inserting missing ones unqueued (a submitted URL says nothing about a scan)."""
    insert_domains(session, sorted(set(domains)), source="submitted_url", batch_name=batch_name, queue_scan=False)
    rows = session.execute(sa.select(Domain.id, Domain.domain).where(Domain.domain.in_(set(domains))))
    return {r.domain: r.id for r in rows}


def insert_urls(
    session: Session, kind: str, urls: Sequence[tuple[str, str]], *, batch_name: str | None = None,
) -> Inserted:
    """Insert submitted sitemap or page URLs, given as (url, domain) pairs, each queued for its stage
    (sitemap import or page scrape). Known URLs are queued again unless already queued or in flight."""
    from . import queue
    from .models import Page, SitemapFile
    from .stages import QUEUES

    model, stage, extra = {
        "sitemaps": (SitemapFile, "sitemap_import", {"discovery_method": "submitted"}),
        "pages": (Page, "page_scrape", {"source": "submitted"}),
    }[kind]
    ids = _domain_ids(session, [d for _, d in urls], batch_name)
    inserted: set[str] = set()
    all_ids: list[int] = []
    for start in range(0, len(urls), CHUNK):
        chunk = urls[start:start + CHUNK]
        rows = [{"domain_id": ids[d], "url": u, **extra} for u, d in chunk]
        new = session.execute(
            insert(model).values(rows).on_conflict_do_nothing(index_elements=["domain_id", "url"])
            .returning(model.id, model.url)
        ).all()
        inserted.update(r.url for r in new)
        all_ids += session.execute(
            sa.select(model.id).where(sa.tuple_(model.domain_id, model.url).in_([(r["domain_id"], r["url"]) for r in rows]))
        ).scalars().all()
    queued = queue.enqueue(session, QUEUES[stage], all_ids)
    existing = [u for u, _ in urls if u not in inserted]
    return Inserted(len(inserted), existing, max(queued - len(inserted), 0))
