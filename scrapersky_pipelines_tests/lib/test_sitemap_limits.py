"""Protocol limits (warnings, never data loss) and hard caps (stop, keep what was parsed, say why)."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator

import pytest

from scrapersky_pipelines.lib.sitemaps import (
    PROTOCOL_MAX_BYTES,
    PROTOCOL_MAX_URLS,
    SitemapLimits,
    iter_sitemap,
    parse_sitemap,
)

URL = "https://example.com/sitemap.xml"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(n: int, extra: str = "") -> bytes:
    blocks = "".join(f"<url><loc>https://example.com/p{i}</loc>{extra}</url>\n" for i in range(n))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}>\n{blocks}</urlset>\n'.encode()


def index(n: int) -> bytes:
    blocks = "".join(f"<sitemap><loc>https://example.com/s{i}.xml</loc></sitemap>\n" for i in range(n))
    return f"<sitemapindex {NS}>\n{blocks}</sitemapindex>\n".encode()


def test_protocol_constants() -> None:
    assert PROTOCOL_MAX_URLS == 50_000
    assert PROTOCOL_MAX_BYTES == 50 * 1024 * 1024
    defaults = SitemapLimits()
    assert defaults.warn_entries == PROTOCOL_MAX_URLS
    assert defaults.warn_decompressed_bytes == PROTOCOL_MAX_BYTES
    assert defaults.max_entries > PROTOCOL_MAX_URLS
    assert defaults.max_decompressed_bytes > PROTOCOL_MAX_BYTES


def test_exactly_50000_urls_is_fine_and_one_more_only_warns() -> None:
    body = urlset(PROTOCOL_MAX_URLS + 1)
    over = parse_sitemap(body, URL)
    assert len(over.entries) == PROTOCOL_MAX_URLS + 1
    assert over.error is None and not over.truncated
    assert any("more than 50,000 URLs" in w for w in over.warnings)
    cut = body.rindex(b"<url>")
    exact = parse_sitemap(body[:cut] + b"</urlset>", URL)
    assert len(exact.entries) == PROTOCOL_MAX_URLS
    assert exact.warnings == []


def test_size_over_protocol_limit_only_warns() -> None:
    body = urlset(200)
    result = parse_sitemap(body, URL, limits=SitemapLimits(warn_decompressed_bytes=1000))
    assert len(result.entries) == 200
    assert result.error is None
    assert any("larger than 1,000 bytes" in w for w in result.warnings)


def test_child_count_over_protocol_limit_only_warns() -> None:
    result = parse_sitemap(index(12), URL, limits=SitemapLimits(warn_entries=10))
    assert len(result.children) == 12
    assert any("child sitemaps" in w for w in result.warnings)


@pytest.mark.parametrize(
    "body",
    [
        urlset(100),  # regex fast path
        urlset(100, "<image:image xmlns:image='http://www.google.com/schemas/sitemap-image/1.1'>"
                    "<image:loc>https://example.com/i.jpg</image:loc></image:image>"),  # lxml path
        "".join(f"https://example.com/p{i}\n" for i in range(100)).encode(),  # text
        gzip.compress(urlset(100)),
    ],
    ids=["urlset-fast", "urlset-lxml", "text", "gzip"],
)
def test_max_entries_keeps_exactly_the_cap(body: bytes) -> None:
    result = parse_sitemap(body, URL, limits=SitemapLimits(max_entries=10))
    assert [e.loc for e in result.entries] == [f"https://example.com/p{i}" for i in range(10)]
    assert result.truncated
    assert result.error is not None and "max_entries=10" in result.error
    assert result.kind != "invalid"


def test_max_entries_applies_to_index_children() -> None:
    result = parse_sitemap(index(20), URL, limits=SitemapLimits(max_entries=5))
    assert len(result.children) == 5
    assert result.kind == "index"
    assert result.error is not None and "max_entries=5" in result.error


def _bomb(decompressed: int) -> bytes:
    """A gzip body of `decompressed` bytes: an open urlset, one URL, then spaces (compresses ~1000:1)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [comp.compress(f"<urlset {NS}><url><loc>https://example.com/a</loc></url>".encode())]
    block = b" " * (1024 * 1024)
    for _ in range(decompressed // len(block)):
        parts.append(comp.compress(block))
    parts.append(comp.compress(b"<url><loc>https://example.com/b</loc></url></urlset>"))
    parts.append(comp.flush())
    return b"".join(parts)


def test_gzip_bomb_stops_at_the_decompressed_cap() -> None:
    body = _bomb(64 * 1024 * 1024)
    assert len(body) < 200_000
    cap = 2 * 1024 * 1024
    pulled = 0

    def chunks() -> Iterator[bytes]:
        nonlocal pulled
        for start in range(0, len(body), 4096):
            pulled += 1
            yield body[start : start + 4096]

    stream = iter_sitemap(chunks(), URL, limits=SitemapLimits(max_decompressed_bytes=cap))
    locs = [item.loc for item in stream]
    assert locs == ["https://example.com/a"]
    assert stream.decompressed_bytes == cap
    assert stream.done and stream.truncated
    assert stream.error is not None and "max_decompressed_bytes" in stream.error
    assert pulled * 4096 < len(body)  # stopped reading the source early


def test_crawler_commons_padded_lines_trip_the_uncompressed_cap() -> None:
    lines = "".join(f"https://example.com/p{i}" + " " * 1024 + "\n" for i in range(2048))
    body = gzip.compress(lines.encode())
    result = parse_sitemap(body, URL, limits=SitemapLimits(max_decompressed_bytes=1024 * 1024))
    assert result.kind == "text"
    assert 0 < len(result.entries) < 2048
    assert result.error is not None and "max_decompressed_bytes" in result.error


def test_max_compressed_bytes() -> None:
    body = gzip.compress(urlset(2000))
    result = parse_sitemap(body, URL, limits=SitemapLimits(max_compressed_bytes=len(body) // 2))
    assert result.compressed_bytes == len(body) // 2
    assert result.error is not None and "max_compressed_bytes" in result.error
    assert 0 < len(result.entries) < 2000


def test_cap_on_text_drops_the_unfinished_last_line() -> None:
    body = b"https://example.com/a\nhttps://example.com/b\nhttps://example.com/cut-he"
    result = parse_sitemap(body, URL, limits=SitemapLimits(max_decompressed_bytes=len(body) - 3))
    assert [e.loc for e in result.entries] == ["https://example.com/a", "https://example.com/b"]


def test_index_depth_cap() -> None:
    limits = SitemapLimits(max_index_depth=3)
    ok = parse_sitemap(index(2), URL, limits=limits, depth=2)
    assert ok.error is None
    deep = parse_sitemap(index(2), URL, limits=limits, depth=3)
    assert deep.kind == "index" and len(deep.children) == 2  # listed, but not to be followed
    assert deep.error is not None and "max_index_depth=3" in deep.error


def test_ancestors_are_dropped_as_loops() -> None:
    result = parse_sitemap(index(3), URL, ancestors=["https://example.com/s1.xml"])
    assert [c.loc for c in result.children] == ["https://example.com/s0.xml", "https://example.com/s2.xml"]
    assert any("recursion" in w and "s1.xml" in w for w in result.warnings)


def test_dropped_children_notes_are_bounded() -> None:
    body = index(0).replace(
        b"</sitemapindex>",
        b"".join(b"<sitemap><loc>https://example.com/robots.txt?%d</loc></sitemap>" % i for i in range(30))
        + b"</sitemapindex>",
    )
    result = parse_sitemap(body, URL)
    assert len(result.warnings) <= 12
    assert any("20 more dropped children" in w for w in result.warnings)
