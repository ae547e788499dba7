"""Contact writes and the per-domain context contact stages need (name, region for phone parsing)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .bulk import ContactRow, chunks, upsert_contacts
from .models import Domain, LocalBusiness


@dataclass(frozen=True, slots=True)
class DomainContext:
    domain: str
    region: str | None  # ISO 3166 alpha-2 of the business behind the domain, when known


def domain_context(session: Session, ids: Iterable[int]) -> dict[int, DomainContext]:
    rows = session.execute(
        sa.select(Domain.id, Domain.domain, LocalBusiness.country)
        .outerjoin(LocalBusiness, LocalBusiness.id == Domain.local_business_id)
        .where(Domain.id.in_(list(set(ids))))
    )
    return {r.id: DomainContext(r.domain, (r.country or "").upper()[:2] or None) for r in rows}


@dataclass
class ContactsWrite:
    """Contacts found by a batch, upserted (unique per domain + email) with the row statuses."""

    rows: Sequence[ContactRow]

    def persist(self, session: Session) -> dict[str, int]:
        inserted = updated = 0
        for chunk in chunks(list(self.rows)):
            i, u = upsert_contacts(session, chunk)
            inserted, updated = inserted + i, updated + u
        return {"contacts_new": inserted, "contacts_seen_again": updated}


def crawl_seeds(session: Session, domain_ids: Iterable[int], per_domain: int = 50) -> dict[int, list[str]]:
    """Imported pages worth visiting first in a crawl: contact-like categories, most confident first."""
    from .models import Page

    ranked = (
        sa.select(Page.domain_id, Page.url,
                  sa.func.row_number().over(partition_by=Page.domain_id,
                                            order_by=(Page.confidence.desc().nulls_last(), Page.depth, Page.id))
                  .label("rank"))
        .where(Page.domain_id.in_(list(set(domain_ids))), Page.category.in_(("contact", "about", "team", "legal")),
               Page.scrape_status.is_distinct_from("Filtered"))
        .subquery()
    )
    out: dict[int, list[str]] = {}
    for domain_id, url in session.execute(sa.select(ranked.c.domain_id, ranked.c.url).where(ranked.c.rank <= per_domain)):
        out.setdefault(domain_id, []).append(url)
    return out


@dataclass
class QueueCrawls:
    """Policy follow-up: queue the email crawl of these domains (only those without a usable sitemap,
    whose pages no import will bring, unless `always`)."""

    domain_ids: list[int]
    always: bool = False
    stage: str = "email_crawl"

    def persist(self, session: Session) -> int:
        from . import queue
        from .stages import QUEUES

        ids = self.domain_ids
        if ids and not self.always:
            ids = session.execute(sa.select(Domain.id).where(
                Domain.id.in_(ids), sa.func.coalesce(Domain.sitemap_count, 0) == 0)).scalars().all()
        return queue.enqueue(session, QUEUES["email_crawl"], ids)
