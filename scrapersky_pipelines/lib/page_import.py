"""From a sitemap entry's URL to the page row to store: canonical URL, category, filter reason, queueing.

Pure and cheap (it runs once per imported URL). Off-site URLs, assets, feeds and system paths are
kept as Filtered pages with the reason, never dropped; contact-like pages above the confidence
threshold are marked for scraping when the policy asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .pages import CONTACT_CATEGORIES, CONTACT_THRESHOLD, classify_url
from .urls import normalize_url, same_site

MAX_URL_CHARS = 2048


@dataclass(frozen=True, slots=True)
class PagePolicy:
    queue_contact_pages: bool = True
    min_confidence: float = CONTACT_THRESHOLD


@dataclass(frozen=True, slots=True)
class ImportedPage:
    url: str
    category: str
    confidence: float
    depth: int
    filter_reason: str | None
    queue_scrape: bool

    @property
    def filtered(self) -> bool:
        return self.filter_reason is not None


def import_page(loc: str, domain: str, policy: PagePolicy = PagePolicy()) -> ImportedPage | None:
    """The page to store for `loc` listed in a sitemap of `domain`; None when it is not a web URL at all."""
    url = normalize_url(loc)
    if url is None:
        return None
    if len(url) > MAX_URL_CHARS:
        return ImportedPage(url[:MAX_URL_CHARS], "other", 0.0, 0, f"URL longer than {MAX_URL_CHARS} characters", False)
    page = classify_url(url)
    reason = page.reason if page.filtered else None
    if reason is None and not same_site(url, domain):
        reason = f"off-site URL (not on {domain})"
    queue = (
        reason is None and policy.queue_contact_pages and page.category in CONTACT_CATEGORIES
        and page.confidence >= policy.min_confidence
    )
    return ImportedPage(url, page.category, page.confidence, page.depth, reason, queue)
