"""Hostile behaviours of the synthetic web: the pure plans and body generators, then what the
project's HTTP client meets on the wire for each kind (on loopback, through resolve entries)."""

from __future__ import annotations

import asyncio
import typing
import zlib
from collections.abc import Iterator

import pytest

from scrapersky_pipelines.demo import sites
from scrapersky_pipelines.demo.hostile import (
    BASIC_KINDS,
    HOSTILE_KINDS,
    MiB,
    GzipBomb,
    HostileSettings,
    billion_laughs_sitemap,
    deep_nesting_html,
    garbage,
    html_stream,
    invalid_encoding_html,
    plan_for,
    xxe_sitemap,
)
from scrapersky_pipelines.demo.web import SyntheticWeb
from scrapersky_pipelines.lib.http import FetchError, FetchResult, HttpClient, HttpSettings
from scrapersky_pipelines_tests.support.loopback import LoopbackOnly

SETTINGS = HostileSettings(slow_seconds=1.0, drip_interval=0.1, retry_after=1)


# -- generators --------------------------------------------------------------------------------


def test_gzip_bomb_is_a_valid_gzip_of_the_promised_size():
    bomb = GzipBomb(3 * MiB + 17, b"<html>", b"</html>")
    wire = b"".join(bomb)
    assert len(wire) == bomb.length < 20 * 1024
    data = zlib.decompress(wire, 16 + zlib.MAX_WBITS)  # checks the CRC and length trailer too
    assert len(data) == 3 * MiB + 17 and data.startswith(b"<html>") and data.endswith(b"</html>")


def test_big_bomb_costs_little_to_send():
    bomb = GzipBomb(1024 * MiB)
    assert bomb.length < 1100 * 1024  # ~1000:1
    pieces = iter(bomb)
    start = next(pieces) + next(pieces) + next(pieces)  # gzip header, then two 1 MiB blocks
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert len(inflater.decompress(start, 4 * MiB)) == 2 * MiB


def test_html_stream_is_exact_and_lazy():
    for total in (10, 200, 100_000):
        data = b"".join(html_stream(total))
        assert len(data) == total
    assert b"".join(html_stream(100_000)).endswith(b"</html>\n")


def test_small_generators():
    deep = deep_nesting_html(1000)
    assert deep.count(b"<div>") == deep.count(b"</div>") == 1000
    assert garbage(64, 1) == garbage(64, 1) != garbage(64, 2)
    with pytest.raises(UnicodeDecodeError):
        invalid_encoding_html().decode("utf-8")
    laughs = billion_laughs_sitemap("x.com")
    assert b"<!DOCTYPE urlset [" in laughs and laughs.count(b"<!ENTITY") == 10
    xxe = xxe_sitemap("x.com", "http://127.0.0.1/__xxe_probe")
    assert b'SYSTEM "file:///etc/passwd"' in xxe and b"__xxe_probe" in xxe


# -- plans -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", BASIC_KINDS + HOSTILE_KINDS)
def test_every_kind_has_a_plan_matching_the_gold_first_status(kind):
    domain = sites.broken_domain(kind)
    plan = plan_for(kind, 1, domain, "/", 0, SETTINGS)
    e = sites.expected(domain)
    if kind in ("timeout", "unknown-host"):
        assert e.status is None
    else:
        assert plan.status == e.status, kind


def test_plain_robots_for_kinds_whose_trouble_is_in_the_page():
    for kind in ("reset", "content-length-lie", "huge-headers", "slow-drip", "endless", "non-html", "huge-html"):
        assert plan_for(kind, 1, "h.com", "/robots.txt", 0, SETTINGS).status == 404, kind
    assert plan_for("500", 1, "h.com", "/robots.txt", 0, SETTINGS).status == 500
    assert plan_for("timeout", 1, "h.com", "/robots.txt", 0, SETTINGS).delay == SETTINGS.slow_seconds


def test_parametrised_kinds():
    assert [plan_for("429", 2, "h.com", "/", a, SETTINGS).status for a in range(4)] == [429, 429, 200, 200]
    assert plan_for("503", 1, "h.com", "/", 0, SETTINGS).headers[0] == ("Retry-After", "1")
    hops = []
    path = "/"
    for _ in range(10):
        plan = plan_for("redirect-chain", 4, "h.com", path, 0, SETTINGS)
        if plan.status == 200:
            break
        hops.append(plan.status)
        path = dict(plan.headers)["Location"].removeprefix("http://h.com")
    assert hops == [301, 302, 307, 308] and path == "/final"
    loop = plan_for("redirect-loop", 1, "h.com", "/a", 0, SETTINGS)
    assert dict(loop.headers)["Location"] == "http://www.h.com/a"
    back = plan_for("redirect-loop", 1, "www.h.com", "/a", 0, SETTINGS)
    assert dict(back.headers)["Location"] == "http://h.com/a"
    targets = {dict(plan_for("redirect-loopback", n, "h.com", "/", 0, SETTINGS).headers)["Location"]
               for n in range(1, 5)}
    assert len(targets) == 4
    assert plan_for("content-length-lie", 1, "h.com", "/", 0, SETTINGS).declared_length == MiB
    short = plan_for("content-length-lie", 2, "h.com", "/", 0, SETTINGS)
    assert short.declared_length == len(short.body) // 2
    assert plan_for("huge-html", 1, "h.com", "/", 0, SETTINGS).length == 50 * MiB
    assert plan_for("huge-html", 2, "h.com", "/", 0, SETTINGS).length is None
    with pytest.raises(ValueError):
        plan_for("nope", 1, "h.com", "/", 0, SETTINGS)


def test_sitemap_kinds_point_robots_at_the_hostile_file():
    for kind, path in (("billion-laughs", "/sitemap.xml"), ("xxe", "/sitemap.xml"),
                       ("gzip-bomb-sitemap", "/sitemap.xml.gz")):
        robots = plan_for(kind, 1, "h.com", "/robots.txt", 0, SETTINGS)
        assert f"Sitemap: http://h.com{path}".encode() in robots.body
        assert plan_for(kind, 1, "h.com", path, 0, SETTINGS).status == 200
        assert plan_for(kind, 1, "h.com", "/other", 0, SETTINGS).status == 404


# -- on the wire -------------------------------------------------------------------------------



@pytest.fixture(scope="module")
def web() -> Iterator[SyntheticWeb]:
    with SyntheticWeb(slow_seconds=1.5, drip_interval=0.1) as server:
        yield server


def fetch_all(web: SyntheticWeb, urls: list[str], **overrides: typing.Any) -> list[FetchResult | FetchError]:
    values: dict[str, typing.Any] = dict(
        resolve=tuple(web.resolve_entries()), resolve_only=True, connect_timeout=1.0, read_timeout=1.0,
        total_timeout=1.0, max_retries=1, backoff_base=0.01, backoff_max=0.02, max_retry_after=0.05,
        max_body_bytes=2 * MiB, max_decompressed_bytes=4 * MiB,
    )
    values.update(overrides)

    async def run() -> list[FetchResult | FetchError]:
        async with HttpClient(HttpSettings(**values), connector=LoopbackOnly()) as client:
            async def one(url: str) -> FetchResult | FetchError:
                try:
                    return await client.fetch(url)
                except FetchError as exc:
                    return exc
            return list(await asyncio.gather(*(one(u) for u in urls)))

    return asyncio.run(run())


def outcome(result: FetchResult | FetchError) -> str:
    return result.kind if isinstance(result, FetchError) else str(result.status)


@pytest.mark.parametrize(
    ("kind", "n", "expected"),
    [
        ("content-length-lie", 1, {"protocol"}),
        ("reset", 1, {"connect", "protocol"}),
        ("huge-headers", 1, {"protocol"}),
        ("huge-html", 1, {"too_large"}),
        ("huge-html", 2, {"too_large"}),
        ("endless", 1, {"too_large"}),
        ("gzip-bomb", 1, {"decompression_bomb"}),
        ("oversize", 1, {"too_large"}),
        ("slow-drip", 1, {"timeout"}),
        ("timeout", 1, {"timeout"}),
        ("redirect-loop", 1, {"redirect_loop"}),
        ("redirect-chain", 9, {"too_many_redirects"}),
        ("redirect-chain", 3, {"200"}),
        ("redirect-loopback", 1, {"blocked_address"}),
        ("redirect-loopback", 2, {"blocked_address"}),
        ("redirect-metadata", 1, {"blocked_address"}),
        ("redirect-localhost", 1, {"unknown_host", "blocked_address"}),
        ("unknown-host", 1, {"unknown_host"}),
        ("404", 1, {"404"}),
        ("wrong-content-type", 1, {"200"}),
        ("binary-garbage", 1, {"200"}),
        ("deep-nesting", 1, {"200"}),
    ],
)
def test_what_the_client_meets(web, kind, n, expected):
    (result,) = fetch_all(web, [f"http://{sites.broken_domain(kind, n)}/"], max_redirects=5)
    assert outcome(result) in expected, (kind, result)


def test_throttled_hosts_recover_after_retry_after(web):
    web.reset_counters()
    results = fetch_all(web, [f"http://{sites.broken_domain('429', 1)}/", f"http://{sites.broken_domain('503', 1)}/"],
                        total_timeout=5.0)
    assert [outcome(r) for r in results] == ["200", "200"]
    assert all(r.attempts == 2 for r in results if isinstance(r, FetchResult))
    log = web.requests_for(sites.broken_domain("429", 1))
    assert [e.status for e in log if e.path == "/"][-2:] == [429, 200]


def test_short_content_length_poisons_only_what_follows(web):
    (result,) = fetch_all(web, [f"http://{sites.broken_domain('content-length-lie', 2)}/"])
    assert isinstance(result, FetchResult) and result.status == 200
    assert len(result.content) < 1500 and not result.content.endswith(b"</html>")


def test_xxe_and_laughs_bodies_are_served_raw(web):
    results = fetch_all(web, [f"http://{sites.broken_domain('xxe')}/sitemap.xml",
                              f"http://{sites.broken_domain('billion-laughs')}/sitemap.xml"])
    assert all(isinstance(r, FetchResult) and b"<!DOCTYPE urlset" in r.content for r in results)
    assert not any("__xxe_probe" in e.path for e in list(web.request_log))
