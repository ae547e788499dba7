"""Format handlers behind the sitemap parser: streaming XML (lxml pull parser + regex fast path) and text.

A handler receives decompressed body bytes chunk by chunk and hands finished records to its
owner (the `SitemapParser`), which applies caps and counts.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from typing import Any, Protocol

from lxml import etree

from scrapersky_pipelines.lib import sitemap_fastpath as fast
from scrapersky_pipelines.lib.sitemap_bytes import Utf8Normaliser
from scrapersky_pipelines.lib.sitemap_records import SitemapChild, SitemapEntry
from scrapersky_pipelines.lib.sitemap_sniff import EncodingGuess
from scrapersky_pipelines.lib.sitemap_values import clean_url, is_http_url
from scrapersky_pipelines.lib.sitemap_xml import ENTRY_CONTAINERS, ElementReader, local_name

_POSITION = re.compile(r"(?:,? line \d+)+(?:, column \d+)?")
_LXML_FEED = 1024 * 1024  # libxml2's push parser refuses very large single feeds
_MAX_LINE = 64 * 1024  # a text-sitemap "line" longer than this is junk (URLs stay under a few KB)
TAGS = {
    "urlset": ("{*}url", "{*}sitemap"),
    "index": ("{*}url", "{*}sitemap"),
    "rss": ("{*}item",),
    "atom": ("{*}entry",),
}


class Owner(Protocol):
    """What a format handler needs from the parser that drives it."""

    url: str
    reader: ElementReader
    warnings: list[str]
    truncated: bool
    done: bool
    entry_count: int
    child_count: int

    def emit(self, entry: SitemapEntry) -> None: ...

    def emit_many(self, entries: list[SitemapEntry]) -> None: ...

    def emit_child(self, child: SitemapChild) -> None: ...


class XmlFormat:
    """Feeds normalised UTF-8 to an lxml pull parser and turns finished entry elements into records.

    For urlsets a regex fast path consumes plain `<url>` blocks itself and passes only the rest
    (prolog, root tag, unusual blocks, the end) to lxml, which therefore still sees a
    well-formed document and reports truncation and syntax errors as usual.
    """

    def __init__(self, owner: Owner, guess: EncodingGuess, kind: str, fast_path: bool = True) -> None:
        self._owner = owner
        self._bytes = Utf8Normaliser(guess.encoding, guess.bom_length)
        self._parser = etree.XMLPullParser(
            events=("end",),
            tag=TAGS[kind],
            encoding="utf-8",  # input is re-encoded to UTF-8 whatever the prolog declares
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
        )
        self._root: Any = None
        self._names: dict[object, str] = {}
        self._stopped = False
        self._mode = "prefix" if fast_path and kind == "urlset" else "lxml"
        self._pending = ""
        self._skipped_lines = 0
        self._unusual_run = 0
        self._leading = True
        reader = owner.reader
        self._handlers: dict[str, Callable[[Any], SitemapEntry | SitemapChild | None]] = {
            "url": reader.url,
            "sitemap": reader.sitemap,
            "item": reader.rss_item,
            "entry": reader.atom_entry,
        }

    # -- input ----------------------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        if self._stopped:
            return
        data = self._bytes.feed(data)
        if self._leading:
            # Blank lines before `<?xml ...?>` are common and make libxml2 refuse the declaration.
            data = data.lstrip(b" \t\r\n")
            if not data:
                return
            self._leading = False
        if self._mode == "lxml":
            self._lxml(data)
        else:
            # The normaliser emits whole characters only, so each piece decodes on its own.
            self._fast(self._pending + data.decode("utf-8"), final=False)

    def close(self) -> None:
        if self._stopped:
            return
        tail = self._bytes.close()
        if self._bytes.replaced:
            self._owner.warnings.append("invalid byte sequences for the declared encoding were replaced")
        if self._mode != "lxml":
            self._fast(self._pending + tail.decode("utf-8"), final=True)
        elif tail:
            self._lxml(tail)
        if self._stopped:
            return
        try:
            self._parser.close()
        except etree.XMLSyntaxError as exc:
            self._drain()
            self._fail(exc, at_end=True)
            return
        self._drain()

    # -- regex fast path ------------------------------------------------------------------------
    def _fast(self, buf: str, final: bool) -> None:
        self._pending = ""
        if self._mode == "prefix":
            m = fast.ROOT_PREFIX.match(buf)
            if m is None:
                if final or len(buf) > fast.ROOT_PREFIX_WAIT:
                    self._to_lxml(buf)
                else:
                    self._pending = buf
                return
            self._lxml(buf[: m.end()].encode())
            if self._stopped:
                return
            self._mode = "fast"
            buf = buf[m.end() :]
        last = buf.rfind(fast.URL_END)
        if last < 0:
            if final or len(buf) > fast.MAX_PENDING:
                self._to_lxml(buf)
            else:
                self._pending = buf
            return
        pos = self._scan(buf, last + len(fast.URL_END))
        if self._mode == "lxml" or self._stopped:
            return
        rest = buf[pos:]
        if final or len(rest) > fast.MAX_PENDING:
            self._to_lxml(rest)
        else:
            self._pending = rest

    def _scan(self, buf: str, limit: int) -> int:
        """Consume plain `<url>` blocks in buf[:limit]; return where scanning stopped.

        Records are batched and handed over before anything goes to lxml, so order is kept.
        """
        values = self._owner.reader.values
        canonical = fast.CANONICAL_URL.match
        text = fast.xml_text
        batch: list[SitemapEntry] = []
        append = batch.append
        # "]]>" outside CDATA is a syntax error for lxml; a block holding it goes to lxml too.
        cdata_end = "]]>" in buf
        pos = unfed = 0
        while pos < limit:
            m = canonical(buf, pos, limit)
            if m is not None and cdata_end and "]]>" in m.group(0):
                m = None
            try:
                if m is not None:
                    loc, lastmod, changefreq, priority = m.groups()
                    if "&" in loc:
                        loc = text(loc)
                    if lastmod is not None and "&" in lastmod:
                        lastmod = text(lastmod)
                    if changefreq is not None and "&" in changefreq:
                        changefreq = text(changefreq)
                    if priority is not None and "&" in priority:
                        priority = text(priority)
                    entry = values(loc, lastmod, changefreq, priority)
                    pos = m.end()
                    self._unusual_run = 0
                    if entry is not None:
                        append(entry)
                    continue
                m = fast.ANY_ORDER_URL.match(buf, pos, limit)
                if m is not None and cdata_end and "]]>" in m.group(0):
                    m = None
                fields = fast.any_order_fields(m.group(1)) if m is not None else None
                if m is not None and fields is not None:
                    entry = values(*(None if f is None else text(f) for f in fields))
                    pos = m.end()
                    self._unusual_run = 0
                    if entry is not None:
                        append(entry)
                    continue
            except fast.NotSimple:
                pass
            m = fast.SKIP.match(buf, pos, limit)
            if m is not None:  # whitespace and comments between blocks
                pos = m.end()
                continue
            # An unusual block (extensions, CDATA, attributes...): let lxml read just this one.
            end = buf.find(fast.URL_END, pos, limit)
            if end < 0:
                break
            end += len(fast.URL_END)
            block = buf[pos:end]
            if not fast.URL_START.match(block) or not fast.markup_sections_closed(block):
                break
            self._unusual_run += 1
            if self._unusual_run > fast.MAX_UNUSUAL_RUN:
                break  # e.g. an image sitemap: one lxml feed per block costs more than lxml alone
            if batch:
                self._owner.emit_many(batch)
                batch.clear()
            self._skipped_lines += buf.count("\n", unfed, pos)
            unfed = end
            handled = self._lxml(block.encode())
            if self._stopped:
                return end
            if handled != 1:
                self._to_lxml(buf[end:])
                return len(buf)
            pos = end
        if batch:
            self._owner.emit_many(batch)
        self._skipped_lines += buf.count("\n", unfed, pos)
        if pos < limit:
            self._to_lxml(buf[pos:])
            return len(buf)
        return pos

    def _to_lxml(self, data: str) -> None:
        self._mode = "lxml"
        self._pending = ""
        if data:
            self._lxml(data.encode())

    # -- lxml path ------------------------------------------------------------------------------
    def _lxml(self, data: bytes) -> int:
        handled = 0
        for start in range(0, len(data), _LXML_FEED):
            try:
                self._parser.feed(data[start : start + _LXML_FEED])
            except etree.XMLSyntaxError as exc:
                handled += self._drain()
                self._fail(exc, at_end=False)
                return handled
            handled += self._drain()
        return handled

    def _drain(self) -> int:
        owner = self._owner
        handlers = self._handlers
        root = self._root
        names = self._names
        handled = 0
        for _event, el in self._parser.read_events():
            parent = el.getparent()
            if parent is None:
                continue
            if parent is not root:
                if local_name(parent.tag).lower() not in ENTRY_CONTAINERS:
                    continue  # e.g. a <url> nested inside <loc>: read as part of its entry
                if root is None:
                    root = self._root = parent
            tag = el.tag
            name = names.get(tag)
            if name is None:
                name = names[tag] = local_name(tag)
            record = handlers[name](el)
            parent.remove(el)
            handled += 1
            if record is None:
                continue
            if type(record) is SitemapChild:
                owner.emit_child(record)
            else:
                owner.emit(record)  # type: ignore[arg-type]
        return handled

    def _fail(self, exc: etree.XMLSyntaxError, at_end: bool) -> None:
        self._stopped = True
        owner = self._owner
        message = str(getattr(exc, "msg", None) or exc).strip()
        parsed = owner.entry_count + owner.child_count
        if "Extra content at the end of the document" in message:
            owner.warnings.append("ignored content after the end of the root element")
            return
        owner.truncated = True
        if at_end:
            # libxml2's position refers to the fragments lxml was fed, not to the file: drop it.
            message = _POSITION.sub("", message)
            owner.warnings.append(f"XML is truncated ({message}); kept {parsed} entries parsed before the break")
            return
        line = getattr(exc, "lineno", None)
        where = f" at line {line + self._skipped_lines}" if line else ""
        owner.warnings.append(
            f"XML error{where} ({message}); parsing stopped, kept {parsed} entries parsed before it"
        )
        owner.done = True


class TextFormat:
    """Plain-text sitemap: one absolute http(s) URL per line; other lines are ignored."""

    def __init__(self, owner: Owner, guess: EncodingGuess) -> None:
        self._owner = owner
        self._decoder = codecs.getincrementaldecoder(guess.encoding)(errors="replace")
        self._skip = guess.bom_length
        self._partial = ""
        self.ignored_lines = 0

    def feed(self, data: bytes) -> None:
        if self._skip:
            cut = min(self._skip, len(data))
            data, self._skip = data[cut:], self._skip - cut
        text = self._decoder.decode(data)
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")  # a split CRLF just adds a blank line
        lines = text.split("\n")
        lines[0] = self._partial + lines[0]
        self._partial = lines.pop()
        if len(self._partial) > _MAX_LINE:
            self._partial = ""  # no URL is this long: binary junk or a one-line blob
            self.ignored_lines += 1
        for line in lines:
            self._line(line)

    def close(self) -> None:
        rest = self._partial + self._decoder.decode(b"", final=True)
        self._partial = ""
        if rest and not self._owner.truncated:
            self._line(rest)  # an unterminated last line counts unless the body was cut off
        if self.ignored_lines:
            self._owner.warnings.append(f"{self.ignored_lines} non-URL lines ignored")

    def _line(self, line: str) -> None:
        token = line.strip().lstrip("\ufeff")
        if not token or token.startswith("#"):
            return
        token = token.split(None, 1)[0]
        loc = clean_url(token, self._owner.url) if is_http_url(token) else None
        if loc is None:
            self.ignored_lines += 1
            return
        self._owner.emit(SitemapEntry(loc))
