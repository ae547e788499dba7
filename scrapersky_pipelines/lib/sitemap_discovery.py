"""Sitemap discovery for one domain: find every sitemap file, walk index trees, count URLs.

Sources, in the order they rank: robots.txt ``Sitemap:`` lines (through the HTTP client's
cached robots policy, so robots.txt is fetched once), ``<link rel="sitemap">`` on the homepage,
then the well-known paths of `KNOWN_SITEMAP_PATHS` that were not found already. Index trees are
walked breadth first, one level at a time, with every file of a level fetched concurrently (the
client's per-host limits keep that polite). Ranking and claiming happen between levels in list
order, so the report does not depend on which response arrives first:

- a URL is fetched once, however many indexes list it (the first lister is its parent);
- a file whose final URL (after redirects) was already reported is dropped, which covers loops
  through redirects and a well-known path that redirects to a sitemap robots.txt named;
- children equal to the index itself or one of its ancestors are dropped by the parser;
- an index at `max_depth` is reported with a "depth" error and its children are not fetched.

Bodies are parsed as a stream and only counted (distinct `<loc>`s per file); nothing keeps the
URL entries, which the import stage re-reads. Large bodies are parsed in a worker thread so the
event loop keeps serving other domains. Pure: no Dagster, no database.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

from scrapersky_pipelines.lib.http import FetchError, FetchResult, HttpClient
from scrapersky_pipelines.lib.sitemap_discovery_records import (
    DISCOVERY_METHODS,
    DiscoveryMethod,
    DiscoveryResult,
    SitemapFileRecord,
)
from scrapersky_pipelines.lib.sitemap_discovery_sources import (
    KNOWN_SITEMAP_PATHS,
    looks_like_sitemap_xml,
    origin_of,
    same_site,
    sitemap_links_from_html,
    url_key,
)
from scrapersky_pipelines.lib.sitemaps import (
    PROTOCOL_MAX_BYTES,
    SitemapChild,
    SitemapLimits,
    SitemapStream,
    is_probably_sitemap,
    iter_sitemap,
)

__all__ = [
    "DISCOVERY_METHODS",
    "KNOWN_SITEMAP_PATHS",
    "DiscoveryResult",
    "SitemapFileRecord",
    "discover_sitemaps",
    "sitemap_links_from_html",
]

KnownPathMode = Literal["always", "fallback", "never"]

# No answer at all from the host on this scheme: try the next scheme, and if none answers the
# domain cannot be examined.
_UNREACHABLE = frozenset({"unknown_host", "connect", "timeout", "blocked_address", "invalid_url"})
_THREAD_PARSE_BYTES = 256 * 1024  # below this, parsing inline is cheaper than a thread hop
_MAX_FILE_WARNINGS = 10
_HOMEPAGE_BYTES = 512 * 1024
_PROBE_BYTES = 1024 * 1024  # first read of a well-known path


@dataclass(frozen=True, slots=True)
class _Candidate:
    url: str
    method: DiscoveryMethod
    parent_url: str | None
    depth: int
    ancestors: frozenset[str] = frozenset()  # URLs (as listed and final) of the indexes above


@dataclass(slots=True)
class _Visit:
    """What fetching one candidate produced: a record (None: a well-known path with no sitemap)."""

    record: SitemapFileRecord | None
    children: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Parsed:
    stream: SitemapStream
    url_count: int
    duplicates: int
    children: list[str]


def _count(
    content: bytes, url: str, content_type: str | None, limits: SitemapLimits, depth: int,
    ancestors: Collection[str],
) -> _Parsed:
    """Stream-parse one body, keeping only a hash per page URL (for the distinct count) and children."""
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
    return _Parsed(stream, len(seen), duplicates, children)


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


class _Discovery:
    """State of one domain's discovery (claims, reported files, counters)."""

    def __init__(
        self,
        client: HttpClient,
        domain: str,
        *,
        schemes: Sequence[str],
        max_depth: int,
        max_files: int,
        known_paths: Sequence[str],
        probe_known_paths: KnownPathMode,
        limits: SitemapLimits,
        time_budget: float | None,
    ) -> None:
        self.client = client
        self.domain = domain
        self.schemes = tuple(schemes)
        self.max_depth = max_depth
        self.max_files = max_files
        self.known_paths = tuple(known_paths)
        self.probe_known_paths = probe_known_paths
        self.limits = limits
        self.loop = asyncio.get_running_loop()
        self.started = self.loop.time()
        self.deadline = None if time_budget is None else self.started + time_budget
        self.claimed: set[str] = set()
        self.finals: dict[str, int] = {}  # url_key(final_url) -> index in records
        self.records: list[SitemapFileRecord] = []
        self.warnings: list[str] = []
        self.failures: list[FetchError] = []  # sitemap fetches that got no HTTP response
        self.answered = 0  # sitemap fetches that got an HTTP response (any status)
        self.requests = 0
        self.truncated = False
        self.timed_out = False
        self.dropped = 0  # files not fetched or not reported because of max_files
        self.unfetched = 0  # files not fetched because the time budget ran out
        self.base_url: str | None = None
        self.robots_sitemaps: tuple[str, ...] = ()
        self.html_links: tuple[str, ...] = ()
        self.robots_note: str | None = None

    # -- time ---------------------------------------------------------------------------------

    def remaining(self) -> float | None:
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - self.loop.time())

    def out_of_time(self) -> bool:
        remaining = self.remaining()
        return remaining is not None and remaining <= 0

    # -- steps --------------------------------------------------------------------------------

    async def homepage(
        self, homepage_url: str | None, homepage_html: str | bytes | None, fetch_homepage: bool
    ) -> FetchError | None:
        """Settle the origin to probe and read the homepage's sitemap links.

        Returns the error that makes the domain unreachable on every scheme, else None.
        """
        if homepage_url is not None:
            self.base_url = origin_of(homepage_url)
            if homepage_html is None and fetch_homepage:
                try:
                    result = await self._fetch_page(homepage_url)
                except FetchError as exc:
                    self.warnings.append(f"homepage not fetched ({exc})")
                else:
                    homepage_html = result.content if result.ok else None
                    homepage_url = result.final_url
        elif homepage_html is not None or not fetch_homepage:
            self.base_url = f"{self.schemes[0]}://{self.domain}"
            homepage_url = self.base_url + "/"
        else:
            last: FetchError | None = None
            for scheme in self.schemes:
                url = f"{scheme}://{self.domain}/"
                try:
                    result = await self._fetch_page(url)
                except FetchError as exc:
                    last = exc
                    if exc.kind in _UNREACHABLE:
                        continue
                    # The host answers but not with a usable homepage (robots, loops, size):
                    # sitemaps may still be reachable, so probe on this scheme.
                    self.warnings.append(f"homepage not usable ({exc})")
                    self.base_url = f"{scheme}://{self.domain}"
                    homepage_url = url
                    break
                homepage_url = result.final_url
                if same_site(result.final_url, self.domain):
                    self.base_url = origin_of(result.final_url)
                else:
                    self.warnings.append(f"homepage redirected off-site to {result.final_url}; probing {url}")
                    self.base_url = f"{scheme}://{self.domain}"
                homepage_html = result.content if result.ok else None
                break
            if self.base_url is None:
                assert last is not None
                return last
        if homepage_html is not None and homepage_url is not None:
            self.html_links = tuple(sitemap_links_from_html(homepage_html, homepage_url))
        return None

    async def _fetch_page(self, url: str) -> FetchResult:
        self.requests += 1
        # Only <head> matters here, so a huge homepage is cut short rather than refused.
        return await self.client.fetch(url, allow_truncated=True, max_bytes=_HOMEPAGE_BYTES)

    async def robots(self) -> None:
        assert self.base_url is not None
        try:
            policy = await self.client.robots(self.base_url + "/robots.txt")
        except FetchError as exc:
            self.robots_note = f"robots.txt not fetched: {exc}"
            self.warnings.append(self.robots_note)
            return
        self.robots_note = policy.reason
        self.robots_sitemaps = tuple(policy.sitemaps)

    def explicit_roots(self) -> list[_Candidate]:
        roots: list[_Candidate] = []
        for url, method in [(u, "robots") for u in self.robots_sitemaps] + [(u, "html_link") for u in self.html_links]:
            key = url_key(url)
            if key not in self.claimed:
                self.claimed.add(key)
                roots.append(_Candidate(url, method, None, 0))  # type: ignore[arg-type]
        return roots

    def known_path_roots(self) -> list[_Candidate]:
        if self.probe_known_paths == "never" or (self.probe_known_paths == "fallback" and self.records):
            return []
        assert self.base_url is not None
        roots: list[_Candidate] = []
        for path in self.known_paths:
            url = self.base_url + (path if path.startswith("/") else "/" + path)
            key = url_key(url)
            if key not in self.claimed and key not in self.finals:
                self.claimed.add(key)
                roots.append(_Candidate(url, "known_path", None, 0))
        return roots

    async def walk(self, level: list[_Candidate]) -> None:
        """Fetch `level`, report its files in list order, then do the same for their children."""
        while level:
            if self.out_of_time():
                self._time_up(len(level))
                return
            # Well-known probes mostly find nothing, so they are capped when reported instead.
            if level[0].method != "known_path" and len(level) > self.max_files - len(self.records):
                kept = max(0, self.max_files - len(self.records))
                self._capped(len(level) - kept)
                level = level[:kept]
            visits = await self._visit_all(level)
            nxt: list[_Candidate] = []
            for candidate, visit in zip(level, visits):
                if visit is None or visit.record is None:
                    continue
                record = visit.record
                key = url_key(record.final_url)
                if key in self.finals:
                    if candidate.method != "known_path":
                        self.warnings.append(
                            f"{candidate.url} redirected to {record.final_url}, which was already found"
                        )
                    continue
                if len(self.records) >= self.max_files:
                    self._capped(1)
                    continue
                self.finals[key] = len(self.records)
                self.records.append(record)
                ancestors = candidate.ancestors | {candidate.url, record.final_url}
                for child in visit.children:
                    child_key = url_key(child)
                    if child_key in self.claimed or child_key in self.finals:
                        continue  # listed by an earlier index too (fetched once), or a loop
                    self.claimed.add(child_key)
                    nxt.append(_Candidate(child, "index", record.final_url, candidate.depth + 1, ancestors))
            level = nxt

    def _capped(self, dropped: int) -> None:
        self.truncated = True
        self.dropped += dropped

    def _time_up(self, pending: int) -> None:
        self.truncated = True
        self.timed_out = True
        self.unfetched += pending

    async def _visit_all(self, level: list[_Candidate]) -> list[_Visit | None]:
        tasks = [asyncio.ensure_future(self._visit(c)) for c in level]
        done, pending = await asyncio.wait(tasks, timeout=self.remaining())
        if pending:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            self._time_up(len(pending))
        return [t.result() if t in done else None for t in tasks]

    async def _visit(self, c: _Candidate) -> _Visit:
        started = self.loop.time()
        try:
            result = await self._fetch_sitemap(c)
        except FetchError as exc:
            self.failures.append(exc)
            if c.method == "known_path":
                return _Visit(None)
            return _Visit(self._failed(c, exc, started))
        self.answered += 1
        base = dict(
            url=c.url, final_url=result.final_url, method=c.method, parent_url=c.parent_url, depth=c.depth,
            http_status=result.status, content_type=result.content_type,
            content_encoding=result.headers.get("content-encoding"), byte_count=len(result.content),
            redirects=tuple(result.redirects), attempts=result.attempts,
        )
        if not result.ok:
            if c.method == "known_path":
                if result.status not in (404, 410):
                    self.warnings.append(f"well-known path {c.url} answered HTTP {result.status}")
                return _Visit(None)
            return _Visit(SitemapFileRecord(
                kind="invalid", error=f"http_status: HTTP {result.status} from {result.final_url}",
                error_kind="http_status", elapsed=self.loop.time() - started, **base,  # type: ignore[arg-type]
            ))
        try:
            parsed = await self._parse(result, c)
        except Exception as exc:  # noqa: BLE001 - one hostile body must not end the domain
            return _Visit(SitemapFileRecord(
                kind="invalid", error=f"internal: {type(exc).__name__}: {exc}", error_kind="internal",
                elapsed=self.loop.time() - started, **base,  # type: ignore[arg-type]
            ))
        s = parsed.stream
        kind = s.kind or "invalid"
        if (c.method == "known_path" and kind == "invalid"
                and not looks_like_sitemap_xml(result.content, result.content_type)):
            return _Visit(None)  # a soft-404 page, an empty answer or junk: no sitemap here
        warnings = list(s.warnings)
        if parsed.duplicates:
            warnings.append(f"{parsed.duplicates} duplicate URLs (counted once)")
        error = s.error
        error_kind = _parse_error_kind(kind, error) if error else None
        if error is None and kind == "invalid":
            error, error_kind = "not a sitemap", "invalid"
        if error is None and result.truncated:
            error, error_kind = "body was cut short by the byte cap", "too_large"
        children = parsed.children
        if error_kind == "depth":
            children = []
        if len(warnings) > _MAX_FILE_WARNINGS:
            extra = len(warnings) - _MAX_FILE_WARNINGS
            warnings = warnings[:_MAX_FILE_WARNINGS] + [f"... and {extra} more warnings"]
        record = SitemapFileRecord(
            kind=kind, decompressed_bytes=s.decompressed_bytes, is_gzip=s.is_gzip,
            url_count=parsed.url_count, child_count=len(parsed.children), duplicate_urls=parsed.duplicates,
            has_images=s.has_images, has_videos=s.has_videos, has_news=s.has_news,
            has_alternates=s.has_alternates, has_lastmod=s.has_lastmod, has_priority=s.has_priority,
            has_changefreq=s.has_changefreq, generator=s.generator, encoding=s.encoding,
            truncated=s.truncated or result.truncated, error=f"{error_kind}: {error}" if error else None,
            error_kind=error_kind, warnings=tuple(warnings), elapsed=self.loop.time() - started,
            **base,  # type: ignore[arg-type]
        )
        return _Visit(record, children)

    async def _fetch_sitemap(self, c: _Candidate) -> FetchResult:
        full = {"max_bytes": self.limits.max_compressed_bytes,
                "max_decompressed_bytes": self.limits.max_decompressed_bytes}
        self.requests += 1
        if c.method != "known_path" or self.limits.max_compressed_bytes <= _PROBE_BYTES:
            return await self.client.fetch(c.url, **full)
        # A guess may hit a catch-all that serves something huge for every path: read a prefix,
        # and only read the whole body when that prefix is a sitemap.
        probe = await self.client.fetch(c.url, max_bytes=_PROBE_BYTES, allow_truncated=True)
        if not (probe.truncated and probe.ok):
            return probe
        ctype = probe.content_type
        if not (is_probably_sitemap(probe.content, ctype) or looks_like_sitemap_xml(probe.content, ctype)):
            return probe
        self.requests += 1
        return await self.client.fetch(c.url, **full)

    async def _parse(self, result: FetchResult, c: _Candidate) -> _Parsed:
        ancestors = c.ancestors | {c.url}
        args = (result.content, result.final_url, result.content_type, self.limits, c.depth, ancestors)
        if len(result.content) >= _THREAD_PARSE_BYTES:
            return await asyncio.to_thread(_count, *args)
        return _count(*args)

    def _failed(self, c: _Candidate, exc: FetchError, started: float) -> SitemapFileRecord:
        return SitemapFileRecord(
            url=c.url, final_url=c.url, method=c.method, parent_url=c.parent_url, depth=c.depth,
            kind="invalid", http_status=exc.status, error=str(exc), error_kind=exc.kind,
            attempts=exc.attempts, elapsed=self.loop.time() - started,
        )

    # -- result -------------------------------------------------------------------------------

    def result(self, error: FetchError | None = None) -> DiscoveryResult:
        if self.dropped:
            self.warnings.append(f"max_files={self.max_files} reached: {self.dropped} sitemap(s) left out")
        if self.timed_out:
            self.warnings.append(f"time budget exhausted: {self.unfetched} sitemap(s) not fetched")
        error_text: str | None = None
        error_kind: str | None = None
        if error is not None:
            error_text, error_kind = str(error), error.kind
        elif not self.records and not self.answered and self.failures:
            # Nothing answered any sitemap request: the domain was not examined, not sitemap-less.
            first = self.failures[0]
            error_text, error_kind = str(first), first.kind
        elif not self.records and self.timed_out and not self.answered:
            error_text, error_kind = "timeout: discovery time budget exhausted before any answer", "timeout"
        return DiscoveryResult(
            domain=self.domain, base_url=self.base_url, files=tuple(self.records), error=error_text,
            error_kind=error_kind, robots_sitemaps=self.robots_sitemaps, html_links=self.html_links,
            robots_note=self.robots_note, warnings=tuple(self.warnings), requests=self.requests,
            truncated=self.truncated, elapsed=self.loop.time() - self.started,
        )


async def discover_sitemaps(
    client: HttpClient,
    domain: str,
    *,
    schemes: Sequence[str] = ("https", "http"),
    max_depth: int = 5,
    max_files: int = 500,
    homepage_url: str | None = None,
    homepage_html: str | bytes | None = None,
    fetch_homepage: bool = True,
    known_paths: Sequence[str] = KNOWN_SITEMAP_PATHS,
    probe_known_paths: KnownPathMode = "always",
    max_sitemap_bytes: int = PROTOCOL_MAX_BYTES,
    max_decompressed_bytes: int = 2 * PROTOCOL_MAX_BYTES,
    time_budget: float | None = None,
) -> DiscoveryResult:
    """Find and count the sitemaps of `domain` (a bare host name such as "example.com").

    `homepage_url` (final URL of the homepage, e.g. from the metadata scan) fixes the origin to
    probe; without it the homepage is fetched on each of `schemes` in turn until one answers.
    `homepage_html` supplies the page to read `<link rel="sitemap">` from; when it is missing
    and `fetch_homepage` is set, the homepage is fetched for it. `probe_known_paths` is
    "always", "fallback" (only when robots.txt and the homepage named nothing) or "never".
    `max_depth` is the deepest index level whose children are fetched less one (roots are depth
    0), `max_files` caps the files reported, `max_sitemap_bytes`/`max_decompressed_bytes` cap
    each body as received and as expanded from gzip, and `time_budget` (seconds) bounds the
    whole domain: on expiry the files found so far are returned with `truncated` set.

    Never raises for network or content problems: they end up in `DiscoveryResult.error` (the
    domain could not be examined) or in a file's `error`.
    """
    if max_depth < 0 or max_files < 1:
        raise ValueError("max_depth must be >= 0 and max_files >= 1")
    if not schemes:
        raise ValueError("at least one scheme is needed")
    limits = SitemapLimits(
        max_compressed_bytes=max_sitemap_bytes,
        max_decompressed_bytes=max_decompressed_bytes,
        max_index_depth=max_depth,
    )
    run = _Discovery(
        client, domain.strip().lower().rstrip("."), schemes=schemes, max_depth=max_depth, max_files=max_files,
        known_paths=known_paths, probe_known_paths=probe_known_paths, limits=limits, time_budget=time_budget,
    )
    try:
        async with asyncio.timeout(run.remaining()):
            unreachable = await run.homepage(homepage_url, homepage_html, fetch_homepage)
            if unreachable is not None:
                return run.result(unreachable)
            await run.robots()
    except TimeoutError:
        run._time_up(0)
        if run.base_url is None:
            return dataclasses.replace(
                run.result(), error="timeout: discovery time budget exhausted before the host answered",
                error_kind="timeout",
            )
    await run.walk(run.explicit_roots())
    if not run.out_of_time():
        await run.walk(run.known_path_roots())
    return run.result()
