"""Links out of one HTML page, and the URL key a crawler deduplicates on.

`extract_links` does one lenient lxml parse and returns the page title plus every followable link
(``<a>``/``<area>`` hrefs, ``<frame>`` sources and a ``<meta http-equiv=refresh>`` target), made
absolute against ``<base href>`` or the page URL and canonicalised by `crawl_key`:
`urls.normalize_url` (fragment and credentials dropped, escapes and default ports normalised) with
tracking and session parameters removed, so ``/contact?utm_source=x#form`` and ``/contact`` are
one page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote_plus, urlsplit, urlunsplit

import lxml.etree
import lxml.html

from scrapersky_pipelines.lib.urls import normalize_url

__all__ = ["Link", "PageLinks", "crawl_key", "extract_links"]

MAX_LINKS = 1000
MAX_TEXT_CHARS = 120
MAX_TITLE_CHARS = 300

# Query keys that only say where a visitor came from or which session they are in: the page is
# the same without them.
_TRACKING_KEYS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "ttclid", "li_fat_id", "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi",
        "__hstc", "__hssc", "__hsfp", "hsctatracking", "mkt_tok", "vero_id", "oly_anon_id",
        "oly_enc_id", "_openstat", "phpsessid", "jsessionid", "aspsessionid", "sessionid", "sid",
        "cfid", "cftoken", "zanpid", "srsltid",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "matomo_", "hsa_", "_branch")
_PATH_SESSION_RE = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)
_REFRESH_RE = re.compile(
    r"""^\s*\d*(?:\.\d*)?\s*[;,]?\s*(?:url\s*=\s*)?["']?([^"'\s][^"']*)["']?\s*$""", re.I
)
_SPACE_RE = re.compile(r"\s+")
_SKIP_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "callto:", "sms:", "#")


@dataclass(frozen=True, slots=True)
class Link:
    """One followable link: canonical absolute URL and its (collapsed, shortened) anchor text."""

    url: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class PageLinks:
    """What a crawler needs from a page: its title and links, in document order, deduplicated."""

    title: str | None
    links: tuple[Link, ...]
    base_url: str


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered in _TRACKING_KEYS or lowered.startswith(_TRACKING_PREFIXES)


def crawl_key(url: str, base: str | None = None) -> str | None:
    """Canonical absolute http(s) URL for deduplication, or None if ``url`` is not a web URL."""
    normalized = normalize_url(url, base)
    if normalized is None:
        return None
    parts = urlsplit(normalized)
    path = _PATH_SESSION_RE.sub("", parts.path) if ";" in parts.path else parts.path
    query = parts.query
    if query:
        # Raw pairs, never decoded and re-encoded, so "a+b" and "a%20b" stay as the site wrote them.
        pairs = query.split("&")
        present = [pair for pair in pairs if pair]
        kept = [pair for pair in present if not _is_tracking(unquote_plus(pair.split("=", 1)[0]))]
        if len(kept) != len(present):
            query = "&".join(kept)
    if path == parts.path and query == parts.query:
        return normalized
    return normalize_url(urlunsplit((parts.scheme, parts.netloc, path or "/", query, "")))


def _collapse(text: str, limit: int) -> str:
    return _SPACE_RE.sub(" ", text).strip()[:limit]


def _parse(html: str | bytes) -> lxml.html.HtmlElement | None:
    data = html.encode("utf-8", "surrogatepass") if isinstance(html, str) else html
    if not data.strip():
        return None
    # Parsed as bytes: lxml refuses str input that starts with an XML declaration.
    encoding = "utf-8" if isinstance(html, str) else None
    parser = lxml.html.HTMLParser(encoding=encoding, recover=True, no_network=True,
                                  remove_comments=True)
    try:
        return lxml.html.document_fromstring(data, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None


def _refresh_target(content: str | None) -> str | None:
    if not content:
        return None
    match = _REFRESH_RE.match(content)
    return match.group(1).strip() if match else None


def extract_links(html: str | bytes, url: str, *, max_links: int = MAX_LINKS) -> PageLinks:
    """Title and links of a page served from ``url`` (the final URL, after redirects)."""
    root = _parse(html)
    if root is None:
        return PageLinks(None, (), url)
    base = url
    base_seen = False
    title: str | None = None
    found: dict[str, Link] = {}
    for element in root.iter("base", "title", "a", "area", "frame", "meta"):
        tag = element.tag
        if tag == "base":
            href = element.get("href")
            if href and not base_seen:  # only the first <base href> counts, as in browsers
                base_seen = True
                base = normalize_url(href, url) or url
            continue
        if tag == "title":
            if title is None:
                title = _collapse(element.text_content(), MAX_TITLE_CHARS) or None
            continue
        if tag == "meta":
            if (element.get("http-equiv") or "").strip().lower() != "refresh":
                continue
            href, text = _refresh_target(element.get("content")), ""
        elif tag == "frame":
            href, text = element.get("src"), ""
        else:
            if element.get("download") is not None:
                continue
            href = element.get("href")
            label = element.text_content() if tag == "a" else element.get("alt") or ""
            text = _collapse(label, MAX_TEXT_CHARS)
        if not href:
            continue
        href = href.strip()
        if href.lower().startswith(_SKIP_SCHEMES):
            continue
        key = crawl_key(href, base)
        if key is None:
            continue
        previous = found.get(key)
        if previous is None:
            if len(found) >= max_links:
                break
            found[key] = Link(key, text)
        elif not previous.text and text:
            found[key] = Link(key, text)
    return PageLinks(title, tuple(found.values()), base)
