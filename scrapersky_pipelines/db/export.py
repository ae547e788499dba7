"""Tabular export of any entity as a pandas DataFrame, filtered by domain and free text."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import Contact, Domain, LocalBusiness, Page, Place, PlaceSearch, SitemapFile

ENTITIES: dict[str, type] = {
    "contacts": Contact, "domains": Domain, "pages": Page, "sitemaps": SitemapFile,
    "places": Place, "businesses": LocalBusiness, "searches": PlaceSearch,
}
# Free-text search looks in these columns of each entity.
SEARCH_COLUMNS = {
    "contacts": ("email", "name", "phone", "source_url"), "domains": ("domain", "title", "description"),
    "pages": ("url", "title", "category"), "sitemaps": ("url", "kind"),
    "places": ("name", "formatted_address", "business_type"),
    "businesses": ("business_name", "full_address", "city", "website_url"),
    "searches": ("business_type", "location"),
}


def export_frame(session: Session, entity: str, *, domain: str | None = None, search: str | None = None,
                 limit: int | None = None) -> pd.DataFrame:
    """Rows of `entity` (see ENTITIES); contacts, pages and sitemaps carry their domain's name."""
    model = ENTITIES[entity]
    table = model.__table__
    columns = [c for c in table.c if c.name != "raw"]
    stmt = sa.select(*columns)
    if "domain_id" in table.c:
        stmt = stmt.add_columns(Domain.domain).join(Domain, Domain.id == table.c.domain_id)
    if domain:
        stmt = stmt.where((Domain.domain if "domain_id" in table.c else table.c.domain) == domain.lower())
    if search:
        stmt = stmt.where(sa.or_(*(table.c[c].icontains(search, autoescape=True) for c in SEARCH_COLUMNS[entity])))
    stmt = stmt.order_by(table.c.id)
    if limit:
        stmt = stmt.limit(limit)
    return pd.read_sql(stmt, session.connection())
