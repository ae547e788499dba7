"""Email addresses on one parsed page: collect from every source, validate, deduplicate, classify.

Sources, most reliable first; a duplicate keeps the first source that found it:
``mailto`` links, ``cfemail`` (Cloudflare ``data-cfemail`` spans and ``/cdn-cgi/l/email-protection#`` links),
``json-ld`` (``email`` and any string value), ``microdata`` (``itemprop=email``), ``text`` (visible text:
entities are already decoded by the parser, zero-width characters removed, tag-split addresses joined),
``obfuscated`` (``[at]``/``(dot)`` spellings, bidi-reversed text, JavaScript assembly), ``attribute``
(``data-*``, ``content``, ``value`` attributes) and ``script`` (addresses in inline scripts and JSON data).

Decoding lives in `emails_obfuscation`, validation and false-positive filters in `email_filters`, kinds in
`email_kinds`. `extract_emails` also returns address -> person name where the page ties one to a name
(schema.org Person, a mailto link text, a name printed just before the address).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import lxml.html

from scrapersky_pipelines.lib.email_filters import best_domain, email_key, normalize_email
from scrapersky_pipelines.lib.email_kinds import classify_email, is_role, name_matches_local
from scrapersky_pipelines.lib.emails_obfuscation import (
    decode_cfemail,
    js_unescape,
    mailto_addresses,
    script_text,
    spelled_addresses,
    unspell,
)
from scrapersky_pipelines.lib.html_text import Page, iter_json_ld_objects

__all__ = ["MAX_EMAILS", "EmailHit", "extract_emails"]

# Distinct addresses kept per page; beyond this a page is a list dump, not a business's contact page.
MAX_EMAILS = 500

_ADDRESS_RE = re.compile(r"(?<![\w.+-])([\w+-]{1,64}(?:\.[\w+-]{1,64}){0,8})@((?:[\w-]{1,63}\.){1,8}[\w-]{1,63})")
_WHITESPACE_RE = re.compile(r"\s+")
_AT_HINT_RE = re.compile(r"[\[({]\s?at\s?[\])}]|&#0*64;|%40", re.I)
_HEX_PAIR_RE = re.compile(r"^[0-9a-fA-F]{2}")
# A capitalised name of two or three words on one line ("Helen Ashworth", "Anna van der Berg").
_NAME_RE = re.compile(
    r"(?<![\w])([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’-]+"
    r"(?:[ \t]+(?:van|von|de|da|del|der|den|di|le|la|du|dos|das|ter|zu)){0,2}"
    r"(?:[ \t]+[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’-]+){1,2})"
)
_SCRIPT_MARKERS = ("%40", "\\u0040", "\\x40", "&#", "fromCharCode", "atob(")
_PERSON_TYPES = frozenset({"Person", "Employee", "Physician", "Attorney", "Dentist"})
# Attributes whose values are URLs, styling or presentation, never a published address.
_ATTRIBUTES_SKIPPED = frozenset(
    {"href", "src", "srcset", "placeholder", "style", "class", "id", "integrity", "sizes", "data-src",
     "data-srcset", "data-lazy-src", "data-lazy-srcset", "data-bg", "data-background", "data-cfemail", "poster",
     "data-dsn", "data-sentry-dsn", "alt", "title", "aria-label", "pattern", "action"}
)


@dataclass(frozen=True, slots=True)
class EmailHit:
    """One distinct address found on a page: normalised address, kind, source and a text snippet."""

    address: str
    kind: str
    source: str
    context: str | None = None


class _Collector:
    """Hits in discovery order, deduplicated case-insensitively; the first source wins."""

    def __init__(self, page_domain: str | None) -> None:
        self.page_domain = page_domain
        self.hits: dict[str, tuple[str, str, str | None]] = {}
        self.names: dict[str, str] = {}
        self.named_tried: set[str] = set()

    @property
    def full(self) -> bool:
        return len(self.hits) >= MAX_EMAILS

    def add(self, raw: str, source: str, context: str | None = None, name: str | None = None) -> str | None:
        address = normalize_email(raw)
        if address is None:
            return None
        return self.add_normalized(address, source, context, name)

    def add_normalized(
        self, address: str, source: str, context: str | None, name: str | None = None
    ) -> str | None:
        key = email_key(address)
        if key not in self.hits:
            if self.full:
                return None
            self.hits[key] = (address, source, context)
        if name and key not in self.names and not is_role(address.rpartition("@")[0]):
            self.names[key] = name
        return key

    def result(self) -> tuple[list[EmailHit], dict[str, str]]:
        hits = []
        names = {}
        for key, (address, source, context) in self.hits.items():
            name = self.names.get(key)
            if name:
                names[address] = name
            hits.append(EmailHit(address, classify_email(address, self.page_domain, name), source, context))
        return hits, names


def _snippet(text: str, start: int, end: int, width: int = 40) -> str | None:
    piece = _WHITESPACE_RE.sub(" ", text[max(0, start - width) : end + width]).strip()
    return piece[:160] or None


def _element_text(element: lxml.html.HtmlElement) -> str:
    return _WHITESPACE_RE.sub(" ", element.text_content()).strip()


def _inside(boundaries: tuple[int, ...], start: int, end: int) -> list[int]:
    return list(boundaries[bisect_right(boundaries, start) : bisect_left(boundaries, end)])


def _context_name(text: str, start: int, local: str) -> str | None:
    """The nearest capitalised name before an address that could have produced its local part."""
    best = None
    for match in _NAME_RE.finditer(text[max(0, start - 300) : start]):
        words = match.group(1).split()
        # "Alan Pierce Gates" (a name followed by a capitalised word): try the first two words too.
        for candidate in (match.group(1), " ".join(words[:2]), " ".join(words[1:])):
            if name_matches_local(candidate, local):
                best = candidate
                break
    return best


def _scan_text(collector: _Collector, text: str, boundaries: tuple[int, ...], source: str) -> None:
    if "@" not in text:
        return
    seen: set[str] = set()
    seen_plain: set[str] = set()
    for match in _ADDRESS_RE.finditer(text):
        local, domain = match.group(1), match.group(2)
        start, at = match.start(1), match.end(1)
        if domain[-1].isdigit():
            continue  # react@18.2.0, user@10.0.0.1
        if not _inside(boundaries, start, match.end(2)):
            # No element boundary inside: the same text always reads the same way.
            if match.group(0) in seen_plain:
                continue
            seen_plain.add(match.group(0))
        if start > 0 and text[start - 1] == "%" and _HEX_PAIR_RE.match(local):
            local, start = local[2:], start + 2  # "%20info@..." is URL-encoded debris, not the mailbox
        # An element boundary inside the local part glues a neighbour on ("Kontakt<a>info@"): keep what
        # follows the last one, unless the address itself continues across it ("john.<b>doe</b>@").
        for cut in reversed(_inside(boundaries, start, at)):
            head, tail = local[: cut - start], local[cut - start :]
            if head and tail and not head.endswith((".", "-", "_")) and not tail.startswith((".", "-", "_")):
                local, start = tail, cut
                break
        domain_start = at + 1
        cuts = [b - domain_start for b in _inside(boundaries, domain_start, match.end(2))]
        best = best_domain(domain, cuts)
        if best is None:
            continue
        raw = f"{local}@{best}"
        if raw in seen:
            continue  # the first occurrence gave the context and the name
        seen.add(raw)
        end = domain_start + len(best)
        key = collector.add(raw, source, _snippet(text, start, end))
        if key and key not in collector.named_tried and not is_role(local):
            collector.named_tried.add(key)  # the first occurrence is the one a name labels
            if key not in collector.names:
                name = _context_name(text, start, local)
                if name:
                    collector.names[key] = name


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def _json_ld_person_name(obj: dict[str, Any]) -> str | None:
    kinds = obj.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if not any(isinstance(k, str) and k.rsplit("/", 1)[-1] in _PERSON_TYPES for k in kinds):
        return None
    name = obj.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    given, family = obj.get("givenName"), obj.get("familyName")
    if isinstance(given, str) and isinstance(family, str):
        return f"{given.strip()} {family.strip()}"
    return None


def _nearest_scope(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    parent = element.getparent()
    while parent is not None:
        if parent.get("itemscope") is not None:
            return parent
        parent = parent.getparent()
    return None


def _itemprop_value(element: lxml.html.HtmlElement) -> str:
    for attribute in ("content", "href", "value"):
        value = element.get(attribute)
        if value:
            return value
    return _element_text(element)


def _microdata_person(element: lxml.html.HtmlElement) -> str | None:
    scope = _nearest_scope(element)
    if scope is None or "person" not in (scope.get("itemtype") or "").lower():
        return None
    for candidate in scope.iter():
        if "name" in (candidate.get("itemprop") or "").split() and _nearest_scope(candidate) is scope:
            return _itemprop_value(candidate)
    return None


def _as_addresses(value: str) -> list[str]:
    return mailto_addresses(value if value[:7].lower() == "mailto:" else "mailto:" + value)


def _add_all(collector: _Collector, raws: Iterable[str], source: str, name: str | None = None) -> None:
    for raw in raws:
        collector.add(raw, source, None, name)


@dataclass(slots=True)
class _ElementFindings:
    """What one pass over the elements leaves for later sources (mailto links are collected on the way)."""

    cf_payloads: list[str] = field(default_factory=list)
    microdata: list[lxml.html.HtmlElement] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    reversed_texts: list[str] = field(default_factory=list)


def _scan_elements(page: Page, collector: _Collector) -> _ElementFindings:
    findings = _ElementFindings()
    for element in page.elements:
        attrib = element.attrib
        if not attrib:
            continue
        href = attrib.get("href")
        if href:
            lowered = href[:48].lower()
            if "mailto" in lowered:
                text = _element_text(element)
                for raw in mailto_addresses(href):
                    local = raw.partition("@")[0]
                    name = text if text and "@" not in text and name_matches_local(text, local) else None
                    collector.add(raw, "mailto", text[:160] or None, name)
            elif "/cdn-cgi/l/email-protection" in href:
                findings.cf_payloads.append(href.partition("#")[2])
            elif lowered.startswith("javascript:") and "@" in href:
                findings.attributes.append(script_text(href))
        cf = attrib.get("data-cfemail")
        if cf:
            findings.cf_payloads.append(cf)
        itemprop = attrib.get("itemprop")
        if itemprop and "email" in itemprop.lower().split():
            findings.microdata.append(element)
        style = attrib.get("style")
        if style and "rtl" in style and "bidi-override" in style:
            findings.reversed_texts.append(element.text_content()[::-1])
        for attribute, value in attrib.items():
            if attribute in _ATTRIBUTES_SKIPPED or not (attribute in {"content", "value"} or attribute[:5] == "data-"):
                continue
            if "@" in value or (attribute[:5] == "data-" and _AT_HINT_RE.search(value)):
                findings.attributes.append(js_unescape(value))
    return findings


def _scan_json_ld(page: Page, collector: _Collector) -> None:
    for data in page.json_ld:
        for obj in iter_json_ld_objects(data):
            person = _json_ld_person_name(obj)
            for field_name, value in obj.items():
                for string in _json_strings(value):
                    if field_name == "email":
                        _add_all(collector, _as_addresses(string), "json-ld", person)
                    elif "@" in string and not field_name.startswith("@"):
                        for match in _ADDRESS_RE.finditer(string):
                            collector.add(match.group(0), "json-ld", None)


def _scan_spelled(page: Page, collector: _Collector, page_domain: str | None) -> None:
    for address, start, end in spelled_addresses(page.spaced_text, page_domain):
        key = email_key(address)
        if key in collector.hits:
            continue
        local = address.rpartition("@")[0]
        name = None
        if key not in collector.named_tried and not is_role(local):
            collector.named_tried.add(key)
            name = _context_name(page.spaced_text, start, local)
        collector.add_normalized(address, "obfuscated", _snippet(page.spaced_text, start, end), name)


def extract_emails(page: Page, page_domain: str | None) -> tuple[list[EmailHit], dict[str, str]]:
    """All distinct addresses on a parsed page with their kinds, and address -> person name where known.

    `page_domain` is the registrable domain of the page (ASCII), used for kinds and for bare " at " forms.
    """
    collector = _Collector(page_domain)
    if page.root is None:
        return collector.result()
    findings = _scan_elements(page, collector)
    for payload in findings.cf_payloads:
        decoded = decode_cfemail(payload)
        if decoded:
            _add_all(collector, _as_addresses(decoded), "cfemail")
    _scan_json_ld(page, collector)
    for element in findings.microdata:
        _add_all(collector, _as_addresses(_itemprop_value(element)), "microdata", _microdata_person(element))
    _scan_text(collector, page.text, page.boundaries, "text")
    _scan_spelled(page, collector, page_domain)
    for text in findings.reversed_texts:
        _scan_text(collector, text, (), "obfuscated")
    for value in findings.attributes:
        _scan_text(collector, unspell(value), (), "attribute")
    for body in page.scripts:
        if "@" in body or any(marker in body for marker in _SCRIPT_MARKERS):
            _scan_text(collector, script_text(body), (), "script")
    return collector.result()
