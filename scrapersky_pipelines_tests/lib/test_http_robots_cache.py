"""robots.txt answers one client fetched, reused by the next client instead of fetched again."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from scrapersky_pipelines.lib.http import HttpClient
from scrapersky_pipelines.lib.robots_cache import RobotsCache, RobotsFile, robots_hosts
from scrapersky_pipelines_tests.lib.test_http import Site, asynctest, expect_error, serve, settings_for
from scrapersky_pipelines_tests.support.loopback import LoopbackOnly

ROBOTS = "User-agent: *\nCrawl-delay: 2\nDisallow: /private\nSitemap: /sitemap.xml\n"


def _client(port: int, known: list[RobotsFile] = (), **settings) -> HttpClient:
    return HttpClient(settings_for(port, **settings), connector=LoopbackOnly(), robots_cache=RobotsCache(list(known)))


async def _first_run(port: int) -> RobotsCache:
    async with _client(port) as client:
        assert (await client.fetch("http://site.test/hello")).ok
    return client.robots_cache


@asynctest
async def test_a_kept_answer_is_used_by_the_next_client_without_a_fetch() -> None:
    site = Site()
    site.robots = ROBOTS
    async with serve(site) as port:
        first = await _first_run(port)
        [kept] = first.fetched
        assert (kept.origin, kept.status, kept.final_url) == ("http://site.test", 200, "http://site.test/robots.txt")
        assert kept.content.decode() == ROBOTS and kept.host == "site.test"
        async with _client(port, first.fetched) as client:
            await expect_error(client, "http://site.test/private/page", "robots_disallowed")
            assert (await client.fetch("http://site.test/hello")).ok
            assert client.host_delay("site.test") == 2.0  # the kept Crawl-delay applies at once
            assert (await client.robots("http://site.test/x")).sitemaps == ["http://site.test/sitemap.xml"]
            assert client.robots_cache.fetched == []
    assert site.hits["/robots.txt"] == 1
    assert site.hits["/private/page"] == 0


@pytest.mark.parametrize("age_hours, max_age", [(25, 86400.0), (1, 0.0)])
@asynctest
async def test_an_answer_older_than_the_max_age_is_fetched_again(age_hours: int, max_age: float) -> None:
    site = Site()
    site.robots = ROBOTS
    old = RobotsFile("http://site.test", 200, b"User-agent: *\nDisallow: /\n", "http://site.test/robots.txt",
                     datetime.now(UTC) - timedelta(hours=age_hours))
    async with serve(site) as port:
        async with _client(port, [old], robots_max_age=max_age) as client:
            assert (await client.fetch("http://site.test/hello")).ok  # the old file disallowed it
            assert [f.content.decode() for f in client.robots_cache.fetched] == [ROBOTS]
    assert site.hits["/robots.txt"] == 1


@asynctest
async def test_an_answer_for_another_origin_does_not_apply() -> None:
    site = Site()
    site.robots = ROBOTS
    other = RobotsFile("https://site.test", 200, b"User-agent: *\nDisallow: /\n", "https://site.test/robots.txt",
                       datetime.now(UTC))
    async with serve(site) as port:
        async with _client(port, [other]) as client:
            assert (await client.fetch("http://site.test/hello")).ok
    assert site.hits["/robots.txt"] == 1


@pytest.mark.parametrize(("status", "kept"), [(404, True), (403, True), (429, False), (500, False), (503, False)])
@asynctest
async def test_only_durable_answers_are_kept(status: int, kept: bool) -> None:
    site = Site()
    site.robots = status
    async with serve(site) as port:
        async with _client(port, max_retries=0) as client:
            await client.robots("http://site.test/")
    assert [(f.status, f.content) for f in client.robots_cache.fetched] == ([(status, b"")] if kept else [])


def test_robots_hosts_of_queue_rows() -> None:
    rows = [{"id": 1, "domain": "Example.com"}, {"id": 2, "domain": "www.shop.test", "final_url": "https://m.shop.test/"},
            {"id": 3, "url": "http://pages.test:8080/a"}, {"id": 4, "website_url": "https://ignored.test/"}]
    assert robots_hosts(rows) == {"example.com", "www.example.com", "shop.test", "www.shop.test", "m.shop.test",
                                  "pages.test"}


def test_freshness() -> None:
    now = datetime.now(UTC)
    f = RobotsFile("https://a.test", 200, b"", "https://a.test/robots.txt", now - timedelta(hours=2))
    assert f.fresh(3 * 3600, now) and not f.fresh(3600, now) and not f.fresh(0, now)
    assert not dataclasses.replace(f, fetched_at=now - timedelta(days=2)).fresh(86400, now)
