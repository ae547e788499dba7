"""Email address validation, normalisation and false-positive filtering.

Validation is a practical RFC 5321/6531 subset: a dot-atom local part of at most 64 characters (unicode letters
allowed) and a domain that is a valid DNS name (IDNA 2008 + UTS 46, labels <= 63, total <= 253) with a
registrable part under a real public suffix (tldextract's bundled list, offline; `urls.registrable_domain`).

Filtered although syntactically valid: asset names (``logo@2x.png``, ``icon@3x.webp``), Sentry and Wix DSNs
(``<hex key>@o1.ingest.sentry.io``, ``@sentry.wixpress.com``), package specifiers (``react@18.2.0`` never
validates: numeric TLD), ``git@github.com``, theme-vendor demo addresses, and placeholders (``you@example.com``,
``name@domain.com``, ``email@email.com``, ``max.mustermann@...``). JSON-escape debris (``u003e``) is stripped
from either end before validation.

Normal form: local part as written (NFC), domain lower-case in Unicode (punycode labels decoded), so that
``info@XN--BCKEREI-MXA.DE`` and ``info@bäckerei.de`` are one address; `email_key` is the case-folded
deduplication key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import idna

from scrapersky_pipelines.lib import urls
from scrapersky_pipelines.lib.email_words import (
    ASSET_EXTENSIONS,
    PLACEHOLDER_DOMAIN_LABELS,
    PLACEHOLDER_LOCALS,
    PLACEHOLDER_SELF_LOCALS,
    VENDOR_DOMAINS,
)

__all__ = ["best_domain", "email_key", "is_filtered", "normalize_email", "registrable_domain", "valid_domain"]

_LOCAL_ATEXT_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_HEX_RE = re.compile(r"^[0-9a-fA-F]+$")
_DEBRIS_PREFIX_RE = re.compile(r"^(?:u00[0-9a-f]{2})+", re.I)
_DEBRIS_SUFFIX_RE = re.compile(r"(?:u00[0-9a-f]{2})+$", re.I)
_ASSET_LABEL_RE = re.compile(r"^\d+(?:[.,_-]\d+)?x$")
_DSN_SUFFIXES = ("sentry.io", "sentry.wixpress.com", "sentry-next.wixpress.com", "sentry.shopify.com")
_GIT_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org"})
_STRIP = "<>\"'()[]{},;:!?*|`"


@lru_cache(maxsize=16384)
def registrable_domain(host: str) -> str | None:
    """Registrable domain (eTLD+1, ASCII/punycode, lower-case) of a host, or None when it has none."""
    if not host or len(host) > 253:
        return None
    return urls.registrable_domain(host)


@lru_cache(maxsize=16384)
def valid_domain(domain: str) -> str | None:
    """The Unicode, lower-case form of a mail domain when it is a real, registrable DNS name, else None."""
    domain = domain.strip().rstrip(".").lower()
    if "." not in domain or registrable_domain(domain) is None:
        return None
    if "xn--" in domain:
        try:
            domain = idna.decode(domain)
        except (idna.IDNAError, UnicodeError):
            return None
    return unicodedata.normalize("NFC", domain)


def _local_ok(local: str) -> bool:
    if not 0 < len(local) <= 64 or local[0] == "." or local[-1] == "." or ".." in local:
        return False
    if local.isascii():
        return bool(_LOCAL_ATEXT_RE.match(local))
    # Internationalised local parts (RFC 6531): letters, digits and the ASCII atext set.
    return all(ch.isalnum() or ch in "!#$%&'*+/=?^_`{|}~-." for ch in local)


def is_filtered(local: str, domain: str) -> bool:
    """True for look-alikes and placeholders that are syntactically valid addresses."""
    lowered = local.lower()
    labels = domain.split(".")
    registrable = registrable_domain(domain) or domain
    if labels[-1] in ASSET_EXTENSIONS or any(_ASSET_LABEL_RE.match(label) for label in labels):
        return True
    if domain.endswith(_DSN_SUFFIXES):
        return True
    if len(local) >= 16 and _HEX_RE.match(local):
        return True  # DSN public keys and hashes, whatever the host
    if lowered == "git" and registrable in _GIT_HOSTS:
        return True
    site_label = registrable.split(".", 1)[0]
    if site_label in PLACEHOLDER_DOMAIN_LABELS or registrable in VENDOR_DOMAINS:
        return True
    if lowered in PLACEHOLDER_LOCALS:
        return True
    return lowered in PLACEHOLDER_SELF_LOCALS and (lowered == site_label or site_label in {"test", "demo"})


def normalize_email(raw: str) -> str | None:
    """Canonical form of one candidate address, or None when it is invalid or a known false positive."""
    candidate = unicodedata.normalize("NFC", raw.strip().strip(_STRIP))
    if candidate[:7].lower() == "mailto:":
        candidate = candidate[7:]
    if candidate.count("@") != 1:
        return None
    local, domain = candidate.split("@")
    local = _DEBRIS_PREFIX_RE.sub("", local)
    domain = domain.rstrip(".")
    checked = valid_domain(domain)
    if checked is None and _DEBRIS_SUFFIX_RE.search(domain):
        checked = valid_domain(_DEBRIS_SUFFIX_RE.sub("", domain))
    if checked is None or not _local_ok(local) or is_filtered(local, checked):
        return None
    return f"{local}@{checked}"


def email_key(address: str) -> str:
    """Case-insensitive identity of a normalised address (local parts are case-insensitive in practice)."""
    return address.casefold()


def best_domain(domain: str, cuts: Iterable[int] = ()) -> str | None:
    """The intended domain of a match in running text, or None.

    Text glues words onto a domain when an element ends right after it (``acme.com</a><b>Phone`` reads as
    ``acme.comPhone``), so a cut at an element boundary wins when it leaves a valid domain; otherwise the match
    as is, then with JSON-escape debris or trailing labels removed (``acme.de.Wir`` -> ``acme.de``).
    """
    for cut in sorted(cuts):
        head = domain[:cut].rstrip(".-")
        if "." in head and valid_domain(head) and not is_filtered("x", head.lower()):
            return head.lower()
    labels = domain.split(".")
    if labels[-1].lower() in ASSET_EXTENSIONS:
        return None  # "logo@retina.com.png" must not become "logo@retina.com"
    if valid_domain(domain):
        return domain.lower()
    stripped = _DEBRIS_SUFFIX_RE.sub("", domain)
    if stripped != domain and valid_domain(stripped):
        return stripped.lower()
    for end in range(len(labels) - 1, 1, -1):
        head = ".".join(labels[:end])
        if valid_domain(head):
            return head.lower()
    return None
