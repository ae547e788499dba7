"""WF3: turn a business website string into its registrable domain, or say why there is none.

Pure and offline. Parsing, IDN handling and the list of hosted platforms come from `lib.urls`; this
module adds the outcome kinds the stage needs (a domain, no website, a hosted-platform page, not a web
address) and computes the registrable domain with the private section of the public suffix list too,
so sites on shared hosts (acme.s3.amazonaws.com) keep their own name instead of collapsing into one
"amazonaws.com" row shared by unrelated businesses.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import tldextract

from scrapersky_pipelines.lib.urls import InvalidDomain, domain_from_website, normalize_domain

__all__ = ["Extraction", "ExtractionKind", "extract_domain"]

# Bundled snapshot only (no network, no disk cache), private suffixes included.
_PRIVATE = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)
_WRAPPERS = "\"'<>()[] "
_PLATFORM_PREFIX = "hosted platform page"


class ExtractionKind(StrEnum):
    DOMAIN = "domain"
    NO_WEBSITE = "no_website"
    PLATFORM = "platform"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Extraction:
    """A registrable domain (kind DOMAIN), or no domain and the reason (every other kind)."""

    kind: ExtractionKind
    domain: str | None = None
    reason: str | None = None

    @property
    def has_domain(self) -> bool:
        return self.kind is ExtractionKind.DOMAIN


@lru_cache(maxsize=65536)
def _registrable(host: str) -> str | None:
    ext = _PRIVATE(host)
    if not ext.domain or not ext.suffix:
        return None
    return f"{ext.domain}.{ext.suffix}"


def extract_domain(website: str | None) -> Extraction:
    """The registrable domain behind `website` (lower-case ASCII/punycode, no www), or why there is none."""
    if website is None or not website.strip(_WRAPPERS + "\t\r\n"):
        return Extraction(ExtractionKind.NO_WEBSITE, reason="no website")
    text = website.strip().strip(_WRAPPERS)
    try:
        host = normalize_domain(text)
    except InvalidDomain as exc:
        why = str(exc) or "invalid"
        reason = why if why.startswith("not a web address") else f"not a web address: {why}"
        return Extraction(ExtractionKind.INVALID, reason=reason)
    found = domain_from_website(text)
    if found.domain is None:
        reason = found.reason or "not a web address"
        if reason.startswith(_PLATFORM_PREFIX):
            return Extraction(ExtractionKind.PLATFORM, reason=reason)
        return Extraction(ExtractionKind.INVALID, reason=reason)
    domain = _registrable(host)
    if domain is None:
        # The host is itself a shared-hosting suffix (e.g. "s3.amazonaws.com"): nobody's own site.
        return Extraction(ExtractionKind.PLATFORM, reason=f"{_PLATFORM_PREFIX}: {host}")
    return Extraction(ExtractionKind.DOMAIN, domain=domain)
