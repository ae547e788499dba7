"""One fetched page to the contacts it gives: emails with kind, the page's phone and a person's name.

Pure: it takes a completed fetch and returns what to store. The contacts table is keyed by
(domain, email), so a page's phone numbers ride on its emails (the first number, E.164).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .contacts import extract
from .http import FetchResult
from .metadata import parse_page_metadata

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class FoundContact:
    email: str
    kind: str
    phone: str | None
    name: str | None
    source_url: str


@dataclass
class PageScrape:
    ok: bool
    error_kind: str | None = None
    error: str | None = None
    title: str | None = None
    contacts: list[FoundContact] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)


def is_html(result: FetchResult) -> bool:
    ctype = result.content_type
    if ctype is None:
        head = result.content[:512].lstrip().lower()
        return head.startswith((b"<!doctype html", b"<html")) or b"<head" in head
    return ctype in HTML_TYPES


def scrape_page(result: FetchResult, region: str | None = None) -> PageScrape:
    """Contacts on a fetched page, or why there are none to look for (HTTP status, not HTML)."""
    if not result.ok:
        return PageScrape(False, "http_status", f"http_status: page answered HTTP {result.status}")
    if not is_html(result):
        return PageScrape(False, "not_html", f"not_html: page is {result.content_type or 'of unknown type'}")
    found = extract(result.content, result.final_url, region)
    title = parse_page_metadata(result.content, result.final_url, result.content_type).title
    phones = [p.e164 for p in found.phones]
    phone = phones[0] if phones else None
    contacts = [
        FoundContact(e.address, e.kind, phone, found.names.get(e.address), result.final_url)
        for e in found.emails
    ]
    return PageScrape(True, title=title, contacts=contacts, phones=phones)
