"""robots.txt files shared between runs: what a run may reuse and what it fetched for the next ones.

Every stage of the domain path fetches from the same origins, so a robots.txt answer is kept
(RFC 9309 section 2.4 lets a crawler cache it for up to 24 hours) and handed to the next run's
HTTP client instead of being fetched again. Only answers that say something durable are kept:
2xx (the rules) and 4xx ("unavailable", allow all). 5xx, 429 and network errors mean
"unreachable" (disallow all) and are fetched again by the next run rather than remembered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

__all__ = ["MAX_AGE_SECONDS", "RobotsCache", "RobotsFile", "is_cacheable", "robots_hosts"]

# RFC 9309 section 2.4: "crawlers SHOULD NOT use the cached version for more than 24 hours".
MAX_AGE_SECONDS = 24 * 3600.0


def is_cacheable(status: int) -> bool:
    return 200 <= status < 300 or (400 <= status < 500 and status != 429)


@dataclass(frozen=True, slots=True)
class RobotsFile:
    """One origin's robots.txt answer as fetched: status, body (2xx only) and final URL."""

    origin: str
    status: int
    content: bytes
    final_url: str
    fetched_at: datetime

    @property
    def host(self) -> str:
        return urlsplit(self.origin).hostname or ""

    def fresh(self, max_age_seconds: float, now: datetime | None = None) -> bool:
        now = now or datetime.now(UTC)
        return max_age_seconds > 0 and now - self.fetched_at <= timedelta(seconds=max_age_seconds)


@dataclass
class RobotsCache:
    """Files known before a run (seeds for its client) and files its client fetched (to keep)."""

    known: list[RobotsFile] = field(default_factory=list)
    fetched: list[RobotsFile] = field(default_factory=list)


def robots_hosts(rows: Iterable[dict]) -> set[str]:
    """The hosts a batch of queue rows will fetch from first: each bare domain with and without
    ``www.``, and the host of every URL the rows carry."""
    hosts: set[str] = set()
    for row in rows:
        domain = row.get("domain")
        if domain:
            bare = domain.lower().removeprefix("www.")
            hosts.update((bare, "www." + bare))
        for key in ("url", "final_url"):
            value = row.get(key)
            if value:
                host = urlsplit(value).hostname
                if host:
                    hosts.add(host)
    return hosts
