"""Streaming forms of the sitemap parser: push parser, `iter_sitemap` sources, HTTP bodies, memory."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import io
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from aiohttp import web

from scrapersky_pipelines.lib.sitemaps import (
    SitemapChild,
    SitemapEntry,
    SitemapParser,
    SitemapStream,
    iter_sitemap,
    parse_sitemap,
)

URL = "https://example.com/sitemap.xml"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def url_block(i: int) -> bytes:
    return (
        f"<url><loc>https://example.com/p/{i}?ref=sm&amp;n={i}</loc><lastmod>2024-05-08T10:00:00Z</lastmod>"
        f"<changefreq>weekly</changefreq><priority>0.5</priority></url>\n"
    ).encode()


def generated_urlset(n: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """A urlset produced lazily in `chunk`-byte pieces (never whole in memory)."""
    buf = bytearray(f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}>\n'.encode())
    for i in range(n):
        buf += url_block(i)
        if len(buf) >= chunk:
            yield bytes(buf[:chunk])
            del buf[:chunk]
    buf += b"</urlset>\n"
    yield bytes(buf)


SMALL = b"".join(generated_urlset(300))


def test_push_parser_returns_records_as_they_complete() -> None:
    parser = SitemapParser(URL, "application/xml")
    first = parser.feed(SMALL[: len(SMALL) // 2])
    assert 100 < len(first) < 300  # records come out before the body ends
    rest = parser.feed(SMALL[len(SMALL) // 2 :]) + parser.close()
    locs = [e.loc for e in first + rest]
    assert locs == [f"https://example.com/p/{i}?ref=sm&n={i}" for i in range(300)]
    assert parser.kind == "urlset" and parser.entry_count == 300
    assert parser.has_lastmod and parser.has_priority and parser.has_changefreq and not parser.has_images
    summary = parser.summary()
    assert summary.kind == "urlset" and summary.entries == [] and summary.error is None
    assert summary.has_priority and summary.decompressed_bytes == len(SMALL)
    assert summary.entry_count == 300 and summary.child_count == 0


def test_parse_sitemap_dedupes_but_the_stream_does_not() -> None:
    body = f"<urlset {NS}>" + "".join(
        f"<url><loc>https://example.com/{i % 3}</loc><priority>0.{i}</priority></url>" for i in range(7)
    ) + "</urlset>"
    streamed = list(iter_sitemap(body.encode(), URL))
    assert len(streamed) == 7
    result = parse_sitemap(body.encode(), URL)
    assert [(e.loc, e.priority) for e in result.entries] == [
        ("https://example.com/0", 0.0), ("https://example.com/1", 0.1), ("https://example.com/2", 0.2)
    ]
    assert result.entry_count == 3
    assert "4 duplicate URLs dropped (first occurrence kept)" in result.warnings


def test_one_huge_feed_is_sliced() -> None:
    body = b"".join(generated_urlset(20_000))
    parser = SitemapParser(URL)
    items = parser.feed(memoryview(body)) + parser.close()
    assert len(items) == 20_000 and parser.decompressed_bytes == len(body)


def test_feed_after_close_and_double_close() -> None:
    parser = SitemapParser(URL)
    assert len(parser.feed(SMALL) + parser.close()) == 300
    assert parser.close() == []
    with pytest.raises(ValueError):
        parser.feed(b"<url/>")


def test_done_turns_true_on_a_refused_body_and_further_input_is_ignored() -> None:
    parser = SitemapParser(URL)
    assert parser.feed(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>') == []
    assert parser.done and parser.kind == "invalid"
    assert parser.feed(SMALL) == []
    assert parser.close() == []
    assert parser.error is not None and "DOCTYPE" in parser.error


def test_index_children_are_yielded_and_collected() -> None:
    body = f"<sitemapindex {NS}>" + "".join(
        f"<sitemap><loc>https://example.com/s{i}.xml</loc></sitemap>" for i in range(5)
    ) + "</sitemapindex>"
    stream = iter_sitemap(body.encode(), URL)
    items = list(stream)
    assert all(type(i) is SitemapChild for i in items)
    assert stream.children == items and stream.child_count == 5 and stream.kind == "index"
    assert [c.loc for c in stream.summary().children] == [c.loc for c in items]


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "file", "chunks", "gzip-chunks"])
def test_iter_sitemap_sources(kind: str) -> None:
    sources = {
        "bytes": SMALL,
        "bytearray": bytearray(SMALL),
        "memoryview": memoryview(SMALL),
        "file": io.BytesIO(SMALL),
        "chunks": generated_urlset(300, chunk=1000),
        "gzip-chunks": iter([gzip.compress(SMALL)[i : i + 333] for i in range(0, len(gzip.compress(SMALL)), 333)]),
    }
    stream = iter_sitemap(sources[kind], URL)
    assert isinstance(stream, SitemapStream)
    entries = list(stream)
    assert len(entries) == 300 and all(type(e) is SitemapEntry for e in entries)
    assert entries == parse_sitemap(SMALL, URL).entries
    assert stream.kind == "urlset" and stream.error is None
    assert stream.is_gzip is (kind == "gzip-chunks")


def test_stream_iterates_once() -> None:
    stream = iter_sitemap(SMALL, URL)
    list(stream)
    with pytest.raises(RuntimeError):
        list(stream)


def test_stream_stops_pulling_chunks_once_done() -> None:
    pulled = 0

    def chunks() -> Iterator[bytes]:
        nonlocal pulled
        yield b"<!DOCTYPE html><html><body>"
        while True:
            pulled += 1
            yield b"<p>not a sitemap</p>" * 100

    stream = iter_sitemap(chunks(), URL)
    assert list(stream) == []
    assert stream.kind == "invalid" and pulled == 0


def gzipped(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Compress a chunk stream on the fly (each compressed piece expands ~20x when parsed)."""
    comp = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for chunk in chunks:
        piece = comp.compress(chunk)
        if piece:
            yield piece
    yield comp.flush()


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_streaming_memory_stays_flat(compress: bool) -> None:
    """Peak traced memory does not grow with the file: 6x the URLs, about the same peak."""

    def peak(n: int) -> int:
        tracemalloc.start()
        try:
            source = gzipped(generated_urlset(n)) if compress else generated_urlset(n)
            count = sum(1 for _ in iter_sitemap(source, URL))
            assert count == n
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(5_000), peak(30_000)
    document = sum(len(c) for c in generated_urlset(30_000))
    assert large < document / 2
    assert large < small * 1.5


# -- a real HTTP body: loopback server, chunked transfer, optional gzip -----------------------

BODY = b"".join(generated_urlset(2_000))


async def _handler(request: web.Request) -> web.StreamResponse:
    gzipped = request.path.endswith(".gz")
    payload = gzip.compress(BODY) if gzipped or request.query.get("encoding") else BODY
    response = web.StreamResponse(headers={"Content-Type": "application/xml; charset=utf-8"})
    if request.query.get("encoding"):
        response.headers["Content-Encoding"] = "gzip"
    await response.prepare(request)
    for start in range(0, len(payload), 1500):  # small writes: records straddle chunk boundaries
        await response.write(payload[start : start + 1500])
    await response.write_eof()
    return response


@contextlib.asynccontextmanager
async def _serve() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/{name}", _handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def _import(client: httpx.AsyncClient, url: str, raw: bool) -> SitemapParser:
    entries: list[SitemapEntry] = []
    async with client.stream("GET", url) as response:
        parser = SitemapParser(url, response.headers.get("content-type"))
        body = response.aiter_raw() if raw else response.aiter_bytes()
        async for chunk in body:
            entries.extend(parser.feed(chunk))  # type: ignore[arg-type]
            if parser.done:
                break
    entries.extend(parser.close())  # type: ignore[arg-type]
    assert [e.loc for e in entries] == [f"https://example.com/p/{i}?ref=sm&n={i}" for i in range(2_000)]
    return parser


@pytest.mark.parametrize(
    ("path", "raw", "gzipped"),
    [
        ("/sitemap.xml", False, False),
        ("/sitemap.xml.gz", False, True),  # gzip file, no transport encoding
        ("/sitemap.xml?encoding=gzip", False, False),  # transport-decoded by the client
        ("/sitemap.xml?encoding=gzip", True, True),  # raw transport bytes: gzip found by magic
    ],
)
def test_async_http_body(path: str, raw: bool, gzipped: bool) -> None:
    async def main() -> SitemapParser:
        async with _serve() as base, httpx.AsyncClient(trust_env=False) as client:
            return await _import(client, base + path, raw)

    parser = asyncio.run(main())
    assert parser.kind == "urlset" and parser.error is None and parser.is_gzip is gzipped
