"""Where sitemaps are announced or guessed: well-known paths, homepage links, and URL identity.

Pure helpers for `sitemap_discovery`: the ordered list of well-known sitemap paths, the
`<link rel="sitemap">` reader, the key two URLs must share to be the same file, and the sniff
that tells a real (if broken) sitemap from a soft-404 page at a well-known path.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

from scrapersky_pipelines.lib.sitemap_sniff import decode_head

__all__ = [
    "KNOWN_SITEMAP_PATHS",
    "looks_like_sitemap_xml",
    "origin_of",
    "same_site",
    "sitemap_links_from_html",
    "url_key",
]

# Probed in this order (generic names first, then CMS conventions). The list covers what
# ultimate-sitemap-parser probes plus the WordPress core, Yoast and Drupal names.
KNOWN_SITEMAP_PATHS: tuple[str, ...] = (
    "/sitemap.xml",
    "/sitemap.xml.gz",
    "/sitemap_index.xml",
    "/sitemap-index.xml",
    "/sitemap_index.xml.gz",
    "/wp-sitemap.xml",
    "/sitemap.txt",
    "/sitemap",
    "/sitemap/sitemap.xml",
    "/sitemap_news.xml",
    "/post-sitemap.xml",
    "/page-sitemap.xml",
    "/product-sitemap.xml",
    "/admin/config/search/xmlsitemap",
)

_HTML_SCAN_LIMIT = 512 * 1024  # <link> lives in <head>; no need to scan a whole huge page
_TAG = re.compile(r"<(link|base)\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")
_SITEMAP_ROOT = re.compile(r"<(?:[\w.-]+:)?(?:urlset|sitemapindex)\b")


def _attrs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR.finditer(text):
        name = m.group(1).lower()
        if name not in out:
            value = next((g for g in m.groups()[1:] if g is not None), "")
            out[name] = html.unescape(value).strip()
    return out


def sitemap_links_from_html(document: str | bytes, page_url: str) -> list[str]:
    """Absolute http(s) URLs of every `<link rel="sitemap" href>` in a page, in order, once each.

    A `<base href>` before the links changes what relative hrefs resolve against, as in browsers.
    """
    text = document[:_HTML_SCAN_LIMIT]
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    base = page_url
    out: list[str] = []
    for m in _TAG.finditer(text):
        attrs = _attrs(m.group(2))
        href = attrs.get("href")
        if not href:
            continue
        if m.group(1).lower() == "base":
            base = urljoin(page_url, href)
            continue
        if "sitemap" not in attrs.get("rel", "").lower().split():
            continue
        url = urljoin(base, href).split("#", 1)[0]
        if urlsplit(url).scheme in ("http", "https") and url not in out:
            out.append(url)
    return out


def url_key(url: str) -> str:
    """Identity of a URL for "same file" checks: scheme and host case-folded, default port and
    fragment dropped, empty path as "/". Path and query stay case-sensitive."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{host}{parts.path or '/'}{query}"


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an absolute URL (default ports dropped)."""
    key = url_key(url)
    scheme, _, rest = key.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _bare(host: str) -> str:
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def same_site(url: str, domain: str) -> bool:
    """Whether `url`'s host is `domain`, its www form, or a subdomain of it."""
    host = _bare(urlsplit(url).hostname or "")
    bare = _bare(domain)
    return host == bare or host.endswith("." + bare)


def looks_like_sitemap_xml(content: bytes, content_type: str | None = None) -> bool:
    """Whether a body that failed to parse still opens like sitemap XML (say, a DOCTYPE'd urlset).

    Used at well-known paths: such a body is a broken sitemap worth reporting, while an HTML
    page or an empty answer there is simply "no sitemap here".
    """
    return bool(_SITEMAP_ROOT.search(decode_head(content, content_type, 8 * 1024)))
