"""Fetch one sitemap file and count what it holds, for `sitemap_discovery`.

`visit` turns a candidate URL into a `SitemapFileRecord` (or into nothing, for a well-known path
that holds no sitemap) plus the child sitemaps an index lists. The body is parsed as a stream and
only counted: a hash per page URL for the distinct count, the child URLs, and the parser's flags.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass, field

from scrapersky_pipelines.lib.http import FetchError, FetchResult, HttpClient
from scrapersky_pipelines.lib.sitemap_discovery_records import DiscoveryMethod, SitemapFileRecord
from scrapersky_pipelines.lib.sitemap_discovery_sources import looks_like_sitemap_xml
from scrapersky_pipelines.lib.sitemaps import (
    SitemapChild,
    SitemapLimits,
    SitemapStream,
    is_probably_sitemap,
    iter_sitemap,
)

__all__ = ["Candidate", "Visit", "count_sitemap", "visit"]

PROBE_BYTES = 1024 * 1024  # first read of a well-known path
_THREAD_PARSE_BYTES = 256 * 1024  # below this, parsing inline is cheaper than a thread hop
_MAX_FILE_WARNINGS = 10


@dataclass(frozen=True, slots=True)
class Candidate:
    """A URL to fetch as a sitemap, with how it was found."""

    url: str
    method: DiscoveryMethod
    parent_url: str | None = None
    depth: int = 0
    ancestors: frozenset[str] = frozenset()  # URLs (as listed and final) of the indexes above


@dataclass(slots=True)
class Visit:
    """What fetching a candidate produced.

    `record` is None for a well-known path with no sitemap behind it. `answered` says whether
    any HTTP response came back, `failure` is the error when none did, `note` a warning worth
    keeping at domain level.
    """

    record: SitemapFileRecord | None
    children: list[str] = field(default_factory=list)
    requests: int = 1
    answered: bool = True
    failure: FetchError | None = None
    note: str | None = None


@dataclass(slots=True)
class Counted:
    stream: SitemapStream
    url_count: int
    duplicates: int
    children: list[str]


def count_sitemap(
    content: bytes, url: str, content_type: str | None, limits: SitemapLimits, depth: int = 0,
    ancestors: Collection[str] = (),
) -> Counted:
    """Stream-parse one body, keeping a hash per page URL (for the distinct count) and children."""
    stream = iter_sitemap(content, url, content_type, limits, depth=depth, ancestors=ancestors)
    seen: set[int] = set()
    children: list[str] = []
    duplicates = 0
    for item in stream:
        if type(item) is SitemapChild:
            children.append(item.loc)
            continue
        key = hash(item.loc)
        if key in seen:
            duplicates += 1
        else:
            seen.add(key)
    return Counted(stream, len(seen), duplicates, children)


def _parse_error_kind(kind: str, error: str) -> str:
    if "max_index_depth" in error:
        return "depth"
    if "max_entries" in error:
        return "limit"
    if "_bytes=" in error:
        return "too_large"
    if kind == "invalid" and "HTML" in error:
        return "not_sitemap"
    return "invalid"


async def _fetch(
    client: HttpClient, c: Candidate, limits: SitemapLimits
) -> tuple[FetchResult, int]:
    """The response for `c` and the number of requests it took."""
    full = {
        "max_bytes": limits.max_compressed_bytes,
        "max_decompressed_bytes": limits.max_decompressed_bytes,
    }
    if c.method != "known_path" or limits.max_compressed_bytes <= PROBE_BYTES:
        return await client.fetch(c.url, **full), 1
    # A guess may hit a catch-all that serves something huge for every path: read a prefix,
    # and read the whole body only when that prefix is a sitemap.
    probe = await client.fetch(c.url, max_bytes=PROBE_BYTES, allow_truncated=True)
    if not (probe.truncated and probe.ok):
        return probe, 1
    ctype = probe.content_type
    content = probe.content
    if not (is_probably_sitemap(content, ctype) or looks_like_sitemap_xml(content, ctype)):
        return probe, 1
    return await client.fetch(c.url, **full), 2


async def visit(client: HttpClient, c: Candidate, limits: SitemapLimits) -> Visit:
    """Fetch and count one candidate; never raises for network or content problems."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        result, requests = await _fetch(client, c, limits)
    except FetchError as exc:
        record = None if c.method == "known_path" else SitemapFileRecord(
            url=c.url, final_url=c.url, method=c.method, parent_url=c.parent_url, depth=c.depth,
            kind="invalid", http_status=exc.status, error=str(exc), error_kind=exc.kind,
            attempts=exc.attempts, elapsed=loop.time() - started,
        )
        return Visit(record, answered=False, failure=exc)
    note = None
    if not result.ok:
        if c.method == "known_path":
            if result.status not in (404, 410):
                note = f"well-known path {c.url} answered HTTP {result.status}"
            return Visit(None, requests=requests, note=note)
        error = f"http_status: HTTP {result.status} from {result.final_url}"
        record = _record(c, result, kind="invalid", error=error, error_kind="http_status",
                         elapsed=loop.time() - started)
        return Visit(record, requests=requests)
    try:
        counted = await _count(result, c, limits)
    except Exception as exc:  # noqa: BLE001 - one hostile body must not end the domain
        error = f"internal: {type(exc).__name__}: {exc}"
        record = _record(c, result, kind="invalid", error=error, error_kind="internal",
                         elapsed=loop.time() - started)
        return Visit(record, requests=requests)
    s = counted.stream
    kind = s.kind or "invalid"
    if (c.method == "known_path" and kind == "invalid"
            and not looks_like_sitemap_xml(result.content, result.content_type)):
        return Visit(None, requests=requests)  # a soft-404 page, an empty answer or junk
    warnings = list(s.warnings)
    if counted.duplicates:
        warnings.append(f"{counted.duplicates} duplicate URLs (counted once)")
    if len(warnings) > _MAX_FILE_WARNINGS:
        extra = len(warnings) - _MAX_FILE_WARNINGS
        warnings = warnings[:_MAX_FILE_WARNINGS] + [f"... and {extra} more warnings"]
    error, error_kind = s.error, None
    if error:
        error_kind = _parse_error_kind(kind, error)
    elif kind == "invalid":
        error, error_kind = "not a sitemap", "invalid"
    elif result.truncated:
        error, error_kind = "body was cut short by the byte cap", "too_large"
    record = _record(
        c, result, kind=kind, decompressed_bytes=s.decompressed_bytes, is_gzip=s.is_gzip,
        url_count=counted.url_count, child_count=len(counted.children),
        duplicate_urls=counted.duplicates, has_images=s.has_images, has_videos=s.has_videos,
        has_news=s.has_news, has_alternates=s.has_alternates, has_lastmod=s.has_lastmod,
        has_priority=s.has_priority, has_changefreq=s.has_changefreq, generator=s.generator,
        encoding=s.encoding, truncated=s.truncated or result.truncated,
        error=f"{error_kind}: {error}" if error else None, error_kind=error_kind,
        warnings=tuple(warnings), elapsed=loop.time() - started,
    )
    # An index at the depth cap is reported, but its children are not followed.
    return Visit(record, [] if error_kind == "depth" else counted.children, requests=requests)


def _record(c: Candidate, result: FetchResult, **values: object) -> SitemapFileRecord:
    return SitemapFileRecord(
        url=c.url, final_url=result.final_url, method=c.method, parent_url=c.parent_url,
        depth=c.depth, http_status=result.status, content_type=result.content_type,
        content_encoding=result.headers.get("content-encoding"), byte_count=len(result.content),
        redirects=tuple(result.redirects), attempts=result.attempts,
        **values,  # type: ignore[arg-type]
    )


async def _count(result: FetchResult, c: Candidate, limits: SitemapLimits) -> Counted:
    args = (result.content, result.final_url, result.content_type, limits, c.depth,
            c.ancestors | {c.url})
    if len(result.content) >= _THREAD_PARSE_BYTES:
        # Keeps the event loop serving other domains while a big file is parsed.
        return await asyncio.to_thread(count_sitemap, *args)
    return count_sitemap(*args)
