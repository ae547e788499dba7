"""Cheap looks at the first bytes of a sitemap body: gzip magic, encoding, root element, generator."""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass

from scrapersky_pipelines.lib.sitemap_values import is_http_url

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_LIMIT = 64 * 1024  # a prolog (comments, PIs) longer than this is not a sitemap

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_NO_BOM_PATTERNS = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)
_XML_DECL_ENCODING = re.compile(
    rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._:-]*)["']"""
)
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)
_ROOT = re.compile(r"<(?:([A-Za-z_][\w.\-]*):)?([A-Za-z_][\w.\-]*)")
_HTML_ROOTS = frozenset({"html", "head", "body", "div", "p", "title", "meta", "script", "a", "table"})
_ROOT_KINDS = {"urlset": "urlset", "sitemapindex": "index", "rss": "rss", "rdf": "rss", "feed": "atom"}


@dataclass(frozen=True, slots=True)
class EncodingGuess:
    """Codec name for the body, bytes of BOM to skip, where the answer came from, any warning."""

    encoding: str
    bom_length: int
    source: str
    warning: str | None = None


def detect_encoding(head: bytes, content_type: str | None) -> EncodingGuess:
    """BOM, then UTF-16/32 byte patterns, then the XML declaration, then the HTTP charset, then UTF-8.

    The file's own declaration beats the HTTP charset (RFC 7303 says the reverse) because servers
    stamp `charset=utf-8` on static files whatever they hold, while generators that write a
    declaration write the one they used.
    """
    for bom, name in _BOMS:
        if head.startswith(bom):
            return EncodingGuess(name, len(bom), "bom")
    for pattern, name in _NO_BOM_PATTERNS:
        if head.startswith(pattern):
            return EncodingGuess(name, 0, "pattern")
    m = _XML_DECL_ENCODING.match(head)
    if m:
        name, warning = _normalise(m.group(1).decode("ascii"))
        if name.startswith(("utf-16", "utf-32")):
            # The declaration was readable as ASCII, so the bytes are not really UTF-16/32.
            return EncodingGuess("utf-8", 0, "declaration", f"declared {name} but body is 8-bit; read as UTF-8")
        return EncodingGuess(name, 0, "declaration", warning)
    if content_type:
        cm = _CHARSET.search(content_type)
        if cm:
            name, warning = _normalise(cm.group(1))
            if not name.startswith(("utf-16", "utf-32")):
                return EncodingGuess(name, 0, "content-type", warning)
    return EncodingGuess("utf-8", 0, "default")


def _normalise(label: str) -> tuple[str, str | None]:
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return "utf-8", f"unknown encoding {label!r}; read as UTF-8"
    if name in ("ascii", "us-ascii"):
        name = "utf-8"
    return name, None


@dataclass(frozen=True, slots=True)
class KindGuess:
    """What the head of a decoded body says it is; `kind is None` means: need more bytes."""

    kind: str | None
    error: str | None = None
    root: str | None = None


def sniff_kind(head: str, complete: bool) -> KindGuess:
    """Classify a decoded body by its first element, skipping the XML prolog.

    `complete` is True when `head` is the whole body (or all there will ever be to look at).
    """
    n = len(head)
    i = _skip_ws(head, 0)
    if i >= n:
        return KindGuess(None) if not complete else KindGuess("invalid", "empty body")
    if head[i] != "<":
        return KindGuess("text")
    while True:
        i = _skip_ws(head, i)
        if i >= n:
            return _need_more(complete, "no root element")
        if head.startswith("<?", i):
            j = head.find("?>", i + 2)
            if j < 0:
                return _need_more(complete, "unterminated processing instruction")
            i = j + 2
        elif head.startswith("<!--", i):
            j = head.find("-->", i + 4)
            if j < 0:
                return _need_more(complete, "unterminated comment")
            i = j + 3
        elif head.startswith("<!", i):
            if head[i : i + 14].lower().startswith("<!doctype html"):
                return KindGuess("invalid", "looks like HTML, not a sitemap")
            if len(head) - i < 14 and not complete:
                return KindGuess(None)
            return KindGuess(
                "invalid",
                "DOCTYPE/ENTITY declarations are not allowed in sitemaps (entity expansion / XXE risk)",
            )
        elif head.startswith("<", i):
            m = _ROOT.match(head, i)
            if i + 1 >= n and not complete:
                return KindGuess(None)
            if not m:
                return KindGuess("invalid", "not XML: no element name after '<'")
            if not complete and (m.end() >= n or head[m.end()] == ":"):
                return KindGuess(None)  # the name (or its prefix) may go on in the next chunk
            local = m.group(2)
            kind = _ROOT_KINDS.get(local.lower())
            if kind:
                return KindGuess(kind, root=local)
            if local.lower() in _HTML_ROOTS:
                return KindGuess("invalid", "looks like HTML, not a sitemap", root=local)
            return KindGuess("invalid", f"unsupported root element <{local}>", root=local)
        else:
            return KindGuess("invalid", "text before the root element")


def _skip_ws(s: str, i: int) -> int:
    n = len(s)
    while i < n and s[i] in " \t\r\n\ufeff":
        i += 1
    return i


def _need_more(complete: bool, reason: str) -> KindGuess:
    return KindGuess("invalid", reason) if complete else KindGuess(None)


def decode_head(content: bytes, content_type: str | None, limit: int = SNIFF_LIMIT) -> str:
    """First `limit` bytes of a (possibly gzipped) body as text, for sniffing."""
    head = content[: limit * 4]
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, limit)
        except zlib.error:
            return ""
    head = head[:limit]
    guess = detect_encoding(head[:1024], content_type)
    return head[guess.bom_length :].decode(guess.encoding, errors="replace")


def is_probably_sitemap(content: bytes, content_type: str | None = None) -> bool:
    """Cheap sniff: does this body look like a sitemap, feed or plain-text URL list (not HTML)?

    Used to reject soft-404 pages served with status 200 at well-known sitemap paths.
    """
    text = decode_head(content, content_type, 8 * 1024)
    guess = sniff_kind(text, complete=True)
    if guess.kind == "text":
        for line in text.splitlines()[:50]:
            token = line.strip()
            if token and not token.startswith("#"):
                return is_http_url(token.split(None, 1)[0])
        return False
    return guess.kind in ("urlset", "index", "rss", "atom")


# Markers are searched only in comments, processing instructions (XSL links) and the root tag,
# so a page URL like /blog/yoast-review does not count; host shapes are searched everywhere.
_MARKERS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), name)
    for pattern, name in (
        (r"yoast", "Yoast"),
        (r"rank\s*math", "Rank Math"),
        (r"all[\s-]*in[\s-]*one[\s-]*seo|aioseo", "All in One SEO"),
        (r"seopress", "SEOPress"),
        (r"the[\s-]*seo[\s-]*framework", "The SEO Framework"),
        (r"squirrly", "Squirrly SEO"),
        (r"jetpack", "Jetpack"),
        (r"arnebrachhold|google-sitemap-generator|xml sitemap generator for google|auctollo", "Google XML Sitemaps"),
        (r"xml-sitemap-feed|xml sitemap & google news", "XML Sitemap & Google News"),
        (r"wp-sitemap[\w-]*\.xsl", "WordPress"),
        (r"xml-sitemaps\.com", "XML-Sitemaps.com"),
        (r"screaming\s*frog", "Screaming Frog"),
        (r"simple_sitemap|xmlsitemap|drupal", "Drupal"),
        (r"shopify", "Shopify"),
        (r"squarespace", "Squarespace"),
        (r"\bwix\b", "Wix"),
        (r"magento", "Magento"),
        (r"joomla", "Joomla"),
        (r"typo3", "TYPO3"),
        (r"hubspot", "HubSpot"),
        (r"main-sitemap\.xsl", "Yoast"),
        (r"wordpress|/wp-content/", "WordPress"),
    )
)
_HOST_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), name)
    for pattern, name in (
        (r"cdn\.shopify\.com|\.myshopify\.com|/sitemap_products_\d+\.xml", "Shopify"),
        (r"static\.wixstatic\.com", "Wix"),
        (r"images\.squarespace-cdn\.com", "Squarespace"),
        (r"/wp-sitemap-[\w-]+\.xml|/wp-content/uploads/", "WordPress"),
    )
)
_META = re.compile(r"<!--.*?-->|<\?.*?\?>|<[A-Za-z][^>]*>", re.S)
_ROOT_TAG = re.compile(r"<(?:[\w.-]+:)?(?:urlset|sitemapindex|rss|feed|rdf)\b", re.I)


def guess_generator(content_head: bytes) -> str | None:
    """Name the sitemap generator from comments, XSL stylesheet links and host shapes in the head.

    Plugin names win over "WordPress" (they run on it); the `main-sitemap.xsl` that Yoast and
    Rank Math share only decides when no comment names either.
    """
    head = content_head[: SNIFF_LIMIT * 4]
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, SNIFF_LIMIT)
        except zlib.error:
            return None
    text = head[:SNIFF_LIMIT].decode("latin-1")
    meta = [
        m.group(0)
        for m in _META.finditer(text)
        if m.group(0).startswith(("<!--", "<?")) or _ROOT_TAG.match(m.group(0))
    ]
    joined = "\n".join(meta)
    for pattern, name in _MARKERS:
        if pattern.search(joined):
            return name
    for pattern, name in _HOST_SHAPES:
        if pattern.search(text):
            return name
    return None
