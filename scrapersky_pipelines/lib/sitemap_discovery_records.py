"""Records produced by sitemap discovery: one per sitemap file, and the outcome for a domain."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "DISCOVERY_METHODS",
    "DiscoveryMethod",
    "DiscoveryResult",
    "SitemapFileRecord",
]

DiscoveryMethod = Literal["robots", "html_link", "known_path", "index"]
DISCOVERY_METHODS: tuple[str, ...] = ("robots", "html_link", "known_path", "index")


@dataclass(frozen=True, slots=True)
class SitemapFileRecord:
    """One sitemap file: where it was found, what came back, and what the parse counted.

    `url` is the URL as discovered (robots line, link href, known path or index `<loc>`) and
    `final_url` where it was served after redirects. `parent_url` is the final URL of the index
    that listed it (method "index"). `kind` is the parser's kind ("urlset", "index", "text",
    "rss", "atom") or "invalid" when nothing usable was parsed (including fetch failures).
    `url_count` is the number of distinct page URLs in the file, `child_count` the number of
    child sitemaps an index lists apart from references to itself or to an index above it
    (loops, noted in `warnings`). `byte_count` is the body as received after Content-Encoding
    decoding, `decompressed_bytes` after expanding a gzip file (`is_gzip`). `error_kind` is a
    `FetchError` kind, "http_status", "not_sitemap" (e.g. an HTML page), "invalid" (unusable
    body), "too_large" (a byte cap stopped the parse), "limit" (the entry cap), "depth" (an
    index at the depth cap: its children were not fetched) or "internal".
    """

    url: str
    final_url: str
    method: DiscoveryMethod
    parent_url: str | None
    depth: int
    kind: str
    http_status: int | None = None
    content_type: str | None = None
    content_encoding: str | None = None
    byte_count: int = 0
    decompressed_bytes: int = 0
    is_gzip: bool = False
    url_count: int = 0
    child_count: int = 0
    duplicate_urls: int = 0
    has_images: bool = False
    has_videos: bool = False
    has_news: bool = False
    has_alternates: bool = False
    has_lastmod: bool = False
    has_priority: bool = False
    has_changefreq: bool = False
    generator: str | None = None
    encoding: str | None = None
    truncated: bool = False
    error: str | None = None
    error_kind: str | None = None
    warnings: tuple[str, ...] = ()
    redirects: tuple[str, ...] = ()
    attempts: int = 0
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        """Usable: fetched, parsed, and no cap or failure spoiled it."""
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["warnings"] = list(self.warnings)
        out["redirects"] = list(self.redirects)
        return out


@dataclass(frozen=True, slots=True)
class DiscoveryResult:
    """Everything discovery learnt about one domain.

    `error` is set only when the domain could not be examined at all (no host, nothing
    answered, every request refused); finding no sitemap is not an error. Files with problems
    are reported with their own `error`. `base_url` is the origin the well-known paths were
    probed on, `robots_note` how robots.txt went (the client's policy reason).
    """

    domain: str
    base_url: str | None
    files: tuple[SitemapFileRecord, ...] = ()
    error: str | None = None
    error_kind: str | None = None
    robots_sitemaps: tuple[str, ...] = ()
    html_links: tuple[str, ...] = ()
    robots_note: str | None = None
    warnings: tuple[str, ...] = ()
    requests: int = 0
    truncated: bool = False
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def files_found(self) -> int:
        return len(self.files)

    @property
    def file_errors(self) -> int:
        return sum(1 for f in self.files if f.error is not None)

    @property
    def urls_total(self) -> int:
        """Page URLs over the usable files (a URL listed by two files counts twice)."""
        return sum(f.url_count for f in self.files if f.error is None)

    def summary(self) -> dict[str, Any]:
        """Counts for a stage's per-row result and batch metadata."""
        by_method: dict[str, int] = {}
        for f in self.files:
            by_method[f.method] = by_method.get(f.method, 0) + 1
        return {
            "files_found": self.files_found,
            "urls_total": self.urls_total,
            "file_errors": self.file_errors,
            "by_method": by_method,
            "requests": self.requests,
            "truncated": self.truncated,
            "error": self.error,
            "elapsed": round(self.elapsed, 3),
        }
