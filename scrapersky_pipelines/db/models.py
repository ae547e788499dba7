"""SQLAlchemy 2.0 typed models for every table of the pipeline.

Each stage's input table carries the stage columns (status, error, attempts, lease, batch key,
queued/finished times) under the stage's prefix; see `StageColumns`. Relationships are absent on
purpose: every read is an explicit query, so lazy loading (and MissingGreenlet) cannot happen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from .enums import BatchStatus, ContactScrapeStatus, CurationStatus, ProcessingStatus

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def status_type(enum: type, name: str) -> sa.Enum:
    """A VARCHAR + CHECK column that stores the enum's values (never member names)."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSONB, list[str]: ARRAY(sa.Text)}


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )


def StageColumns(prefix: str) -> type:
    """Mixin with one stage's queue columns, named `<prefix>_status`, `<prefix>_error`, ..."""

    def col(factory):
        return declared_attr(lambda cls: factory())

    attrs = {
        f"{prefix}_status": col(
            lambda: mapped_column(status_type(ProcessingStatus, f"{prefix}_status"), nullable=True)
        ),
        f"{prefix}_error": col(lambda: mapped_column(sa.Text, nullable=True)),
        f"{prefix}_attempts": col(lambda: mapped_column(sa.Integer, nullable=False, server_default="0")),
        f"{prefix}_lease_until": col(lambda: mapped_column(sa.DateTime(timezone=True), nullable=True)),
        f"{prefix}_batch": col(lambda: mapped_column(sa.String(80), nullable=True, index=True)),
        f"{prefix}_queued_at": col(lambda: mapped_column(sa.DateTime(timezone=True), nullable=True)),
        f"{prefix}_finished_at": col(lambda: mapped_column(sa.DateTime(timezone=True), nullable=True)),
    }
    return type(f"{prefix.title()}StageColumns", (), attrs)


def queue_index(table: str, prefix: str) -> sa.Index:
    """Partial index that makes "Queued rows of this stage, oldest first" an index scan."""
    return sa.Index(
        f"ix_{table}_{prefix}_queue",
        f"{prefix}_queued_at",
        "id",
        postgresql_where=sa.text(f"{prefix}_status = 'Queued'"),
    )


def lease_index(table: str, prefix: str) -> sa.Index:
    """Partial index for the reaper: rows in flight, by lease deadline."""
    return sa.Index(
        f"ix_{table}_{prefix}_lease",
        f"{prefix}_lease_until",
        postgresql_where=sa.text(f"{prefix}_status = 'Processing'"),
    )


def curation_column() -> Mapped[CurationStatus]:
    return mapped_column(
        status_type(CurationStatus, "curation_status"),
        nullable=False,
        server_default=CurationStatus.NEW.value,
    )


class PlaceSearch(StageColumns("search"), Timestamps, Base):
    __tablename__ = "place_searches"
    __table_args__ = (queue_index("place_searches", "search"), lease_index("place_searches", "search"))

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    business_type: Mapped[str] = mapped_column(sa.String(200))
    location: Mapped[str] = mapped_column(sa.String(300))
    radius_km: Mapped[float | None] = mapped_column(sa.Float)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lng: Mapped[float | None] = mapped_column(sa.Float)
    max_results: Mapped[int] = mapped_column(sa.Integer, server_default="60")
    places_found: Mapped[int | None] = mapped_column(sa.Integer)
    pages_fetched: Mapped[int | None] = mapped_column(sa.Integer)
    warnings: Mapped[list[str] | None] = mapped_column(ARRAY(sa.Text))


class Place(StageColumns("deep_scan"), Timestamps, Base):
    __tablename__ = "places"
    __table_args__ = (queue_index("places", "deep_scan"), lease_index("places", "deep_scan"))

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    place_id: Mapped[str] = mapped_column(sa.String(300), unique=True)
    name: Mapped[str] = mapped_column(sa.Text)
    formatted_address: Mapped[str | None] = mapped_column(sa.Text)
    business_type: Mapped[str | None] = mapped_column(sa.String(200))
    primary_type: Mapped[str | None] = mapped_column(sa.String(200))
    types: Mapped[list[str] | None] = mapped_column(ARRAY(sa.Text))
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lng: Mapped[float | None] = mapped_column(sa.Float)
    rating: Mapped[float | None] = mapped_column(sa.Float)
    user_ratings_total: Mapped[int | None] = mapped_column(sa.Integer)
    price_level: Mapped[int | None] = mapped_column(sa.Integer)
    business_status: Mapped[str | None] = mapped_column(sa.String(40))
    search_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("place_searches.id", ondelete="SET NULL"), index=True
    )
    search_query: Mapped[str | None] = mapped_column(sa.Text)
    search_location: Mapped[str | None] = mapped_column(sa.Text)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    curation_status: Mapped[CurationStatus] = curation_column()


class LocalBusiness(StageColumns("extraction"), Timestamps, Base):
    __tablename__ = "local_businesses"
    __table_args__ = (
        queue_index("local_businesses", "extraction"),
        lease_index("local_businesses", "extraction"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    place_id: Mapped[str] = mapped_column(sa.String(300), unique=True)
    business_name: Mapped[str | None] = mapped_column(sa.Text)
    full_address: Mapped[str | None] = mapped_column(sa.Text)
    street_address: Mapped[str | None] = mapped_column(sa.Text)
    city: Mapped[str | None] = mapped_column(sa.String(200))
    state: Mapped[str | None] = mapped_column(sa.String(200))
    postal_code: Mapped[str | None] = mapped_column(sa.String(40))
    country: Mapped[str | None] = mapped_column(sa.String(8))
    national_phone: Mapped[str | None] = mapped_column(sa.String(60))
    international_phone: Mapped[str | None] = mapped_column(sa.String(60))
    website_url: Mapped[str | None] = mapped_column(sa.Text)
    rating: Mapped[float | None] = mapped_column(sa.Float)
    reviews_count: Mapped[int | None] = mapped_column(sa.Integer)
    primary_category: Mapped[str | None] = mapped_column(sa.String(200))
    categories: Mapped[list[str] | None] = mapped_column(ARRAY(sa.Text))
    price_level: Mapped[int | None] = mapped_column(sa.Integer)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lng: Mapped[float | None] = mapped_column(sa.Float)
    timezone: Mapped[str | None] = mapped_column(sa.String(80))
    utc_offset_minutes: Mapped[int | None] = mapped_column(sa.Integer)
    opening_hours: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    business_status: Mapped[str | None] = mapped_column(sa.String(40))
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    domain_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("domains.id", ondelete="SET NULL"), index=True
    )
    extraction_note: Mapped[str | None] = mapped_column(sa.Text)
    curation_status: Mapped[CurationStatus] = curation_column()


class Domain(
    StageColumns("scan"), StageColumns("sitemap"), StageColumns("crawl"), Timestamps, Base
):
    __tablename__ = "domains"
    __table_args__ = tuple(
        ix for p in ("scan", "sitemap", "crawl") for ix in (queue_index("domains", p), lease_index("domains", p))
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    domain: Mapped[str] = mapped_column(sa.String(253), unique=True)
    source: Mapped[str | None] = mapped_column(sa.String(40))
    submit_batch: Mapped[str | None] = mapped_column(sa.String(120), index=True)
    local_business_id: Mapped[int | None] = mapped_column(sa.BigInteger, index=True)
    curation_status: Mapped[CurationStatus] = curation_column()
    # homepage metadata (WF4 scan)
    http_status: Mapped[int | None] = mapped_column(sa.Integer)
    final_url: Mapped[str | None] = mapped_column(sa.Text)
    title: Mapped[str | None] = mapped_column(sa.Text)
    description: Mapped[str | None] = mapped_column(sa.Text)
    language: Mapped[str | None] = mapped_column(sa.String(40))
    favicon_url: Mapped[str | None] = mapped_column(sa.Text)
    canonical_url: Mapped[str | None] = mapped_column(sa.Text)
    generator: Mapped[str | None] = mapped_column(sa.Text)
    tech_stack: Mapped[list[str] | None] = mapped_column(ARRAY(sa.Text))
    emails: Mapped[list[str] | None] = mapped_column(ARRAY(sa.Text))
    phones: Mapped[list[str] | None] = mapped_column(ARRAY(sa.Text))
    socials: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    last_scanned_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # sitemap discovery (WF4)
    sitemap_count: Mapped[int | None] = mapped_column(sa.Integer)
    sitemap_url_count: Mapped[int | None] = mapped_column(sa.Integer)
    # email crawl (WF8)
    crawl_pages_visited: Mapped[int | None] = mapped_column(sa.Integer)
    crawl_contacts_found: Mapped[int | None] = mapped_column(sa.Integer)
    crawl_stop_reason: Mapped[str | None] = mapped_column(sa.Text)


class SitemapFile(StageColumns("import"), Timestamps, Base):
    __tablename__ = "sitemap_files"
    __table_args__ = (
        sa.UniqueConstraint("domain_id", "url", name="uq_sitemap_files_domain_url"),
        queue_index("sitemap_files", "import"),
        lease_index("sitemap_files", "import"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    domain_id: Mapped[int] = mapped_column(sa.ForeignKey("domains.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str | None] = mapped_column(sa.String(16))
    discovery_method: Mapped[str | None] = mapped_column(sa.String(24))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sitemap_files.id", ondelete="SET NULL")
    )
    http_status: Mapped[int | None] = mapped_column(sa.Integer)
    final_url: Mapped[str | None] = mapped_column(sa.Text)
    size_bytes: Mapped[int | None] = mapped_column(sa.BigInteger)
    is_gzip: Mapped[bool | None] = mapped_column(sa.Boolean)
    url_count: Mapped[int | None] = mapped_column(sa.Integer)
    has_images: Mapped[bool | None] = mapped_column(sa.Boolean)
    has_videos: Mapped[bool | None] = mapped_column(sa.Boolean)
    has_news: Mapped[bool | None] = mapped_column(sa.Boolean)
    has_lastmod: Mapped[bool | None] = mapped_column(sa.Boolean)
    has_priority: Mapped[bool | None] = mapped_column(sa.Boolean)
    has_changefreq: Mapped[bool | None] = mapped_column(sa.Boolean)
    generator: Mapped[str | None] = mapped_column(sa.String(80))
    error: Mapped[str | None] = mapped_column(sa.Text)
    pages_imported: Mapped[int | None] = mapped_column(sa.Integer)
    curation_status: Mapped[CurationStatus] = curation_column()


class Page(StageColumns("scrape"), Timestamps, Base):
    __tablename__ = "pages"
    __table_args__ = (
        sa.UniqueConstraint("domain_id", "url", name="uq_pages_domain_url"),
        queue_index("pages", "scrape"),
        lease_index("pages", "scrape"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    domain_id: Mapped[int] = mapped_column(sa.ForeignKey("domains.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(sa.Text)
    sitemap_file_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sitemap_files.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[str | None] = mapped_column(sa.String(24))
    lastmod: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    category: Mapped[str | None] = mapped_column(sa.String(16))
    confidence: Mapped[float | None] = mapped_column(sa.Float)
    depth: Mapped[int | None] = mapped_column(sa.Integer)
    filter_reason: Mapped[str | None] = mapped_column(sa.Text)
    http_status: Mapped[int | None] = mapped_column(sa.Integer)
    title: Mapped[str | None] = mapped_column(sa.Text)
    contact_status: Mapped[ContactScrapeStatus] = mapped_column(
        status_type(ContactScrapeStatus, "contact_status"),
        server_default=ContactScrapeStatus.NEW.value,
    )
    curation_status: Mapped[CurationStatus] = curation_column()


class Contact(Timestamps, Base):
    __tablename__ = "contacts"
    __table_args__ = (sa.UniqueConstraint("domain_id", "email", name="uq_contacts_domain_email"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    domain_id: Mapped[int] = mapped_column(sa.ForeignKey("domains.id", ondelete="CASCADE"))
    page_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pages.id", ondelete="SET NULL"))
    email: Mapped[str] = mapped_column(sa.String(320))
    email_kind: Mapped[str | None] = mapped_column(sa.String(16))
    name: Mapped[str | None] = mapped_column(sa.Text)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    source_url: Mapped[str | None] = mapped_column(sa.Text)
    found_by: Mapped[str | None] = mapped_column(sa.String(24))
    first_seen_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    last_seen_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class RobotsFile(Base):
    """The last robots.txt answer of an origin worth keeping, shared by every stage's runs."""

    __tablename__ = "robots_files"

    origin: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    host: Mapped[str] = mapped_column(sa.String(253), index=True)
    http_status: Mapped[int] = mapped_column(sa.Integer)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    final_url: Mapped[str] = mapped_column(sa.Text)
    fetched_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (sa.Index("ix_batches_stage_created", "stage", "created_at"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    stage: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[BatchStatus] = mapped_column(
        status_type(BatchStatus, "batch_status"), server_default=BatchStatus.CLAIMED.value
    )
    run_id: Mapped[str | None] = mapped_column(sa.String(64))
    rows_claimed: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    rows_complete: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    rows_error: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    rows_filtered: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    error_counts: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    results: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    writes: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # side writes: pages, contacts, files...
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    duration_seconds: Mapped[float | None] = mapped_column(sa.Float)
