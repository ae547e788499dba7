"""Streams one sitemap file from the HTTP body through the parser into pages, a chunk at a time.

Memory stays flat: the body is never held whole, parsed records are turned into page rows as they
arrive, and every `chunk_rows` rows are written (idempotently) in their own short transaction on a
worker thread while the download waits.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from scrapersky_pipelines.db.bulk import PageRow
from scrapersky_pipelines.lib.page_import import PagePolicy, import_page
from scrapersky_pipelines.lib.sitemaps import SitemapChild, SitemapEntry, SitemapLimits, SitemapParser

WritePages = Callable[[Sequence[PageRow]], Awaitable[tuple[int, int]]]


@dataclass
class SitemapImporter:
    file_id: int
    domain_id: int
    domain: str
    url: str
    write: WritePages
    policy: PagePolicy = PagePolicy()
    limits: SitemapLimits = SitemapLimits()
    chunk_rows: int = 5_000
    parser: SitemapParser | None = None
    children: list[str] = field(default_factory=list)
    pending: list[PageRow] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    filtered: int = 0
    queued: int = 0
    skipped: int = 0

    def open(self, headers: Any) -> Callable[[bytes], Awaitable[None]]:
        """The HTTP client's sink: called once the response is 2xx."""
        self.parser = SitemapParser(self.url, headers.get("content-type"), limits=self.limits)
        return self.feed

    async def feed(self, data: bytes) -> None:
        if self.parser.done:
            return
        self._take(self.parser.feed(data))
        if len(self.pending) >= self.chunk_rows:
            await self.flush()

    async def finish(self) -> None:
        if self.parser is not None:
            self._take(self.parser.close())
        await self.flush()

    async def flush(self) -> None:
        rows, self.pending = self.pending, []
        if rows:
            inserted, updated = await self.write(rows)
            self.inserted += inserted
            self.updated += updated

    def _take(self, items) -> None:
        for item in items:
            if isinstance(item, SitemapChild):
                self.children.append(item.loc)
                continue
            page = import_page(item.loc, self.domain, self.policy)
            if page is None:
                self.skipped += 1
                continue
            self.filtered += page.filtered
            self.queued += page.queue_scrape
            lastmod = item.lastmod if isinstance(item, SitemapEntry) else None
            self.pending.append(PageRow(
                domain_id=self.domain_id, url=page.url, sitemap_file_id=self.file_id, lastmod=lastmod,
                category=page.category, confidence=page.confidence, depth=page.depth,
                filter_reason=page.filter_reason, queue_scrape=page.queue_scrape, filtered=page.filtered,
            ))

    @property
    def pages(self) -> int:
        return self.inserted + self.updated

    def file_values(self) -> dict[str, Any]:
        p = self.parser
        return {
            "kind": p.kind, "is_gzip": p.is_gzip, "size_bytes": p.compressed_bytes,
            "url_count": p.entry_count if p.kind != "index" else p.child_count,
            "has_images": p.has_images, "has_videos": p.has_videos, "has_news": p.has_news,
            "has_lastmod": p.has_lastmod, "has_priority": p.has_priority, "has_changefreq": p.has_changefreq,
            "generator": (p.generator or None) and p.generator[:80], "pages_imported": self.pages,
            "error": "; ".join([*([p.error] if p.error else []), *p.warnings[:3]])[:2000] or None,
        }
