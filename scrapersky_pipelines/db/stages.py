"""Queue specs: which table and which column prefix hold each stage's work queue."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from .models import Base, Domain, LocalBusiness, Page, Place, PlaceSearch, SitemapFile


@dataclass(frozen=True)
class QueueSpec:
    """One stage's queue: rows of `model` whose `<prefix>_status` is Queued."""

    stage: str
    model: type[Base]
    prefix: str
    load_columns: tuple[str, ...] = ("id",)
    max_attempts: int = 3
    lease_seconds: int = 900
    description: str = field(default="", compare=False)

    @property
    def table(self) -> sa.Table:
        return self.model.__table__

    def col(self, suffix: str) -> sa.Column:
        return self.table.c[f"{self.prefix}_{suffix}"]


QUEUES: dict[str, QueueSpec] = {
    spec.stage: spec
    for spec in (
        QueueSpec("place_search", PlaceSearch, "search",
                  ("id", "business_type", "location", "radius_km", "lat", "lng", "max_results")),
        QueueSpec("deep_scan", Place, "deep_scan", ("id", "place_id")),
        QueueSpec("domain_extraction", LocalBusiness, "extraction", ("id", "place_id", "website_url")),
        QueueSpec("domain_scan", Domain, "scan", ("id", "domain")),
        QueueSpec("sitemap_discovery", Domain, "sitemap", ("id", "domain", "final_url", "meta", "last_scanned_at")),
        QueueSpec("sitemap_import", SitemapFile, "import", ("id", "domain_id", "url")),
        QueueSpec("page_scrape", Page, "scrape", ("id", "domain_id", "url")),
        QueueSpec("email_crawl", Domain, "crawl", ("id", "domain")),
    )
}
