"""Contact extraction for one HTML page: emails, phone numbers, social profiles and person names.

Pure and offline: one lxml parse (`html_text.parse_page`) feeds the email (`emails`, with `emails_obfuscation`,
`email_filters`, `email_kinds`), phone (`phones`) and social (`socials`) extractors; see those modules for
sources, filters and the email-kind precedence (role > free-mail > personal > same-domain > third-party).
Quality on the labelled corpus: `python -m benchmarks.extraction_quality`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scrapersky_pipelines.lib.email_filters import registrable_domain
from scrapersky_pipelines.lib.emails import EmailHit, extract_emails
from scrapersky_pipelines.lib.html_text import parse_page
from scrapersky_pipelines.lib.phones import PhoneHit, extract_phones, infer_region
from scrapersky_pipelines.lib.socials import extract_socials

__all__ = ["ContactExtraction", "EmailHit", "PhoneHit", "extract", "page_domain"]


@dataclass(frozen=True, slots=True)
class ContactExtraction:
    """Everything found on one page. `names` maps an address (as in `emails`) to a person's name."""

    emails: list[EmailHit] = field(default_factory=list)
    phones: list[PhoneHit] = field(default_factory=list)
    socials: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


def page_domain(url: str | None) -> str | None:
    """Registrable domain of a page URL (``https://www.acme.co.uk/x`` -> ``acme.co.uk``), or None."""
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:
        return None
    return registrable_domain(host) if host else None


def extract(html: str | bytes, url: str, region: str | None = None) -> ContactExtraction:
    """Extract contacts from one page fetched from `url`; `region` (ISO 3166 alpha-2) overrides the
    ccTLD / ``<html lang>`` guess used for national-format phone numbers."""
    page = parse_page(html)
    if page.root is None:
        return ContactExtraction()
    emails, names = extract_emails(page, page_domain(url))
    phones = extract_phones(page, infer_region(url, page.lang, region))
    return ContactExtraction(emails=emails, phones=phones, socials=extract_socials(page), names=names)
