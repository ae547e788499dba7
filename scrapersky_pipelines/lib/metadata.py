"""Homepage metadata (WF4): title, description, language, icons, canonical, generator, Open Graph, links.

Bytes are decoded the way browsers do it (BOM, then HTTP charset, then a <meta> prescan, then UTF-8 if it
decodes, else windows-1252) and parsed with lxml's forgiving HTML parser without huge_tree, so libxml2's
depth and size limits stay on. If lxml cannot build a tree at all, a regex recovers the title.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from scrapersky_pipelines.lib.urls import normalize_url, registrable_domain, same_site

__all__ = ["PageMetadata", "decode_html", "parse_page_metadata"]

MAX_TITLE_CHARS = 500
MAX_DESCRIPTION_CHARS = 1000
MAX_H1_CHARS = 500
MAX_LINKS = 500
MAX_ANCHORS_SCANNED = 10_000
MAX_IMAGES_SCANNED = 1_000
MAX_OG_KEYS = 100
MAX_OG_VALUE_CHARS = 2000
MAX_URL_CHARS = 2000
_PRESCAN_BYTES = 4096


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What a homepage says about the site. Absent values are None (or empty collections)."""

    title: str | None = None
    description: str | None = None
    language: str | None = None
    favicon_url: str | None = None
    canonical_url: str | None = None
    generator: str | None = None
    og: dict[str, str] = field(default_factory=dict)
    sitemap_links: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    logo_url: str | None = None
    h1: str | None = None
    word_count: int = 0
    has_contact_form: bool = False


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHARSET_PARAM_RE = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_META_TAG_RE = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_XML_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
# WHATWG Encoding Standard: these labels all mean windows-1252, and UTF-16 in a meta tag means UTF-8.
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "ansi_x3.4-1968": "cp1252",
    "windows-1252": "cp1252", "x-user-defined": "cp1252", "iso-8859-9": "cp1254", "tis-620": "cp874",
    "iso-8859-11": "cp874", "x-sjis": "shift_jis", "gb2312": "gb18030", "gbk": "gb18030",
}


def _codec_for(label: bytes | str | None, *, from_meta: bool = False) -> str | None:
    if not label:
        return None
    text = (label.decode("ascii", "ignore") if isinstance(label, bytes) else label).strip().strip("\"'").lower()
    text = _LABEL_ALIASES.get(text, text)
    try:
        name = codecs.lookup(text).name
    except LookupError:
        return None
    if from_meta and name.startswith("utf-16"):
        return "utf-8"
    return name


def _prescan_charset(head: bytes) -> str | None:
    m = _XML_DECL_RE.match(head)
    if m:
        return _codec_for(m.group(1), from_meta=True)
    for tag in _META_TAG_RE.findall(head):
        lowered = tag.lower()
        if b"charset" not in lowered:
            continue
        if b"http-equiv" in lowered and b"content-type" not in lowered:
            continue
        m = _CHARSET_PARAM_RE.search(tag)
        if m:
            codec = _codec_for(m.group(1), from_meta=True)
            if codec:
                return codec
    return None


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Decode an HTML body: BOM, HTTP charset, <meta> prescan, UTF-8 if valid, else windows-1252."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    codec = None
    if content_type:
        m = _CHARSET_PARAM_RE.search(content_type.encode("latin-1", "replace"))
        codec = _codec_for(m.group(1)) if m else None
    codec = codec or _prescan_charset(data[:_PRESCAN_BYTES])
    if codec:
        return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A body cut off by the byte cap can end inside a multi-byte character; that is still UTF-8.
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data.decode("utf-8", errors="replace")
        return data.decode("cp1252", errors="replace")


def _collapse(text: str | None, limit: int | None = None) -> str | None:
    if text is None:
        return None
    collapsed = " ".join(text.split())
    if limit is not None and len(collapsed) > limit:
        collapsed = collapsed[:limit].rstrip()
    return collapsed or None


_LANG_RE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{4}))?(?:[-_]([a-zA-Z]{2}|[0-9]{3}))?(?:[-_].*)?$")


def _normalize_language(value: str | None) -> str | None:
    """"EN_us" -> "en-US", "zh-hans-cn" -> "zh-Hans-CN", "de" -> "de"; junk -> None."""
    if not value:
        return None
    first = value.split(",")[0].strip()
    m = _LANG_RE.match(first)
    if not m:
        return None
    language, script, region = m.groups()
    parts = [language.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "-".join(parts)


def _rel_tokens(el: lxml.html.HtmlElement) -> set[str]:
    return set((el.get("rel") or "").lower().split())


def _absolute(href: str | None, base: str) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or len(href) > MAX_URL_CHARS:
        return None
    return normalize_url(href, base)


def _first_text(elements: Iterable[lxml.html.HtmlElement], limit: int) -> str | None:
    for el in elements:
        text = _collapse(el.text_content(), limit)
        if text:
            return text
    return None


def _class_id_alt(el: lxml.html.HtmlElement) -> str:
    return " ".join(filter(None, (el.get("class"), el.get("id"), el.get("alt")))).lower()


def _image_src(img: lxml.html.HtmlElement) -> str | None:
    for attr in ("src", "data-src", "data-lazy-src"):
        value = img.get(attr)
        if value and not value.strip().startswith("data:"):
            return value
    candidates = (img.get("srcset") or "").split(",")[0].split()
    return candidates[0] if candidates else None


def _find_logo(root: lxml.html.HtmlElement, base: str) -> str | None:
    fallback: str | None = None
    for scanned, img in enumerate(root.iter("img")):
        if scanned >= MAX_IMAGES_SCANNED:
            break
        src = _image_src(img)
        if not src:
            continue
        if "logo" in _class_id_alt(img):
            return _absolute(src, base)
        if fallback is None:
            # <a class="logo"><img></a> and <div id="site-logo"><img></div> are as common as a classed img.
            parent = img.getparent()
            for _ in range(3):
                if parent is None:
                    break
                if "logo" in " ".join(filter(None, (parent.get("class"), parent.get("id")))).lower():
                    fallback = _absolute(src, base)
                    break
                parent = parent.getparent()
    return fallback


_NOT_CONTACT_FORM_RE = re.compile(r"\b(?:search|comment|login|log-in|signin|sign-in|register|checkout|cart)", re.I)
_EMAIL_NAME_RE = re.compile(r"e-?mail|correo|courriel", re.I)


def _is_contact_form(form: lxml.html.HtmlElement) -> bool:
    marker = " ".join(filter(None, (form.get("id"), form.get("class"), form.get("action"), form.get("role"))))
    if _NOT_CONTACT_FORM_RE.search(marker):
        return False
    has_field = False
    for el in form.iter("input", "textarea"):
        if el.tag == "textarea":
            has_field = True
            continue
        kind = (el.get("type") or "text").lower()
        if kind == "password":
            return False
        if kind == "email" or (kind == "text" and _EMAIL_NAME_RE.search(el.get("name") or "")):
            has_field = True
    return has_field


_SKIP_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head"})


def _word_count(root: lxml.html.HtmlElement) -> int:
    """Words a reader would see in <body>; an explicit walk because XPath text() is quadratic on big pages."""
    body = root.find("body")
    stack = [body if body is not None else root]
    count = 0
    while stack:
        el = stack.pop()
        if el.text:
            count += len(el.text.split())
        for child in el:
            # A child's tail is text of el, visible even when the child itself is skipped.
            if child.tail:
                count += len(child.tail.split())
            if isinstance(child.tag, str) and child.tag not in _SKIP_TEXT_TAGS:
                stack.append(child)
    return count


def _site_key(url: str) -> str | None:
    host = urlsplit(url).hostname
    if not host:
        return None
    return registrable_domain(host) or host


def _parse_tree(text: str) -> lxml.html.HtmlElement | None:
    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(text.replace("\x00", "").encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.LxmlError, ValueError):
        return None
    return root if isinstance(root, lxml.html.HtmlElement) else None


_TITLE_RE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_META_DESCRIPTION_RE = re.compile(
    r"""<meta\b(?=[^>]*\bname\s*=\s*["']?description\b)[^>]*\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)')""",
    re.IGNORECASE,
)
_HTML_LANG_RE = re.compile(r"""<html\b[^>]*\blang\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def _regex_fallback(text: str) -> PageMetadata:
    head = text[:1_000_000]
    title_m = _TITLE_RE.search(head)
    desc_m = _META_DESCRIPTION_RE.search(head)
    lang_m = _HTML_LANG_RE.search(head)
    return PageMetadata(
        title=_collapse(html.unescape(title_m.group(1)), MAX_TITLE_CHARS) if title_m else None,
        description=_collapse(html.unescape(desc_m.group(1) or desc_m.group(2)), MAX_DESCRIPTION_CHARS)
        if desc_m
        else None,
        language=_normalize_language(lang_m.group(1)) if lang_m else None,
    )


def parse_page_metadata(html_doc: bytes | str, url: str, content_type: str | None = None) -> PageMetadata:
    """Extract homepage metadata; never raises on bad markup, returns what it can find."""
    text = decode_html(html_doc, content_type) if isinstance(html_doc, bytes) else html_doc
    root = _parse_tree(text)
    if root is None:
        return _regex_fallback(text)

    base = normalize_url(url) or url
    base_el = root.find(".//base[@href]")
    if base_el is not None:
        base = _absolute(base_el.get("href"), base) or base

    head = root.find("head")
    title = None
    title_el = head.find("title") if head is not None else None
    if title_el is None:
        # Outside <head> a <title> may belong to an inline <svg>; take the first one that does not.
        title_el = next((t for t in root.iter("title") if not any(a.tag == "svg" for a in t.iterancestors())), None)
    if title_el is not None:
        title = _collapse(title_el.text_content(), MAX_TITLE_CHARS)

    description = generator = meta_language = None
    og: dict[str, str] = {}
    for meta in root.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        name = (meta.get("name") or "").strip().lower()
        prop = (meta.get("property") or "").strip().lower()
        if name == "description" and description is None:
            description = _collapse(content, MAX_DESCRIPTION_CHARS)
        elif name == "generator" and generator is None:
            generator = _collapse(content, MAX_TITLE_CHARS)
        elif (meta.get("http-equiv") or "").strip().lower() == "content-language" and meta_language is None:
            meta_language = _normalize_language(content)
        key = prop if prop.startswith("og:") else name if name.startswith("og:") else None
        if key and key not in og and len(og) < MAX_OG_KEYS:
            value = _collapse(content, MAX_OG_VALUE_CHARS)
            if value:
                og[key] = value
    if description is None:
        description = _collapse(og.get("og:description"), MAX_DESCRIPTION_CHARS)
    if title is None:
        title = _collapse(og.get("og:title"), MAX_TITLE_CHARS)

    language = (
        _normalize_language(root.get("lang") or root.get("xml:lang"))
        or meta_language
        or _normalize_language(og.get("og:locale"))
    )

    favicon_url = canonical_url = touch_icon = None
    sitemap_links: list[str] = []
    for link in root.iter("link"):
        rel = _rel_tokens(link)
        href = link.get("href")
        if not rel or not href:
            continue
        if "icon" in rel and favicon_url is None:
            favicon_url = _absolute(href, base)
        elif ("apple-touch-icon" in rel or "apple-touch-icon-precomposed" in rel) and touch_icon is None:
            touch_icon = _absolute(href, base)
        if "canonical" in rel and canonical_url is None:
            canonical_url = _absolute(href, base)
        if "sitemap" in rel:
            absolute = _absolute(href, base)
            if absolute and absolute not in sitemap_links:
                sitemap_links.append(absolute)

    site = _site_key(base)
    links: dict[str, None] = {}
    if site is not None:
        seen_hrefs: set[str] = set()
        for scanned, anchor in enumerate(root.iter("a", "area")):
            if len(links) >= MAX_LINKS or scanned >= MAX_ANCHORS_SCANNED:
                break
            href = anchor.get("href")
            if not href or href in seen_hrefs:
                continue
            seen_hrefs.add(href)
            absolute = _absolute(href, base)
            if absolute and absolute not in links and same_site(absolute, site):
                links[absolute] = None

    has_contact_form = any(_is_contact_form(form) for form in root.iter("form"))

    return PageMetadata(
        title=title,
        description=description,
        language=language,
        favicon_url=favicon_url or touch_icon,
        canonical_url=canonical_url,
        generator=generator,
        og=og,
        sitemap_links=tuple(sitemap_links),
        links=tuple(links),
        logo_url=_find_logo(root, base),
        h1=_first_text(root.iter("h1"), MAX_H1_CHARS),
        word_count=_word_count(root),
        has_contact_form=has_contact_form,
    )
