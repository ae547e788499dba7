"""Set-based bulk writes: COPY into a transaction-scoped temp table, then one INSERT ... ON CONFLICT.

The temp table is created `ON COMMIT DROP` inside the caller's transaction, so nothing outlives it
and the pattern is safe behind a transaction-mode pooler.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from .enums import ContactScrapeStatus, ProcessingStatus as PS

CHUNK_ROWS = 5_000


def _copy(session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cur:
        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


@dataclass(frozen=True, slots=True)
class PageRow:
    domain_id: int
    url: str
    sitemap_file_id: int | None
    lastmod: datetime | None
    category: str
    confidence: float
    depth: int
    filter_reason: str | None
    queue_scrape: bool
    filtered: bool
    source: str = "sitemap"


PAGE_COLUMNS = (
    "domain_id", "url", "sitemap_file_id", "lastmod", "category", "confidence", "depth",
    "filter_reason", "scrape_status", "source",
)


def upsert_pages(session: Session, rows: Sequence[PageRow]) -> tuple[int, int]:
    """Insert pages (unique per domain + url); refresh lastmod on known ones. Returns (inserted, updated)."""
    if not rows:
        return 0, 0
    conn = session.connection()
    conn.exec_driver_sql(
        "CREATE TEMP TABLE tmp_pages (domain_id bigint, url text, sitemap_file_id bigint, "
        "lastmod timestamptz, category text, confidence float8, depth int, filter_reason text, "
        "scrape_status text, source text) ON COMMIT DROP"
    )
    _copy(
        session, "tmp_pages", PAGE_COLUMNS,
        (
            (r.domain_id, r.url, r.sitemap_file_id, r.lastmod, r.category, r.confidence, r.depth,
             r.filter_reason,
             PS.FILTERED.value if r.filtered else (PS.QUEUED.value if r.queue_scrape else None), r.source)
            for r in rows
        ),
    )
    result = conn.exec_driver_sql(
        f"""
        INSERT INTO pages ({', '.join(PAGE_COLUMNS)}, scrape_queued_at)
        SELECT DISTINCT ON (domain_id, url) {', '.join(PAGE_COLUMNS)},
               CASE WHEN scrape_status = '{PS.QUEUED.value}' THEN now() END
        FROM tmp_pages ORDER BY domain_id, url
        ON CONFLICT (domain_id, url) DO UPDATE
           SET lastmod = COALESCE(EXCLUDED.lastmod, pages.lastmod),
               sitemap_file_id = COALESCE(pages.sitemap_file_id, EXCLUDED.sitemap_file_id),
               updated_at = now()
        RETURNING (xmax = 0) AS inserted
        """
    ).all()
    inserted = sum(1 for (flag,) in result if flag)
    return inserted, len(result) - inserted


@dataclass(frozen=True, slots=True)
class ContactRow:
    domain_id: int
    email: str
    email_kind: str | None
    page_id: int | None
    source_url: str | None
    phone: str | None
    name: str | None
    found_by: str | None


CONTACT_COLUMNS = ("domain_id", "email", "email_kind", "page_id", "source_url", "phone", "name", "found_by")


def upsert_contacts(session: Session, rows: Sequence[ContactRow]) -> tuple[int, int]:
    """Contacts unique per domain + email; first-seen kept, last-seen, phone and name refreshed."""
    if not rows:
        return 0, 0
    conn = session.connection()
    conn.exec_driver_sql(
        "CREATE TEMP TABLE tmp_contacts (domain_id bigint, email text, email_kind text, page_id bigint, "
        "source_url text, phone text, name text, found_by text) ON COMMIT DROP"
    )
    _copy(session, "tmp_contacts", CONTACT_COLUMNS,
          ((r.domain_id, r.email, r.email_kind, r.page_id, r.source_url, r.phone, r.name, r.found_by) for r in rows))
    result = conn.exec_driver_sql(
        f"""
        INSERT INTO contacts ({', '.join(CONTACT_COLUMNS)})
        SELECT DISTINCT ON (domain_id, lower(email)) {', '.join(CONTACT_COLUMNS)}
        FROM tmp_contacts ORDER BY domain_id, lower(email), (phone IS NULL), (name IS NULL)
        ON CONFLICT (domain_id, email) DO UPDATE
           SET last_seen_at = now(),
               phone = COALESCE(EXCLUDED.phone, contacts.phone),
               name = COALESCE(EXCLUDED.name, contacts.name),
               email_kind = COALESCE(EXCLUDED.email_kind, contacts.email_kind),
               updated_at = now()
        RETURNING (xmax = 0) AS inserted
        """
    ).all()
    inserted = sum(1 for (flag,) in result if flag)
    return inserted, len(result) - inserted


def chunks(rows: Sequence, size: int = CHUNK_ROWS) -> Iterable[Sequence]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


__all__ = ["PageRow", "ContactRow", "upsert_pages", "upsert_contacts", "chunks", "ContactScrapeStatus"]
