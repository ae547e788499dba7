"""One lxml parse of an HTML page, reduced to what contact extraction reads.

`parse_page` decodes bytes (BOM, then <meta charset>, then UTF-8, then cp1252), parses with lxml.html and
walks the tree once (iteratively, so nesting depth costs no recursion), producing:

- visible text twice: `text` joins inline elements with nothing between them (so ``info<span>@</span>acme.com``
  stays one address) and records each inline-element boundary offset in `boundaries` (sorted); `spaced_text`
  puts a space at those boundaries instead (so ``<b>Tel</b><span>030 1234567</span>`` does not glue the label
  to the number). Block elements and ``<br>`` become newlines in both. script/style/noscript/template/comment
  content is skipped; tails are kept. ``<wbr>`` adds no boundary; zero-width characters and soft hyphens vanish;
  the
  full-width at sign is folded to ``@``.
- the element list (for links and attributes), JSON-LD blocks (parsed leniently), inline script bodies,
  and the ``<html lang>`` value.

libxml2 stops building the tree at 2,048 levels of nesting and silently drops the rest of the document;
when that happens the markup is flattened (layout tags dropped, links and scripts kept) and parsed again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import lxml.etree as etree
import lxml.html

__all__ = ["Page", "decode_html", "iter_json_ld_objects", "parse_page"]

# Contact details sit in the first megabytes, and lxml memory grows ~10x the input.
MAX_HTML_CHARS = 5_000_000

_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "svg", "math", "iframe", "object"}
)
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "dialog", "div",
        "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "html", "legend", "li", "main", "nav", "ol", "option", "p", "pre", "section", "select",
        "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "button", "textarea", "input",
    }
)
# U+200B..U+200D, U+2060 word joiner, U+FEFF, soft hyphen: invisible, and inserted precisely to break scrapers.
# They are removed from the source (as characters and as character references) before parsing, so the walk
# never has to clean text node by node.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\x00"), None)
_INVISIBLE_REF_RE = re.compile(
    r"&(?:#(?:8203|8204|8205|8288|65279|173|x200b|x200c|x200d|x2060|xfeff|xad);"
    r"|(?:shy|ZeroWidthSpace|zwj|zwnj|NoBreak);)",
    re.I,
)
# One-to-one folds applied to the extracted text (offsets stay valid): full-width at signs, no-break spaces.
_FOLD = {0xFF20: "@", 0xFE6B: "@", 0x00A0: " ", 0x202F: " ", 0x2007: " "}

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_META_CHARSET_RE = re.compile(rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_JSON_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
# Fallback for over-deep documents: every tag except these is dropped (block ones become <br>).
_FLAT_KEEP = frozenset({"a", "area", "script", "style", "noscript", "template", "meta", "link", "iframe", "img",
                        "input", "html", "head", "body", "title", "br"})
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,40})\b[^<>]{0,4000}>")
_RAW_OPEN_RE = re.compile(r"<(script|style)\b[^<>]{0,4000}>", re.I)


def decode_html(html: str | bytes) -> str:
    """Text of a page given as bytes or str; never raises on bad bytes."""
    if isinstance(html, str):
        return html
    for bom, encoding in _BOMS:
        if html.startswith(bom):
            return html[len(bom) :].decode(encoding, errors="replace")
    match = _META_CHARSET_RE.search(html[:4096])
    if match:
        encoding = match.group(1).decode("ascii").lower()
        if encoding not in {"utf-8", "utf8"}:
            try:
                return html.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                pass
    try:
        return html.decode("utf-8")
    except UnicodeDecodeError:
        return html.decode("cp1252", errors="replace")


@dataclass(slots=True)
class Page:
    """Everything extraction needs from one parse; `root` is None for an empty or unparsable page."""

    root: lxml.html.HtmlElement | None
    text: str = ""
    spaced_text: str = ""
    boundaries: tuple[int, ...] = ()
    elements: list[lxml.html.HtmlElement] = field(default_factory=list)
    json_ld: list[Any] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    lang: str | None = None


def _parse_json_ld(raw: str) -> Any:
    body = raw.strip()
    if body.startswith("<!--"):
        body = body[4:]
    if body.endswith("-->"):
        body = body[:-3]
    body = body.replace("<![CDATA[", "").replace("]]>", "").strip()
    if not body:
        return None
    try:
        return json.loads(body, strict=False)
    except ValueError:
        pass
    try:
        return json.loads(_JSON_TRAILING_COMMA_RE.sub(r"\1", body), strict=False)
    except ValueError:
        return None


def iter_json_ld_objects(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object inside a JSON-LD value, depth first (covers @graph and nested entities)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def _replace_chars(text: str, table: dict[int, str | None]) -> str:
    """`str.translate` for a handful of characters, skipping the (slow) translate when none occurs."""
    for code, replacement in table.items():
        char = chr(code)
        if char in text:
            text = text.replace(char, replacement or "")
    return text


def _flatten(source: str) -> str:
    """Markup with nesting removed: layout tags dropped or turned into <br>, raw-text elements untouched."""

    def tag(match: re.Match[str]) -> str:
        name = match.group(2).lower()
        if name in _FLAT_KEEP:
            return match.group(0)
        return "<br>" if name in _BLOCK_TAGS else ""

    lowered = source.lower()
    out: list[str] = []
    position = 0
    while True:
        raw = _RAW_OPEN_RE.search(source, position)
        if raw is None:
            break
        close = lowered.find("</" + raw.group(1).lower(), raw.end())
        end = len(source) if close < 0 else close
        out.append(_TAG_RE.sub(tag, source[position : raw.start()]))
        out.append(source[raw.start() : end])
        position = end
    out.append(_TAG_RE.sub(tag, source[position:]))
    return "".join(out)


def _parse_tree(source: str) -> lxml.html.HtmlElement | None:
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(source, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        try:
            root = lxml.html.document_fromstring(_flatten(source), parser=lxml.html.HTMLParser(huge_tree=True))
        except (etree.ParserError, ValueError):
            return None
    return root


def parse_page(html: str | bytes) -> Page:
    """Parse once and walk once; see the module docstring for what is collected."""
    source = decode_html(html)
    if len(source) > MAX_HTML_CHARS:
        source = source[:MAX_HTML_CHARS]
    source = _replace_chars(_XML_DECL_RE.sub("", source, count=1), _INVISIBLE)
    if "&" in source:
        source = _INVISIBLE_REF_RE.sub("", source)
    if not source.strip():
        return Page(root=None)
    root = _parse_tree(source)
    if root is None:
        return Page(root=None)

    page = Page(root=root)
    lang = root.get("lang") or root.get("xml:lang")
    page.lang = lang.strip() if lang else None

    # Chunks are strings or None (an inline-element boundary); text and spaced_text differ only at the Nones.
    chunks: list[str | None] = []
    elements = page.elements
    # Explicit stack instead of recursion: (node, entering?) pairs; the tail is emitted after the subtree.
    stack: list[tuple[Any, bool]] = [(root, True)]
    while stack:
        node, entering = stack.pop()
        tag = node.tag
        if not entering:
            if tag != "wbr":
                chunks.append("\n" if tag in _BLOCK_TAGS else None)
            if node.tail:
                chunks.append(node.tail)
            continue
        if not isinstance(tag, str):
            # Comments and processing instructions: content hidden, tail visible.
            if node.tail:
                chunks.append(node.tail)
            continue
        elements.append(node)
        lowered = tag if tag.islower() else tag.lower()
        if lowered in _SKIP_TAGS:
            if lowered == "script":
                body = node.text or ""
                kind = (node.get("type") or "").lower()
                if "ld+json" in kind:
                    parsed = _parse_json_ld(body)
                    if parsed is not None:
                        page.json_ld.append(parsed)
                elif body:
                    page.scripts.append(body)
            if lowered == "head":
                # <head> holds <script>/<meta>/<link> we still want as elements and scripts.
                stack.append((node, False))
                for child in reversed(node):
                    stack.append((child, True))
                continue
            if lowered in {"noscript", "template"}:
                # Their markup is real elements (links inside noscript are common); text is not shown.
                for child in node.iter():
                    if child is not node and isinstance(child.tag, str):
                        elements.append(child)
            if node.tail:
                chunks.append(node.tail)
            continue
        if lowered != "wbr":
            # libxml2 does not know <wbr> is void and nests what follows inside it: walk it, but add no boundary.
            chunks.append("\n" if lowered in _BLOCK_TAGS else None)
        if node.text:
            chunks.append(node.text)
        stack.append((node, False))
        for child in reversed(node):
            stack.append((child, True))

    text_parts: list[str] = []
    spaced_parts: list[str] = []
    boundaries: list[int] = []
    offset = 0
    for chunk in chunks:
        if chunk is None:
            if not boundaries or boundaries[-1] != offset:
                boundaries.append(offset)
            spaced_parts.append(" ")
        else:
            text_parts.append(chunk)
            spaced_parts.append(chunk)
            offset += len(chunk)
    page.text = _replace_chars("".join(text_parts), _FOLD)
    page.spaced_text = _replace_chars("".join(spaced_parts), _FOLD)
    page.boundaries = tuple(boundaries)
    return page
