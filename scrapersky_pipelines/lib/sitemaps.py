"""Sitemap parsing: XML urlset/index, plain text, RSS 2.0/1.0 and Atom, from bytes or a stream.

Pure (no network, no Dagster). Public API:

- `parse_sitemap(content, url, content_type=None, *, limits=SitemapLimits(), depth=0, ancestors=())
  -> SitemapParseResult`: the whole body at once. `kind` is "urlset", "index", "text", "rss",
  "atom" or "invalid"; `entries` (`SitemapEntry`: loc, lastmod (aware datetime or None),
  changefreq, priority (0..1 or None), images, videos, news, alternates (hreflang -> href),
  title), deduplicated by loc; `children` (`SitemapChild`: loc, lastmod) of an index;
  `warnings`, `error`, `truncated`, `is_gzip`, byte counts, `encoding`, `generator` (a guess
  such as "Yoast" or "Shopify") and the flags has_lastmod, has_priority, has_changefreq,
  has_images, has_videos, has_news, has_alternates.
- `SitemapParser(url, content_type=None, *, limits, depth, ancestors)`: push parser for bodies
  that arrive in pieces (e.g. an async HTTP response). `feed(chunk) -> list[SitemapItem]`,
  `close() -> list[SitemapItem]`, then `summary() -> SitemapParseResult` (no entries; counts,
  children, flags kept) and the same fields as attributes (`kind`, `children`, `warnings`,
  `error`, `entry_count`, `child_count`, flags...); `done` turns True when more input cannot
  matter (stop reading). Records are `SitemapEntry` or `SitemapChild` (`SitemapItem`):

      parser = SitemapParser(url, response.headers.get("content-type"))
      async for chunk in response.aiter_raw():      # raw or transport-decoded, both work
          store(parser.feed(chunk))
          if parser.done:
              break
      store(parser.close())
      result = parser.summary()

- `iter_sitemap(source, url, content_type=None, limits=..., *, depth, ancestors) -> SitemapStream`:
  iterate records from bytes, a binary file or an iterable of byte chunks with flat memory;
  the stream is a `SitemapParser`, so after iteration it carries the summary too.
- `is_probably_sitemap(content, content_type=None)` (soft-404 sniff) and `guess_generator(head)`.

Bodies may be gzip (detected by magic bytes, up to two layers) or already transport-decoded.
Encoding comes from the BOM, the XML declaration, the HTTP charset, else UTF-8. A body that
breaks off keeps every record completed before the break (`truncated`, with a warning).

Safety: a DOCTYPE or ENTITY declaration makes the body invalid; entities are never resolved,
nothing is fetched. The protocol's 50,000 URLs / 50 MB per file only produce warnings; the hard
caps in `SitemapLimits(max_compressed_bytes=100 MiB, max_decompressed_bytes=256 MiB,
max_entries=1,000,000, max_index_depth=5, warn_entries=50,000, warn_decompressed_bytes=50 MiB)`
stop the parse, keep what was parsed and name themselves in `error` ("hard cap max_entries=...").
`depth` is a file's nesting below the top sitemap and `ancestors` the index URLs that led to it:
children equal to the file itself, an ancestor or a robots.txt are dropped with a warning.
"""

from __future__ import annotations

import codecs
from collections.abc import Collection, Iterable, Iterator
from typing import BinaryIO

from scrapersky_pipelines.lib.sitemap_bytes import OUTPUT_CHUNK, Gunzip
from scrapersky_pipelines.lib.sitemap_formats import TextFormat, XmlFormat
from scrapersky_pipelines.lib.sitemap_records import (
    PROTOCOL_MAX_BYTES,
    PROTOCOL_MAX_URLS,
    SitemapChild,
    SitemapEntry,
    SitemapImage,
    SitemapItem,
    SitemapKind,
    SitemapLimits,
    SitemapNews,
    SitemapParseResult,
)
from scrapersky_pipelines.lib.sitemap_sniff import (
    GZIP_MAGIC,
    SNIFF_LIMIT,
    detect_encoding,
    guess_generator,
    is_probably_sitemap,
    sniff_kind,
)
from scrapersky_pipelines.lib.sitemap_xml import ElementReader

__all__ = [
    "PROTOCOL_MAX_BYTES",
    "PROTOCOL_MAX_URLS",
    "SitemapChild",
    "SitemapEntry",
    "SitemapImage",
    "SitemapItem",
    "SitemapKind",
    "SitemapLimits",
    "SitemapNews",
    "SitemapParseResult",
    "SitemapParser",
    "SitemapStream",
    "guess_generator",
    "is_probably_sitemap",
    "iter_sitemap",
    "parse_sitemap",
]

_DEFAULT_LIMITS = SitemapLimits()
_MAX_GZIP_LAYERS = 2  # a .xml.gz served with Content-Encoding: gzip and not transport-decoded
_SAMPLE = 16 * 1024
_TAIL_SAMPLE = 2 * 1024
_MAX_DROPPED_NOTES = 10
_GZIP_STEP = 8 * 1024


class _Stop(Exception):
    """A hard cap was hit inside a format handler; the parser is done."""


class SitemapParser:
    """Push parser for one sitemap body: `feed(chunk)` and `close()` return the records parsed so far.

    Records are `SitemapEntry` (urlset, text, rss, atom) or `SitemapChild` (index). The
    attributes (`kind`, `children`, `warnings`, `error`, counts and flags) are final after
    `close()`. `done` turns True as soon as no further input can matter (invalid body, hard
    cap, fatal XML error), so a caller streaming a download can stop reading. Entries are not
    deduplicated here (memory stays flat); children are.
    """

    def __init__(
        self,
        url: str,
        content_type: str | None = None,
        *,
        limits: SitemapLimits = _DEFAULT_LIMITS,
        depth: int = 0,
        ancestors: Collection[str] = (),
        fast_path: bool = True,
    ) -> None:
        self.url = url
        self.content_type = content_type
        self.limits = limits
        self.depth = depth
        self.ancestors = frozenset(ancestors)
        self.fast_path = fast_path
        self.kind: SitemapKind | None = None
        self.children: list[SitemapChild] = []
        self.warnings: list[str] = []
        self.error: str | None = None
        self.truncated = False
        self.done = False
        self.is_gzip = False
        self.compressed_bytes = 0
        self.decompressed_bytes = 0
        self.encoding: str | None = None
        self.generator: str | None = None
        self.entry_count = 0
        self.child_count = 0
        self.reader = ElementReader(url)
        self._out: list[SitemapItem] = []
        self._closed = False
        self._layers: list[Gunzip] = []
        self._magic_checked = False  # innermost layer checked for (another) gzip header
        self._undecided = b""
        self._head = bytearray()
        self._sample_head = b""
        self._sample_tail = b""
        self._format: XmlFormat | TextFormat | None = None
        self._children_seen: set[str] = set()
        self._dropped_children: list[str] = []

    # -- flags mirrored from the element reader -------------------------------------------------
    @property
    def has_lastmod(self) -> bool:
        return self.reader.has_lastmod

    @property
    def has_priority(self) -> bool:
        return self.reader.has_priority

    @property
    def has_changefreq(self) -> bool:
        return self.reader.has_changefreq

    @property
    def has_images(self) -> bool:
        return self.reader.has_images

    @property
    def has_videos(self) -> bool:
        return self.reader.has_videos

    @property
    def has_news(self) -> bool:
        return self.reader.has_news

    @property
    def has_alternates(self) -> bool:
        return self.reader.has_alternates

    # -- input ----------------------------------------------------------------------------------
    def feed(self, data: bytes | bytearray | memoryview) -> list[SitemapItem]:
        """Add the next chunk of the body (as received: gzip or not); return records completed by it.

        The list grows with the decompressed size of the chunk: feed gzip bodies in pieces of
        tens of KB (HTTP clients do) to keep memory flat.
        """
        if self._closed:
            raise ValueError("feed() after close()")
        if self.done or not data:
            return []
        room = self.limits.max_compressed_bytes - self.compressed_bytes
        capped = len(data) > room
        view = memoryview(data)[: max(room, 0)] if capped else memoryview(data)
        try:
            # Bounded slices keep the intermediate buffers small whatever the caller's chunk size.
            for start in range(0, len(view), OUTPUT_CHUNK):
                piece = bytes(view[start : start + OUTPUT_CHUNK])
                self.compressed_bytes += len(piece)
                self._push(0, piece)
                if self.done:
                    break
            if capped and not self.done:
                self._cap("max_compressed_bytes", self.limits.max_compressed_bytes, "input bytes")
        except _Stop:
            pass
        return self._take()

    def close(self) -> list[SitemapItem]:
        """Signal the end of the body; return the last records and finalise kind, warnings and counts."""
        if self._closed:
            return []
        self._closed = True
        try:
            if not self.done:
                self._end_of_input()
        except _Stop:
            pass
        self._finalise()
        return self._take()

    def _take(self) -> list[SitemapItem]:
        out, self._out = self._out, []
        return out

    def _push(self, level: int, data: bytes) -> None:
        """Pass bytes down the gzip layers (added on the fly when a layer starts with the magic)."""
        layers = self._layers
        if level == len(layers) and not self._magic_checked:
            data = self._undecided + data
            if len(data) < len(GZIP_MAGIC):
                self._undecided = data
                return
            self._undecided = b""
            if data.startswith(GZIP_MAGIC) and len(layers) < _MAX_GZIP_LAYERS:
                layers.append(Gunzip())
                if level:
                    self.warnings.append("body was gzipped twice; decompressed both layers")
                self.is_gzip = True
            else:
                self._magic_checked = True
        if level == len(layers):
            self._plain(data)
            return
        for piece in layers[level].feed(data):
            self._push(level + 1, piece)
            if self.done:
                return

    def _plain(self, data: bytes) -> None:
        room = self.limits.max_decompressed_bytes - self.decompressed_bytes
        capped = len(data) > room
        if capped:
            data = data[: max(room, 0)]
        before = self.decompressed_bytes
        self.decompressed_bytes += len(data)
        warn_at = self.limits.warn_decompressed_bytes
        if before <= warn_at < self.decompressed_bytes:
            self.warnings.append(
                f"body is larger than {warn_at:,} bytes uncompressed (sitemap protocol limit); kept all of it"
            )
        if len(self._sample_head) < _SAMPLE:
            self._sample_head += data[: _SAMPLE - len(self._sample_head)]
        self._sample_tail = (self._sample_tail + data[-_TAIL_SAMPLE:])[-_TAIL_SAMPLE:]
        if self._format is None:
            self._head += data
            self._try_start(complete=False)
        elif data:
            self._format.feed(data)
        if capped:
            self._cap("max_decompressed_bytes", self.limits.max_decompressed_bytes, "decompressed bytes")

    def _try_start(self, complete: bool) -> None:
        """Pick the format once the head says what the body is (kind, encoding)."""
        head = bytes(self._head)
        if len(head) < 4 and not complete:
            return  # a BOM or UTF-16/32 pattern may still be arriving
        complete = complete or len(head) >= SNIFF_LIMIT
        guess = detect_encoding(head[:1024], self.content_type)
        decoder = codecs.getincrementaldecoder(guess.encoding)(errors="replace")
        text = decoder.decode(head[guess.bom_length : SNIFF_LIMIT], final=complete)
        kind = sniff_kind(text, complete=complete)
        if kind.kind is None:
            return
        self._head = bytearray()
        self.encoding = guess.encoding
        if guess.warning:
            self.warnings.append(guess.warning)
        if kind.kind == "invalid":
            self.kind = "invalid"
            self.error = kind.error
            self.done = True
            return
        self.kind = kind.kind  # type: ignore[assignment]
        if kind.kind == "text":
            self._format = TextFormat(self, guess)
        else:
            self._format = XmlFormat(self, guess, kind.kind, self.fast_path)
        self._format.feed(head)

    def _end_of_input(self) -> None:
        for level, layer in enumerate(self._layers):  # a layer may be added while flushing
            tail = layer.flush()
            if tail:
                self._push(level + 1, tail)
            if self.done:
                return
            if layer.error is not None:
                self.truncated = True
                self.warnings.append(f"gzip data is corrupt ({layer.error}); kept what decompressed before it")
            elif not layer.complete:
                self.truncated = True
                self.warnings.append("gzip stream is truncated; kept what decompressed before the break")
            elif layer.trailing_junk:
                self.warnings.append("ignored non-gzip bytes after the end of the gzip stream")
        if self._undecided:
            self._magic_checked = True
            self._plain(self._undecided)
            self._undecided = b""
        if self._format is None and not self.done:
            self._try_start(complete=True)
        if self._format is not None and not self.done:
            self._format.close()

    # -- records (called by the format handlers) ------------------------------------------------
    def emit(self, item: SitemapEntry) -> None:
        if self.entry_count + self.child_count >= self.limits.max_entries:
            self._cap("max_entries", self.limits.max_entries, "entries")
        self.entry_count += 1
        if self.entry_count == self.limits.warn_entries + 1:
            self._warn_entries()
        self._out.append(item)

    def emit_many(self, items: list[SitemapEntry]) -> None:
        """`emit` for a batch (the regex fast path hands over one batch per chunk)."""
        room = self.limits.max_entries - self.entry_count - self.child_count
        capped = len(items) > room
        if capped:
            items = items[: max(room, 0)]
        before = self.entry_count
        self.entry_count += len(items)
        if before <= self.limits.warn_entries < self.entry_count:
            self._warn_entries()
        self._out.extend(items)
        if capped:
            self._cap("max_entries", self.limits.max_entries, "entries")

    def _warn_entries(self) -> None:
        self.warnings.append(
            f"more than {self.limits.warn_entries:,} URLs in one file (sitemap protocol limit); kept all of them"
        )

    def emit_child(self, child: SitemapChild) -> None:
        loc = child.loc
        if loc in self._children_seen:
            return
        if loc == self.url or loc in self.ancestors:
            self._dropped_children.append(f"recursion: child {loc} is this sitemap or one of its parents")
            return
        if loc.lower().split("?", 1)[0].endswith("/robots.txt"):
            self._dropped_children.append(f"child {loc} is a robots.txt, not a sitemap")
            return
        if self.entry_count + self.child_count >= self.limits.max_entries:
            self._cap("max_entries", self.limits.max_entries, "entries")
        self._children_seen.add(loc)
        self.child_count += 1
        if self.child_count == self.limits.warn_entries + 1:
            self.warnings.append(
                f"more than {self.limits.warn_entries:,} child sitemaps in one index (protocol limit); kept all"
            )
        self.children.append(child)
        self._out.append(child)

    def _cap(self, name: str, value: int, what: str) -> None:
        message = f"hard cap {name}={value:,} reached: stopped after {value:,} {what}; kept what was parsed"
        if self.error is None:
            self.error = message
        self.warnings.append(message)
        self.truncated = True
        self.done = True
        raise _Stop

    # -- result ---------------------------------------------------------------------------------
    def _finalise(self) -> None:
        if self.kind is None:
            self.kind = "invalid"
            self.error = self.error or "empty body"
        if self.kind == "invalid" and self.is_gzip and self.decompressed_bytes == 0:
            gzip_notes = [w for w in self.warnings if w.startswith("gzip")]
            self.error = gzip_notes[0] if gzip_notes else "gzip stream holds no data"
        self.warnings.extend(self.reader.skip_warnings())
        if self._dropped_children:
            self.warnings.extend(self._dropped_children[:_MAX_DROPPED_NOTES])
            extra = len(self._dropped_children) - _MAX_DROPPED_NOTES
            if extra > 0:
                self.warnings.append(f"... and {extra} more dropped children")
        if self.kind == "urlset" and self.child_count and not self.entry_count:
            self.kind = "index"
            self.warnings.append("<urlset> holds only <sitemap> entries: read as a sitemap index")
        elif self.kind == "index" and self.entry_count and not self.child_count:
            self.kind = "urlset"
            self.warnings.append("<sitemapindex> holds only <url> entries: read as a urlset")
        if self.kind == "text" and self.entry_count == 0:
            self.kind = "invalid"
            self.error = self.error or "no http(s) URL lines: not a sitemap"
        elif self.kind != "invalid" and self.entry_count == 0 and self.child_count == 0 and self.truncated:
            if self.error is None:
                self.kind = "invalid"
                self.error = "nothing parsed before the document broke off: " + (
                    self.warnings[-1] if self.warnings else "truncated"
                )
        if self.kind == "index" and self.depth >= self.limits.max_index_depth:
            message = (
                f"hard cap max_index_depth={self.limits.max_index_depth} reached: this index is at depth "
                f"{self.depth}; its {self.child_count} children are listed but must not be followed"
            )
            self.warnings.append(message)
            self.error = self.error or message
        if self._sample_head:
            self.generator = guess_generator(self._sample_head + b"\n" + self._sample_tail)

    def summary(self) -> SitemapParseResult:
        """The parse result without entries (they were streamed); closes the parser if needed."""
        return self.to_result()

    def to_result(self, entries: list[SitemapEntry] | None = None) -> SitemapParseResult:
        """This parser's result, with the entries the caller collected (closes the parser if needed).

        Without `entries`, `entry_count` is the number of entries streamed.
        """
        if not self._closed:
            self._out.extend(self.close())
        return SitemapParseResult(
            url=self.url,
            kind=self.kind or "invalid",
            entries=entries if entries is not None else [],
            children=list(self.children),
            entry_count=len(entries) if entries is not None else self.entry_count,
            child_count=len(self.children),
            warnings=list(self.warnings),
            error=self.error,
            truncated=self.truncated,
            is_gzip=self.is_gzip,
            compressed_bytes=self.compressed_bytes,
            decompressed_bytes=self.decompressed_bytes,
            encoding=self.encoding,
            generator=self.generator,
            has_lastmod=self.has_lastmod,
            has_priority=self.has_priority,
            has_changefreq=self.has_changefreq,
            has_images=self.has_images,
            has_videos=self.has_videos,
            has_news=self.has_news,
            has_alternates=self.has_alternates,
        )


SitemapSource = bytes | bytearray | memoryview | BinaryIO | Iterable[bytes]


class SitemapStream(SitemapParser):
    """Iterable of records read from a source with flat memory; parser attributes are final after iteration."""

    def __init__(
        self,
        source: SitemapSource,
        url: str,
        content_type: str | None = None,
        limits: SitemapLimits = _DEFAULT_LIMITS,
        *,
        depth: int = 0,
        ancestors: Collection[str] = (),
        chunk_size: int = OUTPUT_CHUNK,
        fast_path: bool = True,
    ) -> None:
        super().__init__(url, content_type, limits=limits, depth=depth, ancestors=ancestors, fast_path=fast_path)
        self._source = source
        self._chunk_size = chunk_size
        self._started = False

    def __iter__(self) -> Iterator[SitemapItem]:
        if self._started:
            raise RuntimeError("a SitemapStream can be iterated only once")
        self._started = True
        for chunk in _chunks(self._source, self._chunk_size):
            # Compressed input expands 10-40x: feed it in small steps so the records handed out
            # per step (and so memory) stay small whatever the source's chunk size.
            gzipped = self.is_gzip or (self.compressed_bytes == 0 and chunk.startswith(GZIP_MAGIC))
            step = _GZIP_STEP if gzipped else len(chunk)
            for start in range(0, len(chunk), step):
                items = self.feed(chunk[start : start + step] if step < len(chunk) else chunk)
                if items:
                    yield from items
                if self.done:
                    break
            if self.done:
                break
        yield from self.close()


def _chunks(source: SitemapSource, size: int) -> Iterator[bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source)
        for start in range(0, len(view), size):
            yield bytes(view[start : start + size])
        return
    read = getattr(source, "read", None)
    if read is not None:
        while True:
            chunk = read(size)
            if not chunk:
                return
            yield bytes(chunk)
    else:
        for chunk in source:  # type: ignore[union-attr]
            if chunk:
                yield bytes(chunk)


def iter_sitemap(
    source: SitemapSource,
    url: str,
    content_type: str | None = None,
    limits: SitemapLimits = _DEFAULT_LIMITS,
    *,
    depth: int = 0,
    ancestors: Collection[str] = (),
) -> SitemapStream:
    """Stream records (`SitemapEntry`, or `SitemapChild` for an index) from bytes, a binary file or chunks.

    The returned stream is iterable once; after iteration its `kind`, `children`, `warnings`,
    `error`, counts and flags describe the file (`summary()` packs them into a result).
    Entries are not deduplicated (memory stays flat).
    """
    return SitemapStream(source, url, content_type, limits, depth=depth, ancestors=ancestors)


def parse_sitemap(
    content: bytes,
    url: str,
    content_type: str | None = None,
    *,
    limits: SitemapLimits = _DEFAULT_LIMITS,
    depth: int = 0,
    ancestors: Collection[str] = (),
) -> SitemapParseResult:
    """Parse one sitemap body (as received: gzip or not) into a `SitemapParseResult`.

    Entries with the same `loc` are kept once (first wins), as are repeated child sitemaps.
    `depth` is this file's nesting level below the top sitemap and `ancestors` the URLs of the
    indexes that led here; children equal to one of them (loops) are dropped with a warning.
    """
    stream = iter_sitemap(content, url, content_type, limits, depth=depth, ancestors=ancestors)
    entries: list[SitemapEntry] = []
    seen: set[str] = set()
    duplicates = 0
    for item in stream:
        if type(item) is SitemapChild:
            continue  # collected by the stream itself
        loc = item.loc
        if loc in seen:
            duplicates += 1
            continue
        seen.add(loc)
        entries.append(item)  # type: ignore[arg-type]
    if duplicates:
        stream.warnings.append(f"{duplicates} duplicate URLs dropped (first occurrence kept)")
    return stream.to_result(entries)
