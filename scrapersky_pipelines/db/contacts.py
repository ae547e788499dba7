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
