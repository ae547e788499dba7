"""Byte-level stages in front of the XML parser: bounded gunzip and UTF-8 normalisation.

Both work chunk by chunk so memory stays flat whatever the body size, and a gzip bomb
never expands more than one output chunk past the caller's byte cap.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Iterator

from scrapersky_pipelines.lib.sitemap_sniff import GZIP_MAGIC

OUTPUT_CHUNK = 256 * 1024


class Gunzip:
    """Incremental gzip decoder: multi-member files, trailing junk tolerated, output in bounded pieces."""

    def __init__(self) -> None:
        self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._between_members = False
        self._pending = b""
        self.error: str | None = None
        self.trailing_junk = False

    @property
    def complete(self) -> bool:
        """True when the last member ended cleanly (a truncated file never gets here)."""
        return self._d.eof and self.error is None

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.error is not None or self.trailing_junk:
            return
        while data:
            if self._between_members:
                data = self._pending + data
                if len(data) < 2:
                    self._pending = data
                    return
                self._pending = b""
                if not data.startswith(GZIP_MAGIC):
                    self.trailing_junk = bool(data.strip(b"\0"))
                    return
                self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self._between_members = False
            try:
                piece = self._d.decompress(data, OUTPUT_CHUNK)
            except zlib.error as exc:
                self.error = str(exc)
                return
            if piece:
                yield piece
            if self._d.eof:
                self._between_members = True
                data = self._d.unused_data
            else:
                data = self._d.unconsumed_tail

    def flush(self) -> bytes:
        if self.error is not None or self._d.eof:
            return b""
        try:
            return self._d.flush()
        except zlib.error as exc:
            self.error = str(exc)
            return b""


# C0 controls other than tab/LF/CR are illegal in XML 1.0 and make libxml2 stop; they never
# occur inside UTF-8 multi-byte sequences, so deleting them byte-wise is safe.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13)) + b"\x7f"
# Entities other than the XML five are undeclared (DTDs are refused), and a bare "&" in a URL
# is the commonest sitemap well-formedness bug: escape both so one bad URL does not end the parse.
_BARE_AMP = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)")
_AMP_LOOKBEHIND = 12


class Utf8Normaliser:
    """Any declared encoding -> valid UTF-8 bytes, minus characters XML forbids, bare `&` escaped."""

    def __init__(self, encoding: str, bom_length: int) -> None:
        self._utf8 = encoding == "utf-8"
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._skip = bom_length
        self._carry = b""
        self.replaced = False

    def feed(self, data: bytes) -> bytes:
        if self._skip:
            cut = min(self._skip, len(data))
            data, self._skip = data[cut:], self._skip - cut
        if not self._utf8:
            data = self._recode(data)
        elif not (data.isascii() and not self._decoder.getstate()[0]):
            data = self._recode(data)
        data = data.translate(None, _CONTROL_BYTES)
        if self._carry:
            data = self._carry + data
            self._carry = b""
        amp = data.rfind(b"&", max(0, len(data) - _AMP_LOOKBEHIND))
        if amp >= 0 and b";" not in data[amp:]:
            data, self._carry = data[:amp], data[amp:]
        if b"&" in data:
            data = _BARE_AMP.sub(b"&amp;", data)
        return data

    def _recode(self, data: bytes) -> bytes:
        text = self._decoder.decode(data)
        if "\ufffd" in text:
            self.replaced = True
        if "\ufffe" in text or "\uffff" in text:
            # Noncharacters libxml2 refuses (it would end the parse); the regex path must agree.
            text = text.replace("\ufffe", "").replace("\uffff", "")
        return text.encode("utf-8")

    def close(self) -> bytes:
        tail = self._decoder.decode(b"", final=True).encode("utf-8") + self._carry
        self._carry = b""
        return _BARE_AMP.sub(b"&amp;", tail.translate(None, _CONTROL_BYTES))
