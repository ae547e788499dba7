"""Bounded same-site crawl of one domain for contacts: the library side of the WF8 email crawl.

`crawl_site` fetches the homepage (trying the next scheme only while the connection itself
fails), then pages from a priority frontier: contact pages first, then about/team/legal and so on
(`pages.contact_priority`, or the anchor text when it names a contact page the URL does not),
shallower before deeper, discovery order last. Seeds (e.g. pages imported from sitemaps) join the
frontier at depth 0. The crawl never leaves the site (the domain and its subdomains), never queues
assets or system paths (`classify_url(...).filtered`), skips non-HTML responses, deduplicates on
`links.crawl_key` and on final URLs after redirects, and checks robots.txt before each page
(HttpClient enforces it too; checking first tells a skipped page from a fetched one). It stops on an
empty frontier, at ``max_pages`` fetches, at the time budget (in-flight fetches are cancelled), or
early once a contact page and N emails were found. Every page's outcome is recorded and no page's
failure stops the crawl; the result says why the crawl stopped.
"""

from __future__ import annotations

import asyncio
import heapq
import re
from collections import Counter
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import urlsplit

from scrapersky_pipelines.lib.contacts import extract
from scrapersky_pipelines.lib.crawl_records import (
    STOP_KINDS,
    CrawlContact,
    CrawlPage,
    CrawlPhone,
    CrawlResult,
    PageEmail,
)
from scrapersky_pipelines.lib.http import FetchError, FetchResult, HttpClient
from scrapersky_pipelines.lib.links import Link, crawl_key, extract_links
from scrapersky_pipelines.lib.page_scrape import is_html
from scrapersky_pipelines.lib.pages import (
    CONTACT_CATEGORIES,
    CONTACT_THRESHOLD,
    classify_url,
    contact_priority,
)
from scrapersky_pipelines.lib.urls import same_site

__all__ = [
    "DEFAULT_MAX_PAGE_BYTES",
    "STOP_KINDS",
    "CrawlContact",
    "CrawlPage",
    "CrawlPhone",
    "CrawlResult",
    "PageEmail",
    "crawl_site",
]

# Pages larger than this are cut, not refused: the contact details are in the first megabytes.
DEFAULT_MAX_PAGE_BYTES = 2 * 1024 * 1024

# Page-level homepage failures after which seeds are still worth trying (the host does answer).
_HOMEPAGE_SOFT_FAILURES = frozenset({"http_status", "not_html"})
_CONNECTION_KINDS = frozenset({"connect", "protocol"})
# How HttpClient words a robots.txt it could not fetch (lib/http.py, _load_robots).
_ROBOTS_UNREACHABLE_RE = re.compile(
    r"^robots\.txt unreachable \((\w+): (.*)\): assume complete disallow$", re.S
)
_ANCHOR_JUNK_RE = re.compile(r"[^\w\s-]+")
_MAX_ANCHOR_WORDS = 4

_T = TypeVar("_T")


@dataclass(order=True, slots=True)
class _Item:
    priority: int
    depth: int
    seq: int
    url: str = field(compare=False)
    key: str = field(compare=False)
    category: str = field(compare=False)
    order: int = field(default=0, compare=False)  # when it was taken from the frontier


@dataclass(slots=True)
class _Outcome:
    item: _Item
    page: CrawlPage
    links: tuple[Link, ...] = ()
    socials: dict[str, list[str]] = field(default_factory=dict)
    final_key: str | None = None
    robots_reason: str | None = None


def _site_host(domain: str) -> str:
    text = domain.strip()
    host = urlsplit(text).hostname if "://" in text else text.split("/", 1)[0]
    host = (host or "").lower().rstrip(".")
    if not host:
        raise ValueError(f"no host in domain {domain!r}")
    return host


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _anchor_hint(text: str) -> tuple[int, str] | None:
    """(priority, category) when a short anchor text names a contact-like page ("Kontakt")."""
    words = _ANCHOR_JUNK_RE.sub(" ", text).split()
    if not words or len(words) > _MAX_ANCHOR_WORDS:
        return None
    pc = classify_url("/" + "-".join(words))
    if pc.filtered or pc.category not in CONTACT_CATEGORIES or pc.confidence < CONTACT_THRESHOLD:
        return None
    return contact_priority(pc), pc.category


def _robots_unreachable(reason: str | None) -> tuple[str, str] | None:
    """(FetchError kind, message) when robots.txt could not be fetched at all."""
    match = _ROBOTS_UNREACHABLE_RE.match(reason or "")
    return (match.group(1), match.group(2)) if match else None


class _Crawl:
    """State of one crawl. Only the coroutine running `run` mutates it, so no locks are needed."""

    def __init__(
        self,
        client: HttpClient,
        host: str,
        seeds: Sequence[str],
        schemes: Sequence[str],
        max_pages: int,
        budget_seconds: float,
        region: str | None,
        concurrency: int,
        stop_after_emails: int | None,
        max_page_bytes: int,
    ) -> None:
        self.client = client
        self.host = host
        self.seeds = tuple(seeds)
        self.schemes = tuple(schemes)
        self.max_pages = max_pages
        self.budget = budget_seconds
        self.region = region
        self.concurrency = concurrency
        self.stop_after_emails = stop_after_emails
        self.max_page_bytes = max_page_bytes
        self.user_agent = client.settings.user_agent
        self.frontier: list[_Item] = []
        self.queued: set[str] = set()  # every key ever put in the frontier
        self.taken: set[str] = set()  # keys handed to a fetch
        self.done: dict[str, str] = {}  # key (requested or final) -> URL of the page fetched for it
        self.aliases: dict[str, str] = {}  # origin -> origin it redirects to (apex -> www)
        self.outcomes: list[_Outcome] = []
        self.visited = 0
        self.emails: set[str] = set()
        self.contact_page_seen = False
        self.start_url: str | None = None
        self.deadline = 0.0
        self._seq = 0
        self._taken_count = 0

    # -- frontier -------------------------------------------------------------------------------

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _dealias(self, url: str) -> str:
        origin = _origin(url)
        target = self.aliases.get(origin)
        return target + url[len(origin):] if target else url

    def _enqueue(self, url: str, depth: int, text: str = "") -> None:
        key = crawl_key(url, self.start_url)
        if key is None or not same_site(key, self.host):
            return
        key = self._dealias(key)
        if key in self.queued or key in self.done:
            return
        pc = classify_url(key)
        if pc.filtered:
            return
        priority, category = contact_priority(pc), pc.category
        hint = _anchor_hint(text) if text else None
        if hint is not None and hint[0] < priority:
            priority, category = hint
        self.queued.add(key)
        item = _Item(priority, depth, self._next_seq(), key, key, category)
        heapq.heappush(self.frontier, item)

    def _take(self, item: _Item) -> _Item:
        self.taken.add(item.key)
        self._taken_count += 1
        item.order = self._taken_count
        return item

    def _next_item(self) -> _Item | None:
        while self.frontier:
            item = heapq.heappop(self.frontier)
            url = self._dealias(item.url)
            if url != item.url:  # an alias learnt after it was queued
                item.url = url
                item.key = crawl_key(url) or url
            if item.key in self.taken or item.key in self.done:
                continue
            return self._take(item)
        return None

    def _frontier_left(self) -> int:
        return sum(1 for item in self.frontier if self._dealias(item.key) not in self.done)

    # -- one page -------------------------------------------------------------------------------

    async def _visit(self, item: _Item) -> _Outcome:
        base = CrawlPage(url=item.url, depth=item.depth, priority=item.priority,
                         category=item.category)
        try:
            try:
                policy = await self.client.robots(item.url)
            except FetchError as exc:
                return _Outcome(item, replace(base, error_kind=exc.kind, error=str(exc)))
            if not policy.allowed(item.url, self.user_agent):
                kind = "robots_disallowed" if policy.reason == "parsed" else "robots_unavailable"
                page = replace(base, error_kind=kind, error=f"{kind}: robots.txt: {policy.reason}")
                return _Outcome(item, page, robots_reason=policy.reason)
            try:
                result = await self.client.fetch(
                    item.url, allow_truncated=True,
                    max_bytes=self.max_page_bytes, max_decompressed_bytes=self.max_page_bytes,
                )
            except FetchError as exc:
                page = replace(base, fetched=True, error_kind=exc.kind, error=str(exc))
                return _Outcome(item, page)
            return self._examine(item, base, result)
        except Exception as exc:  # noqa: BLE001 - one page's bug must not end the crawl
            error = f"internal: {type(exc).__name__}: {exc}"
            return _Outcome(item, replace(base, error_kind="internal", error=error))

    def _examine(self, item: _Item, base: CrawlPage, result: FetchResult) -> _Outcome:
        final = result.final_url
        page = replace(
            base, fetched=True, final_url=final, status=result.status,
            content_type=result.content_type, redirects=tuple(result.redirects),
            truncated=result.truncated, elapsed=result.elapsed,
        )
        if not same_site(final, self.host):
            error = f"offsite_redirect: redirected off the site to {final}"
            return _Outcome(item, replace(page, error_kind="offsite_redirect", error=error))
        final_key = crawl_key(final) or item.key
        if not result.ok:
            error = f"http_status: HTTP {result.status} from {final}"
            page = replace(page, error_kind="http_status", error=error)
            return _Outcome(item, page, final_key=final_key)
        if not is_html(result):
            error = f"not_html: {result.content_type or 'a body of unknown type'} is not HTML"
            page = replace(page, error_kind="not_html", error=error)
            return _Outcome(item, page, final_key=final_key)
        text = result.text
        links = extract_links(text, final)
        found = extract(text, final, self.region)
        emails = tuple(
            PageEmail(hit.address, hit.kind, found.names.get(hit.address)) for hit in found.emails
        )
        phones = tuple(dict.fromkeys(hit.e164 for hit in found.phones))
        page = replace(page, title=links.title, links_found=len(links.links), emails=emails,
                       phones=phones)
        return _Outcome(item, page, links.links, dict(found.socials), final_key)

    def _record(self, outcome: _Outcome) -> None:
        item, page = outcome.item, outcome.page
        self.done.setdefault(item.key, item.url)
        final_key = outcome.final_key
        if final_key is not None and final_key != item.key:
            owner = self.done.get(final_key)
            if owner is not None and owner != item.url:
                page = replace(page, duplicate_of=owner, emails=(), phones=(), links_found=0)
                outcome = _Outcome(item, page, final_key=final_key)
            else:
                self.done[final_key] = item.url
            self._learn_alias(item.url, page.final_url)
        self.outcomes.append(outcome)
        if page.fetched:
            self.visited += 1
        self.emails.update(email.address.lower() for email in page.emails)
        if page.ok and page.category == "contact" and page.duplicate_of is None:
            self.contact_page_seen = True
        for link in outcome.links:
            self._enqueue(link.url, item.depth + 1, link.text)

    def _learn_alias(self, url: str, final: str | None) -> None:
        """Remember host- or scheme-only redirects: later links then go to the final origin."""
        if not final:
            return
        asked, got = urlsplit(url), urlsplit(final)
        if (asked.path, asked.query) != (got.path, got.query):
            return
        source, target = _origin(url), _origin(final)
        if source != target and self.aliases.get(target) != source:
            self.aliases[source] = target

    def _cancelled(self, item: _Item) -> None:
        page = CrawlPage(
            url=item.url, depth=item.depth, priority=item.priority, category=item.category,
            error_kind="cancelled", error="cancelled: time budget reached before the page finished",
        )
        self.outcomes.append(_Outcome(item, page))

    async def _within_budget(self, work: Coroutine[Any, Any, _T]) -> _T | None:
        budget = asyncio.timeout_at(self.deadline)
        try:
            async with budget:
                return await work
        except TimeoutError:
            if budget.expired():
                return None
            raise

    # -- the crawl ------------------------------------------------------------------------------

    def _budget_stop(self) -> tuple[str, str]:
        return "budget", f"time budget reached ({self.budget:g}s)"

    def _enough_stop(self) -> tuple[str, str]:
        return "enough_contacts", f"contact page and {self.stop_after_emails} emails found"

    async def _homepage(self) -> tuple[str, str] | None:
        """Fetch the homepage; a (stop kind, reason) when the crawl cannot go on."""
        outcome: _Outcome | None = None
        for index, scheme in enumerate(self.schemes):
            url = crawl_key(f"{scheme}://{self.host}/")
            if url is None:
                reason = f"homepage unreachable: invalid_url: no web URL for {self.host!r}"
                return "homepage_unreachable", reason
            item = self._take(_Item(0, 0, self._next_seq(), url, url, "other"))
            self.queued.add(url)
            outcome = await self._within_budget(self._visit(item))
            if outcome is None:
                self._cancelled(item)
                return self._budget_stop()
            self._record(outcome)
            page = outcome.page
            unreachable = _robots_unreachable(outcome.robots_reason)
            connection_failed = page.error_kind in _CONNECTION_KINDS or (
                unreachable is not None and unreachable[0] in _CONNECTION_KINDS
            )
            if not connection_failed or index + 1 == len(self.schemes):
                break
        assert outcome is not None
        page = outcome.page
        if page.ok:
            self.start_url = page.final_url
        elif page.error_kind == "offsite_redirect":
            return "offsite_redirect", f"homepage redirects off-site to {page.final_url}"
        elif page.error_kind == "robots_disallowed":
            return "robots_disallowed", "robots.txt disallows the site"
        elif page.error_kind not in _HOMEPAGE_SOFT_FAILURES or not self.seeds:
            return "homepage_unreachable", f"homepage unreachable: {_homepage_problem(outcome)}"
        else:
            self.start_url = page.final_url or page.url
        for seed in self.seeds:
            self._enqueue(seed, 0)
        return None

    def _parallel(self) -> int:
        # With a Crawl-delay the client spaces request starts anyway, and a queued request's wait
        # counts against its own total timeout: one at a time is as fast and never times out queued.
        start_host = urlsplit(self.start_url).hostname if self.start_url else None
        if self.client.host_delay(start_host or self.host) > 0:
            return 1
        return self.concurrency

    def _enough(self) -> bool:
        wanted = self.stop_after_emails
        return wanted is not None and self.contact_page_seen and len(self.emails) >= wanted

    async def _crawl(self) -> tuple[str, str]:
        loop = asyncio.get_running_loop()
        inflight: dict[asyncio.Task[_Outcome], _Item] = {}
        early = self._enough_stop() if self._enough() else None
        try:
            while True:
                if loop.time() >= self.deadline:
                    return early or self._budget_stop()
                while (
                    early is None
                    and len(inflight) < self._parallel()
                    and self.visited + len(inflight) < self.max_pages
                ):
                    item = self._next_item()
                    if item is None:
                        break
                    inflight[asyncio.ensure_future(self._visit(item))] = item
                if not inflight:
                    break
                done, _ = await asyncio.wait(
                    inflight, timeout=max(0.0, self.deadline - loop.time()),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if not done:
                    return early or self._budget_stop()
                for task in sorted(done, key=lambda t: inflight[t].order):
                    inflight.pop(task)
                    self._record(task.result())
                if early is None and self._enough():
                    early = self._enough_stop()
        finally:
            for task in inflight:
                task.cancel()
            await asyncio.gather(*inflight, return_exceptions=True)
            for item in inflight.values():
                self._cancelled(item)
        if early is not None:
            return early
        if self._frontier_left():
            return "max_pages", f"max pages reached ({self.max_pages})"
        return "exhausted", "frontier exhausted"

    async def run(self) -> CrawlResult:
        loop = asyncio.get_running_loop()
        started = loop.time()
        self.deadline = started + self.budget
        stop = await self._homepage()
        if stop is None:
            stop = await self._crawl()
        return self._result(stop, loop.time() - started)

    def _result(self, stop: tuple[str, str], elapsed: float) -> CrawlResult:
        outcomes = sorted(self.outcomes, key=lambda o: o.item.order)
        pages = tuple(o.page for o in outcomes)
        contacts: dict[str, CrawlContact] = {}
        phones: dict[str, CrawlPhone] = {}
        socials: dict[str, dict[str, None]] = {}
        for outcome in outcomes:
            page = outcome.page
            source = page.final_url or page.url
            first_phone = page.phones[0] if page.phones else None
            for email in page.emails:
                key = email.address.lower()
                known = contacts.get(key)
                if known is None:
                    contacts[key] = CrawlContact(email.address, email.kind, source, first_phone,
                                                 email.name)
                elif (known.phone is None and first_phone) or (known.name is None and email.name):
                    contacts[key] = replace(known, phone=known.phone or first_phone,
                                            name=known.name or email.name)
            for e164 in page.phones:
                phones.setdefault(e164, CrawlPhone(e164, source))
            for network, urls in outcome.socials.items():
                socials.setdefault(network, {}).update(dict.fromkeys(urls))
        errors = Counter(page.error_kind for page in pages if page.error_kind)
        kind, reason = stop
        return CrawlResult(
            domain=self.host,
            stop_reason=reason,
            stop_kind=kind,
            pages=pages,
            contacts=tuple(contacts.values()),
            phones=tuple(phones.values()),
            socials={network: tuple(urls) for network, urls in socials.items()},
            errors_by_kind=dict(sorted(errors.items())),
            start_url=self.start_url,
            frontier_left=self._frontier_left(),
            elapsed=elapsed,
        )


def _homepage_problem(outcome: _Outcome) -> str:
    page = outcome.page
    if page.error_kind == "http_status":
        return f"HTTP {page.status}"
    if page.error_kind == "not_html":
        return f"not HTML ({page.content_type or 'no content type'})"
    if page.error_kind == "robots_unavailable":
        unreachable = _robots_unreachable(outcome.robots_reason)
        if unreachable is not None:
            return f"{unreachable[0]}: robots.txt unreachable: {unreachable[1]}"
        return outcome.robots_reason or "robots.txt unavailable"
    return page.error or page.error_kind or "unknown error"


async def crawl_site(
    client: HttpClient,
    domain: str,
    *,
    seeds: Sequence[str] = (),
    schemes: Sequence[str] = ("https", "http"),
    max_pages: int = 25,
    budget_seconds: float = 60.0,
    region: str | None = None,
    concurrency: int = 2,
    stop_after_emails: int | None = None,
    max_page_bytes: int = DEFAULT_MAX_PAGE_BYTES,
) -> CrawlResult:
    """Crawl ``domain`` (a bare host; a URL is cut to its host) for contacts, politely and bounded.

    ``seeds`` are extra same-site URLs (relative ones resolve against the homepage), queued at depth
    0; off-site and asset seeds are ignored. ``max_pages`` caps fetches (homepage included),
    ``budget_seconds`` the whole crawl's wall time, ``concurrency`` the pages in flight (the
    client's per-host limits and Crawl-delay still apply). ``region`` (ISO 3166 alpha-2) is passed
    to phone parsing. With ``stop_after_emails`` the crawl ends once a contact page was visited and
    at least that many distinct emails were found. Site problems never raise; the result has them.
    """
    if max_pages < 1:
        raise ValueError("max_pages must be >= 1")
    if not budget_seconds > 0:
        raise ValueError("budget_seconds must be > 0")
    if concurrency < 1:
        raise ValueError("concurrency must be >= 1")
    if stop_after_emails is not None and stop_after_emails < 1:
        raise ValueError("stop_after_emails must be >= 1 (or None)")
    if max_page_bytes < 1:
        raise ValueError("max_page_bytes must be >= 1")
    if not schemes or any(s not in ("http", "https") for s in schemes):
        raise ValueError(f"schemes must be a non-empty sequence of 'http'/'https', not {schemes!r}")
    crawl = _Crawl(client, _site_host(domain), seeds, schemes, max_pages, budget_seconds, region,
                   concurrency, stop_after_emails, max_page_bytes)
    return await crawl.run()
