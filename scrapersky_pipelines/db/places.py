"""Writes of the Places stages: new searches, place and local-business upserts, website-domain links.

Upserts are set-based and chunked, keyed by Google's place id, and only ever touch data columns:
curation and queue columns of an existing row survive every refresh (the original system reset
them on each re-scan). The `*Write` classes are side writes committed with a batch's row statuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session

from . import queue
from .enums import CurationStatus
from .enums import ProcessingStatus as PS
from .models import Domain, LocalBusiness, Place, PlaceSearch
from .stages import QUEUES
from .submit import insert_domains

CHUNK = 500
NOW = sa.func.now()


# ----- WF1: searches ---------------------------------------------------------------------


MAX_RESULTS = 60
MAX_RADIUS_KM = 50.0


class InvalidSearch(ValueError):
    """A search that cannot be queued; the message says why."""


@dataclass
class SearchRequest:
    """A places search to queue; persisted as one `place_searches` row (search_status Queued)."""

    business_type: str
    location: str
    radius_km: float | None = None
    lat: float | None = None
    lng: float | None = None
    max_results: int = MAX_RESULTS
    search_id: int | None = field(default=None, init=False)

    @classmethod
    def build(
        cls,
        business_type: str,
        location: str,
        *,
        radius_km: float | None = None,
        lat: float | None = None,
        lng: float | None = None,
        max_results: int | None = None,
    ) -> "SearchRequest":
        """Validated and whitespace-normalised; raises InvalidSearch."""
        business_type, location = " ".join(business_type.split()), " ".join(location.split())
        if not business_type:
            raise InvalidSearch("business type is empty")
        if not location:
            raise InvalidSearch("location is empty")
        if len(business_type) > 200 or len(location) > 300:
            raise InvalidSearch("business type (200) or location (300) too long")
        if radius_km is not None and not (0 < radius_km <= MAX_RADIUS_KM):
            raise InvalidSearch(f"radius must be above 0 and at most {MAX_RADIUS_KM:g} km")
        if (lat is None) != (lng is None):
            raise InvalidSearch("give lat and lng together")
        if lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise InvalidSearch(f"invalid coordinates {lat}, {lng}")
        limit = MAX_RESULTS if max_results is None else max_results
        if not 1 <= limit <= MAX_RESULTS:
            raise InvalidSearch(f"max results must be between 1 and {MAX_RESULTS} (Google's limit)")
        return cls(business_type, location, radius_km, lat, lng, limit)

    def persist(self, session: Session) -> dict[str, int]:
        self.search_id = create_search(session, self)
        return {"search_id": self.search_id}


def create_search(session: Session, request: SearchRequest) -> int:
    stmt = (
        sa.insert(PlaceSearch)
        .values(
            business_type=request.business_type,
            location=request.location,
            radius_km=request.radius_km,
            lat=request.lat,
            lng=request.lng,
            max_results=request.max_results,
            search_status=PS.QUEUED.value,
            search_queued_at=NOW,
        )
        .returning(PlaceSearch.id)
    )
    return int(session.execute(stmt).scalar_one())


@dataclass(frozen=True, slots=True)
class PlaceRow:
    place_id: str
    name: str
    formatted_address: str | None
    business_type: str | None
    primary_type: str | None
    types: list[str]
    lat: float | None
    lng: float | None
    rating: float | None
    user_ratings_total: int | None
    price_level: int | None
    business_status: str | None
    search_id: int | None
    search_query: str | None
    search_location: str | None
    raw: dict[str, Any]


PLACE_DATA = (
    "name", "formatted_address", "business_type", "primary_type", "types", "lat", "lng", "rating",
    "user_ratings_total", "price_level", "business_status", "search_id", "search_query",
    "search_location", "raw",
)


@dataclass(frozen=True, slots=True)
class Upserted:
    inserted: int
    updated: int


def _last_per_key(rows: Sequence[Any], key: str) -> list[Any]:
    """One row per key (the last wins): ON CONFLICT DO UPDATE cannot touch a row twice in one statement."""
    return list({getattr(r, key): r for r in rows}.values())


def _upsert(session: Session, model: Any, rows: Sequence[Any], columns: Sequence[str]) -> Upserted:
    inserted = updated = 0
    unique = _last_per_key(rows, "place_id")
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start:start + CHUNK]
        stmt = insert(model).values(
            [{"place_id": r.place_id, **{c: getattr(r, c) for c in columns}} for r in chunk]
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["place_id"],
            set_={**{c: stmt.excluded[c] for c in columns}, "updated_at": NOW},
        ).returning(sa.literal_column("xmax = 0"))
        flags = list(session.execute(stmt).scalars())
        inserted += sum(1 for f in flags if f)
        updated += sum(1 for f in flags if not f)
    return Upserted(inserted, updated)


def upsert_places(session: Session, rows: Sequence[PlaceRow]) -> Upserted:
    """Insert new places (curation New); refresh search fields and raw JSON of known ones."""
    return _upsert(session, Place, rows, PLACE_DATA)


@dataclass
class PlaceUpsert:
    """Side write of a search batch: the places its searches found."""

    rows: list[PlaceRow] = field(default_factory=list)

    def persist(self, session: Session) -> dict[str, int]:
        result = upsert_places(session, self.rows)
        return {"places_inserted": result.inserted, "places_updated": result.updated}


# ----- WF2: deep scan --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BusinessRow:
    place_id: str
    business_name: str | None
    full_address: str | None
    street_address: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    country: str | None
    national_phone: str | None
    international_phone: str | None
    website_url: str | None
    rating: float | None
    reviews_count: int | None
    primary_category: str | None
    categories: list[str]
    price_level: int | None
    lat: float | None
    lng: float | None
    timezone: str | None
    utc_offset_minutes: int | None
    opening_hours: dict[str, str]
    business_status: str | None
    raw: dict[str, Any]


BUSINESS_DATA = tuple(f.name for f in fields(BusinessRow) if f.name != "place_id")


def upsert_businesses(session: Session, rows: Sequence[BusinessRow]) -> Upserted:
    """Insert or refresh local businesses by place id; curation, extraction state and domain link are kept."""
    return _upsert(session, LocalBusiness, rows, BUSINESS_DATA)


def _extracted_websites(session: Session, place_ids: Sequence[str]) -> dict[str, tuple[int, str | None]]:
    """(id, website) of the Selected businesses among `place_ids` whose extraction has ended."""
    rows = session.execute(
        sa.select(LocalBusiness.place_id, LocalBusiness.id, LocalBusiness.website_url).where(
            LocalBusiness.place_id.in_(list(place_ids)),
            LocalBusiness.curation_status == CurationStatus.SELECTED.value,
            LocalBusiness.extraction_status.in_([PS.COMPLETE.value, PS.ERROR.value]),
        )
    )
    return {r.place_id: (r.id, r.website_url) for r in rows}


@dataclass
class BusinessUpsert:
    """Side write of a deep-scan batch: the local businesses its places describe.

    A Selected business whose website changed since its domain was extracted is queued for
    extraction again, so the new site gets its domain (and the scans that follow).
    """

    rows: list[BusinessRow] = field(default_factory=list)

    def persist(self, session: Session) -> dict[str, int]:
        extracted = _extracted_websites(session, [r.place_id for r in self.rows])
        result = upsert_businesses(session, self.rows)
        changed = [extracted[r.place_id][0] for r in _last_per_key(self.rows, "place_id")
                   if r.place_id in extracted and (r.website_url or None) != (extracted[r.place_id][1] or None)]
        requeued = queue.enqueue(session, QUEUES["domain_extraction"], changed) if changed else 0
        return {"businesses_inserted": result.inserted, "businesses_updated": result.updated,
                "extraction_requeued_website_changed": requeued}


# ----- WF3: domain extraction ------------------------------------------------------------


@dataclass
class DomainLinks:
    """Side write of an extraction batch: (business id, domain) pairs to link.

    New domains are inserted Queued for the metadata scan; existing ones are only linked (and
    adopt the business when they have none), never re-queued. Only businesses still in one of
    `keys` are linked, like the status write that goes with it.
    """

    keys: list[str]
    links: list[tuple[int, str]] = field(default_factory=list)

    def persist(self, session: Session) -> dict[str, int]:
        if not self.links:
            return {"domains_inserted": 0, "domains_existing": 0}
        domains = list(dict.fromkeys(d for _, d in self.links))
        result = insert_domains(session, domains, source="places")
        pairs = sa.select(
            sa.func.unnest(sa.cast([b for b, _ in self.links], ARRAY(sa.BigInteger))).label("business_id"),
            sa.func.unnest(sa.cast([d for _, d in self.links], ARRAY(sa.String))).label("domain"),
        ).subquery("pairs")
        session.execute(
            sa.update(LocalBusiness)
            .where(
                LocalBusiness.id == pairs.c.business_id,
                Domain.domain == pairs.c.domain,
                LocalBusiness.extraction_batch.in_(self.keys),
            )
            .values(domain_id=Domain.id)
        )
        first_owner = (
            sa.select(pairs.c.domain, sa.func.min(pairs.c.business_id).label("business_id"))
            .group_by(pairs.c.domain)
            .subquery("owners")
        )
        session.execute(
            sa.update(Domain)
            .where(Domain.domain == first_owner.c.domain, Domain.local_business_id.is_(None))
            .values(local_business_id=first_owner.c.business_id)
        )
        return {"domains_inserted": result.inserted, "domains_existing": len(result.existing)}
