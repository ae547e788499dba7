"""Records of a same-site contact crawl (`crawl.crawl_site`): pages, contacts, phones, the result.

Frozen dataclasses with no behaviour beyond small views, so stages and tests can build, compare and
store them without touching the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["STOP_KINDS", "CrawlContact", "CrawlPage", "CrawlPhone", "CrawlResult", "PageEmail"]

# Machine-readable companions of `CrawlResult.stop_reason`. The first four end a crawl that ran; the
# rest mean the site could not be crawled at all.
STOP_KINDS = (
    "exhausted",
    "max_pages",
    "budget",
    "enough_contacts",
    "homepage_unreachable",
    "robots_disallowed",
    "offsite_redirect",
)
_FAILED_STOPS = frozenset({"homepage_unreachable", "robots_disallowed", "offsite_redirect"})


@dataclass(frozen=True, slots=True)
class PageEmail:
    """An address found on a page, with its kind and the person the page ties it to."""

    address: str
    kind: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class CrawlPage:
    """One page the crawl took from its frontier, and what became of it.

    ``fetched`` says a request for the page was made (robots.txt skips and budget cancellations are
    not). ``error_kind`` is a FetchError kind, or one of robots_disallowed, robots_unavailable,
    http_status, not_html, offsite_redirect, cancelled, internal; ``error`` is "kind: message".
    ``duplicate_of`` names the earlier page a redirect landed on (nothing is extracted twice).
    """

    url: str
    depth: int
    priority: int
    category: str
    fetched: bool = False
    final_url: str | None = None
    status: int | None = None
    error_kind: str | None = None
    error: str | None = None
    title: str | None = None
    content_type: str | None = None
    redirects: tuple[str, ...] = ()
    truncated: bool = False
    links_found: int = 0
    duplicate_of: str | None = None
    emails: tuple[PageEmail, ...] = ()
    phones: tuple[str, ...] = ()
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error_kind is None and self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class CrawlContact:
    """A distinct email of the site: first page (final URL) it appeared on, that page's first phone
    and the person's name from the first page that gives one."""

    address: str
    kind: str
    source_url: str
    phone: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class CrawlPhone:
    """A distinct phone number (E.164) of the site and the first page it appeared on."""

    e164: str
    source_url: str


@dataclass(frozen=True)
class CrawlResult:
    """Everything one crawl found; pages are in the order they were taken from the frontier."""

    domain: str
    stop_reason: str
    stop_kind: str
    pages: tuple[CrawlPage, ...] = ()
    contacts: tuple[CrawlContact, ...] = ()
    phones: tuple[CrawlPhone, ...] = ()
    socials: dict[str, tuple[str, ...]] = field(default_factory=dict)
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    start_url: str | None = None
    frontier_left: int = 0
    elapsed: float = 0.0

    @property
    def pages_visited(self) -> int:
        return sum(1 for page in self.pages if page.fetched)

    @property
    def ok(self) -> bool:
        """Whether the site could be crawled (the homepage, or seeds after it, were reachable)."""
        return self.stop_kind not in _FAILED_STOPS

    @property
    def contact_pages(self) -> tuple[str, ...]:
        """Final URLs of the contact pages visited successfully."""
        return tuple(
            p.final_url or p.url
            for p in self.pages
            if p.ok and p.category == "contact" and p.duplicate_of is None
        )

    def summary(self) -> dict[str, Any]:
        """The crawl's outcome as plain JSON-able values, for the domain row."""
        return {
            "pages_visited": self.pages_visited,
            "contacts_found": len(self.contacts),
            "phones_found": len(self.phones),
            "stop_reason": self.stop_reason,
            "stop_kind": self.stop_kind,
            "errors_by_kind": dict(self.errors_by_kind),
            "contact_pages": list(self.contact_pages),
            "start_url": self.start_url,
            "frontier_left": self.frontier_left,
            "elapsed_seconds": round(self.elapsed, 3),
        }
