"""Regex fast path for the common urlset shape: `<url>` with only loc/lastmod/changefreq/priority.

Building an lxml element proxy per child element costs most of a streaming parse, and nearly
every real sitemap is a run of such plain `<url>` blocks. The patterns below accept only
that strict, well-formed shape in the default (or no) namespace; anything else (extensions,
CDATA, attributes, prefixes, character references, comments inside a block) is left for lxml,
so both paths give identical records (a differential test checks this).

Patterns work on `str` decoded from the normalised UTF-8 stream, so field values come out as
text without a per-field decode.
"""

from __future__ import annotations

import re

_WS = r"[ \t\r\n]"
# Prolog (whitespace, PIs, comments) then an unprefixed, not self-closing <urlset ...> whose
# attributes are well-formed: libxml2 reports a broken root tag only later, after the fast path
# would already have emitted records the lxml path never produces.
_ATTR = rf"""{_WS}+[A-Za-z_:][\w.:-]*{_WS}*={_WS}*(?:"[^"<]*"|'[^'<]*')"""
ROOT_PREFIX = re.compile(
    rf"(?:{_WS}+|<\?(?:[^?]|\?(?!>))*\?>|<!--(?:[^-]|-(?!-))*-->)*<urlset(?:{_ATTR})*{_WS}*>"
)
ROOT_PREFIX_WAIT = 4096  # chars to wait for the whole root tag before giving the body to lxml

_TEXT = r"([^<]*)"
CANONICAL_URL = re.compile(
    rf"{_WS}*<url>{_WS}*<loc>{_TEXT}</loc>{_WS}*"
    rf"(?:<lastmod>{_TEXT}</lastmod>{_WS}*)?"
    rf"(?:<changefreq>{_TEXT}</changefreq>{_WS}*)?"
    rf"(?:<priority>{_TEXT}</priority>{_WS}*)?"
    r"</url>"
)
_FIELD_NAMES = "loc|lastmod|changefreq|priority"
ANY_ORDER_URL = re.compile(
    rf"{_WS}*<url>((?:{_WS}*<(?:{_FIELD_NAMES})>[^<]*</(?:{_FIELD_NAMES})>)*){_WS}*</url>"
)
FIELD = re.compile(rf"<({_FIELD_NAMES})>([^<]*)</({_FIELD_NAMES})>")
SKIP = re.compile(r"(?:[ \t\r\n]+|<!--(?:[^-]|-(?!-))*-->)+")
URL_START = re.compile(rf"{_WS}*<url[ \t\r\n>]")
URL_END = "</url>"
MAX_PENDING = 1024 * 1024  # an unfinished block bigger than this goes to lxml
MAX_UNUSUAL_RUN = 8  # this many blocks in a row that need lxml: give the rest of the file to lxml


class NotSimple(Exception):
    """The block needs the real XML parser (e.g. a character reference)."""


def xml_text(raw: str) -> str:
    """Element text of a fast-path field: the five predefined entities decoded, nothing else.

    Input comes from the normaliser, so every `&` starts a valid reference; `&amp;` is
    replaced last so `&amp;lt;` correctly becomes `&lt;`.
    """
    if "&#" in raw:
        raise NotSimple
    if raw.count("&") == raw.count("&amp;"):  # the usual case: query strings
        return raw.replace("&amp;", "&")
    return (
        raw.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


_SECTION_ENDS = (("<![CDATA[", "]]>"), ("<!--", "-->"), ("<?", "?>"))


def markup_sections_closed(block: str) -> bool:
    """True when every CDATA section, comment and PI in `block` ends inside it.

    Otherwise the `</url>` that ends the block may sit inside one of them and the block
    boundary is wrong; any other `<!` (a DOCTYPE mid-file) also says no.
    """
    pos = 0
    while True:
        start = block.find("<!", pos)
        pi = block.find("<?", pos)
        if pi >= 0 and (start < 0 or pi < start):
            start = pi
        if start < 0:
            return True
        for opener, closer in _SECTION_ENDS:
            if block.startswith(opener, start):
                end = block.find(closer, start + len(opener))
                if end < 0:
                    return False
                pos = end + len(closer)
                break
        else:
            return False


def any_order_fields(inner: str) -> tuple[str | None, str | None, str | None, str | None] | None:
    """loc, lastmod, changefreq, priority from the inside of a `<url>`; None if a close tag mismatches."""
    found: dict[str, str] = {}
    for name, text, close in FIELD.findall(inner):
        if name != close:
            return None
        found[name] = text  # a repeated element: the last one wins, as in the lxml path
    return found.get("loc"), found.get("lastmod"), found.get("changefreq"), found.get("priority")
