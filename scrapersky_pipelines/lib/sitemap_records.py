"""Records produced by the sitemap parser: entries, child sitemaps, limits and the parse result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

SitemapKind = Literal["urlset", "index", "text", "rss", "atom", "invalid"]

PROTOCOL_MAX_URLS = 50_000
PROTOCOL_MAX_BYTES = 52_428_800  # 50 MiB uncompressed, sitemaps.org


@dataclass(frozen=True, slots=True)
class SitemapImage:
    """One `<image:image>` block (title/caption/license are deprecated by Google but still common)."""

    loc: str
    title: str | None = None
    caption: str | None = None
    geo_location: str | None = None
    license: str | None = None


@dataclass(frozen=True, slots=True)
class SitemapNews:
    """One `<news:news>` block."""

    publication_name: str | None = None
    language: str | None = None
    title: str | None = None
    publication_date: datetime | None = None
    keywords: str | None = None
    genres: str | None = None


# Not frozen: a frozen dataclass costs ~1.5 us per construction (object.__setattr__ per field),
# about a third of the whole per-URL budget; treat entries as read-only all the same.
@dataclass(slots=True)
class SitemapEntry:
    """One page URL from a urlset, plain-text sitemap or feed (treat as immutable).

    `lastmod` is timezone-aware (naive values are read as UTC); `priority` is within 0..1;
    `changefreq` is one of the protocol's seven lower-case words; `title` comes from feeds.
    `videos` holds one dict per `<video:video>` keyed by the protocol's element names
    (thumbnail_loc, title, description, content_loc, player_loc, duration, ...).
    `alternates` maps hreflang to href (`<xhtml:link rel="alternate">`).
    """

    loc: str
    lastmod: datetime | None = None
    changefreq: str | None = None
    priority: float | None = None
    images: tuple[SitemapImage, ...] = ()
    videos: tuple[Mapping[str, str], ...] = ()
    news: SitemapNews | None = None
    alternates: Mapping[str, str] = field(default_factory=dict)
    title: str | None = None


@dataclass(frozen=True, slots=True)
class SitemapChild:
    """One child sitemap listed by a sitemap index."""

    loc: str
    lastmod: datetime | None = None


SitemapItem = SitemapEntry | SitemapChild


@dataclass(frozen=True, slots=True)
class SitemapLimits:
    """Hard caps (stop parsing, keep what was parsed, say which cap) and protocol warning thresholds.

    The protocol's 50,000 URLs / 50 MB per file only ever produce warnings. `max_index_depth`
    applies to index files parsed with `depth=` (0 for a top-level sitemap).
    """

    max_compressed_bytes: int = 100 * 1024 * 1024
    max_decompressed_bytes: int = 256 * 1024 * 1024
    max_entries: int = 1_000_000
    max_index_depth: int = 5
    warn_entries: int = PROTOCOL_MAX_URLS
    warn_decompressed_bytes: int = PROTOCOL_MAX_BYTES


@dataclass(frozen=True, slots=True)
class SitemapParseResult:
    """Everything parsed from one sitemap body.

    `error` is set when the body is not a usable sitemap (`kind == "invalid"`) or when a hard cap
    stopped the parse; `truncated` is True whenever parsing stopped before the end of the document.
    `entry_count` is the number of entries parsed: `len(entries)` from `parse_sitemap`
    (deduplicated), the streamed count in a stream's `summary()` (where `entries` is empty).
    """

    url: str
    kind: SitemapKind
    entries: list[SitemapEntry] = field(default_factory=list)
    children: list[SitemapChild] = field(default_factory=list)
    entry_count: int = 0
    child_count: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    truncated: bool = False
    is_gzip: bool = False
    compressed_bytes: int = 0
    decompressed_bytes: int = 0
    encoding: str | None = None
    generator: str | None = None
    has_lastmod: bool = False
    has_priority: bool = False
    has_changefreq: bool = False
    has_images: bool = False
    has_videos: bool = False
    has_news: bool = False
    has_alternates: bool = False

    @property
    def ok(self) -> bool:
        return self.kind != "invalid"
