"""Sitemap discovery for one domain: find every sitemap file, walk index trees, count URLs.

Sources, in the order they rank: robots.txt ``Sitemap:`` lines (read through the HTTP client's
cached robots policy, so robots.txt is fetched once), ``<link rel="sitemap">`` on the homepage,
then the well-known paths of `KNOWN_SITEMAP_PATHS` not found already. Index trees are walked
breadth first, one level at a time, every file of a level fetched concurrently (the client's
per-host limits keep that polite). Claiming and ranking happen between levels in list order, so
the report does not depend on which response arrives first:

- a URL is fetched once, however many indexes list it (the first lister is its parent);
- a file whose final URL (after redirects) was already reported is dropped: loops through
  redirects, and a well-known path that redirects to a sitemap robots.txt named;
- children equal to the index itself or to an index above it are dropped by the parser;
- an index at `max_depth` is reported with a "depth" error and its children are not fetched.

Files are only counted (see `sitemap_discovery_files`); the import stage re-reads the URLs.
Pure: no Dagster, no database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Literal
from urllib.parse import urlsplit

from scrapersky_pipelines.lib.http import FetchError, FetchResult, HttpClient
from scrapersky_pipelines.lib.sitemap_discovery_files import Candidate, Visit, visit
from scrapersky_pipelines.lib.sitemap_discovery_records import (
    DISCOVERY_METHODS,
    DiscoveryMethod,
    DiscoveryResult,
    SitemapFileRecord,
)
from scrapersky_pipelines.lib.sitemap_discovery_sources import (
    KNOWN_SITEMAP_PATHS,
    origin_of,
    same_site,
    sitemap_links_from_html,
    url_key,
)
from scrapersky_pipelines.lib.sitemaps import PROTOCOL_MAX_BYTES, SitemapLimits

__all__ = [
    "DISCOVERY_METHODS",
    "KNOWN_SITEMAP_PATHS",
    "DiscoveryResult",
    "KnownPathMode",
    "SitemapFileRecord",
    "discover_sitemaps",
    "sitemap_links_from_html",
]

KnownPathMode = Literal["always", "fallback", "never"]

# No answer at all from the host on this scheme: try the next scheme, and if none answers, the
# domain cannot be examined.
_UNREACHABLE = frozenset({"unknown_host", "connect", "timeout", "blocked_address", "invalid_url"})
_HOMEPAGE_BYTES = 512 * 1024  # only <head> matters for <link rel="sitemap">


class _Discovery:
    """State of one domain's discovery: claims, reported files, counters."""

    def __init__(
        self, client: HttpClient, domain: str, *, schemes: Sequence[str], max_files: int,
        known_paths: Sequence[str], probe_known_paths: KnownPathMode, limits: SitemapLimits,
        time_budget: float | None,
    ) -> None:
        self.client = client
        self.domain = domain
        self.schemes = tuple(schemes)
        self.max_files = max_files
        self.known_paths = tuple(known_paths)
        self.probe_known_paths = probe_known_paths
        self.limits = limits
        self.loop = asyncio.get_running_loop()
        self.started = self.loop.time()
        self.deadline = None if time_budget is None else self.started + time_budget
        self.claimed: set[str] = set()  # url_key of every URL queued for fetching
        self.finals: set[str] = set()  # url_key of every reported file's final URL
        self.records: list[SitemapFileRecord] = []
        self.warnings: list[str] = []
        self.failures: list[FetchError] = []  # sitemap fetches that got no HTTP response
        self.answered = 0  # sitemap fetches that got an HTTP response (any status)
        self.requests = 0
        self.dropped = 0  # files left out because of max_files
        self.unfetched = 0  # files not fetched because the time budget ran out
        self.timed_out = False
        self.base_url: str | None = None
        self.robots_sitemaps: tuple[str, ...] = ()
        self.html_links: tuple[str, ...] = ()
        self.robots_note: str | None = None

    def remaining(self) -> float | None:
        return None if self.deadline is None else max(0.0, self.deadline - self.loop.time())

    def out_of_time(self) -> bool:
        return self.deadline is not None and self.loop.time() >= self.deadline

    # -- where to look ------------------------------------------------------------------------

    async def homepage(
        self, homepage_url: str | None, homepage_html: str | bytes | None, fetch_homepage: bool,
        homepage_links: Sequence[str] | None = None,
    ) -> FetchError | None:
        """Settle the origin to probe and read the homepage's sitemap links.

        Returns the error that makes the domain unreachable on every scheme, else None.
        """
        if homepage_url is not None and homepage_links is not None:
            self.base_url = origin_of(homepage_url)
            self.html_links = tuple(u for u in homepage_links if urlsplit(u).scheme in ("http", "https"))
            return None
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
                    # The host answers, just not with a usable homepage (robots, loops, size):
                    # sitemaps may still be there, so probe on this scheme.
                    self.warnings.append(f"homepage not usable ({exc})")
                    self.base_url, homepage_url = f"{scheme}://{self.domain}", url
                    break
                homepage_url = result.final_url
                if same_site(result.final_url, self.domain):
                    self.base_url = origin_of(result.final_url)
                else:
                    self.warnings.append(f"homepage redirected off-site to {result.final_url}")
                    self.base_url = f"{scheme}://{self.domain}"
                homepage_html = result.content if result.ok else None
                break
            if self.base_url is None:
                return last
        if homepage_html is not None and homepage_url is not None:
            self.html_links = tuple(sitemap_links_from_html(homepage_html, homepage_url))
        return None

    async def _fetch_page(self, url: str) -> FetchResult:
        self.requests += 1
        # A huge homepage is cut short rather than refused: only its <head> is read.
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

    def explicit_roots(self) -> list[Candidate]:
        named: list[tuple[str, DiscoveryMethod]] = [(u, "robots") for u in self.robots_sitemaps]
        named += [(u, "html_link") for u in self.html_links]
        return [Candidate(url, method) for url, method in named if self._claim(url)]

    def known_path_roots(self) -> list[Candidate]:
        mode = self.probe_known_paths
        assert self.base_url is not None
        delay = self.client.host_delay(urlsplit(self.base_url).hostname or "")
        if mode == "always" and self.records and delay > 0:
            # Under a per-host delay each speculative probe costs that delay (14 probes: 14 s at
            # Crawl-delay: 1), holding the whole batch's run; a host that named its sitemaps gets
            # the probes only as a fallback.
            mode = "fallback"
        if mode == "never" or (mode == "fallback" and self.records):
            return []
        urls = [self.base_url + "/" + path.lstrip("/") for path in self.known_paths]
        fresh = [url for url in urls if url_key(url) not in self.finals and self._claim(url)]
        return [Candidate(url, "known_path") for url in fresh]

    def _claim(self, url: str) -> bool:
        key = url_key(url)
        if key in self.claimed:
            return False
        self.claimed.add(key)
        return True

    # -- walking ------------------------------------------------------------------------------

    async def walk(self, level: list[Candidate]) -> None:
        """Fetch `level`, report its files in list order, then do the same for their children."""
        while level:
            if self.out_of_time():
                self._time_up(len(level))
                return
            room = self.max_files - len(self.records)
            # Well-known probes mostly find nothing, so they are capped when reported instead.
            if level[0].method != "known_path" and len(level) > room:
                self.dropped += len(level) - max(room, 0)
                level = level[: max(room, 0)]
            visits = await self._visit_all(level)
            children: list[Candidate] = []
            for candidate, result in zip(level, visits):
                if result is not None:
                    children += self._report(candidate, result)
            level = children

    def _report(self, candidate: Candidate, result: Visit) -> list[Candidate]:
        """Book one visit; returns the children it newly claims."""
        self.requests += result.requests
        if result.answered:
            self.answered += 1
        if result.failure is not None:
            self.failures.append(result.failure)
        if result.note:
            self.warnings.append(result.note)
        record = result.record
        if record is None:
            return []
        if url_key(record.final_url) in self.finals:
            if candidate.method != "known_path":
                note = f"{candidate.url} redirected to {record.final_url}, already found"
                self.warnings.append(note)
            return []
        if len(self.records) >= self.max_files:
            self.dropped += 1
            return []
        self.finals.add(url_key(record.final_url))
        self.records.append(record)
        lineage = candidate.ancestors | {candidate.url, record.final_url}
        return [
            Candidate(child, "index", record.final_url, candidate.depth + 1, lineage)
            for child in result.children
            # listed by an earlier index too (fetched once), or a loop back up the tree
            if url_key(child) not in self.finals and self._claim(child)
        ]

    async def _visit_all(self, level: list[Candidate]) -> list[Visit | None]:
        tasks = [asyncio.ensure_future(visit(self.client, c, self.limits)) for c in level]
        done, pending = await asyncio.wait(tasks, timeout=self.remaining())
        if pending:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            self._time_up(len(pending))
        return [t.result() if t in done else None for t in tasks]

    def _time_up(self, pending: int) -> None:
        self.timed_out = True
        self.unfetched += pending

    # -- outcome ------------------------------------------------------------------------------

    def result(self, error: FetchError | None = None) -> DiscoveryResult:
        warnings = list(self.warnings)
        if self.dropped:
            warnings.append(f"max_files={self.max_files} reached: {self.dropped} file(s) left out")
        if self.timed_out:
            warnings.append(f"time budget exhausted: {self.unfetched} sitemap(s) not fetched")
        error_text = error_kind = None
        if error is not None:
            error_text, error_kind = str(error), error.kind
        elif not self.records and not self.answered and self.failures:
            # Nothing answered any sitemap request: the domain was not examined, not sitemap-less.
            error_text, error_kind = str(self.failures[0]), self.failures[0].kind
        elif not self.records and not self.answered and self.timed_out:
            error_text = "timeout: discovery time budget ran out before any answer"
            error_kind = "timeout"
        return DiscoveryResult(
            domain=self.domain, base_url=self.base_url, files=tuple(self.records), error=error_text,
            error_kind=error_kind, robots_sitemaps=self.robots_sitemaps, html_links=self.html_links,
            robots_note=self.robots_note, warnings=tuple(warnings), requests=self.requests,
            truncated=bool(self.dropped or self.timed_out), elapsed=self.loop.time() - self.started,
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
    homepage_links: Sequence[str] | None = None,
    known_paths: Sequence[str] = KNOWN_SITEMAP_PATHS,
    probe_known_paths: KnownPathMode = "always",
    max_sitemap_bytes: int = PROTOCOL_MAX_BYTES,
    max_decompressed_bytes: int = 2 * PROTOCOL_MAX_BYTES,
    time_budget: float | None = None,
) -> DiscoveryResult:
    """Find and count the sitemaps of `domain` (a bare host name such as "example.com").

    `homepage_url` (the homepage's final URL, e.g. from the metadata scan) fixes the origin to
    probe; without it the homepage is fetched on each of `schemes` in turn until one answers.
    `homepage_html` is the page to read `<link rel="sitemap">` from; when it is missing and
    `fetch_homepage` is set, the homepage is fetched for it. `homepage_links` (with `homepage_url`)
    are the homepage's `<link rel="sitemap">` URLs as a recent scan read them: the homepage is then
    neither fetched nor read. `probe_known_paths` is "always",
    "fallback" (only when robots.txt and the homepage named nothing usable) or "never"; "always"
    acts as "fallback" on a host with a per-host delay (Crawl-delay or the client's setting).
    Roots are depth 0 and an index at `max_depth` is not followed; `max_files` caps the files
    reported; `max_sitemap_bytes` / `max_decompressed_bytes` cap each body as received and as
    expanded from gzip; `time_budget` (seconds) bounds the whole domain, after which the files
    found so far come back with `truncated` set.

    Never raises for network or content trouble: that ends up in `DiscoveryResult.error` (the
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
        client, domain.strip().lower().rstrip("."), schemes=schemes, max_files=max_files,
        known_paths=known_paths, probe_known_paths=probe_known_paths, limits=limits,
        time_budget=time_budget,
    )
    try:
        async with asyncio.timeout(run.remaining()):
            unreachable = await run.homepage(homepage_url, homepage_html, fetch_homepage, homepage_links)
            if unreachable is not None:
                return run.result(unreachable)
            await run.robots()
    except TimeoutError:
        run._time_up(0)
        if run.base_url is None:
            return run.result()
    await run.walk(run.explicit_roots())
    if not run.out_of_time():
        await run.walk(run.known_path_roots())
    return run.result()
