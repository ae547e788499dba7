"""Tests for RFC 9309 robots.txt parsing and matching."""

from __future__ import annotations

import pytest

from scrapersky_pipelines.lib.robots import MAX_ROBOTS_BYTES, RobotsPolicy, product_token

UA = "scrapersky-pipelines/0.1 (+https://github.com/scrapersky/scrapersky-pipelines)"


def test_product_token() -> None:
    assert product_token(UA) == "scrapersky-pipelines"
    assert product_token("Googlebot-News") == "googlebot-news"
    assert product_token("Mozilla/5.0 (compatible)") == "mozilla"


def test_longest_match_wins_and_allow_wins_ties() -> None:
    policy = RobotsPolicy.parse(
        "User-agent: *\nDisallow: /\nAllow: /about\nDisallow: /about/team\nAllow: /tie\nDisallow: /tie\n"
    )
    assert not policy.allowed("/", UA)
    assert not policy.allowed("/contact", UA)
    assert policy.allowed("/about", UA)  # urllib.robotparser (first match) says no here
    assert policy.allowed("/about/us", UA)
    assert not policy.allowed("/about/team", UA)
    assert policy.allowed("/tie", UA)


def test_wildcards_and_end_anchor() -> None:
    policy = RobotsPolicy.parse(
        "User-agent: *\nDisallow: /*.pdf$\nDisallow: /private*/x\nDisallow: /*?session=\nAllow: /$\n"
        "Disallow: /\nAllow: /page\n"
    )
    assert policy.allowed("/", UA)
    assert not policy.allowed("/index.html", UA)
    assert not policy.allowed("/page/doc.pdf", UA)
    assert policy.allowed("/page/doc.pdf?x=1", UA)
    assert not policy.allowed("/page?session=1", UA)
    assert not policy.allowed("/private-stuff/x/y", UA)
    assert policy.allowed("/page/a", UA)


def test_wildcard_matching_is_not_exponential() -> None:
    pattern = "/" + "*a" * 40 + "b$"
    policy = RobotsPolicy.parse(f"User-agent: *\nDisallow: {pattern}\n")
    assert policy.allowed("/" + "a" * 5000, UA)
    assert not policy.allowed("/" + "a" * 5000 + "b", UA)


def test_agent_groups_specific_beats_star_and_merge() -> None:
    text = (
        "User-agent: *\nDisallow: /\n\n"
        "User-agent: ScraperSky-Pipelines\nDisallow: /a\n\n"
        "User-agent: otherbot\nUser-agent: scrapersky-pipelines\nDisallow: /b\nCrawl-delay: 3\n"
    )
    policy = RobotsPolicy.parse(text)
    assert policy.allowed("/c", UA)
    assert not policy.allowed("/a", UA)
    assert not policy.allowed("/b", UA)
    assert not policy.allowed("/c", "SomethingElse/1.0")
    assert policy.allowed("/a", "OtherBot")
    assert not policy.allowed("/b/x", "otherbot/2")
    assert policy.crawl_delay(UA) == 3.0
    assert policy.crawl_delay("nobody") is None


def test_rules_before_user_agent_and_empty_disallow() -> None:
    policy = RobotsPolicy.parse("Disallow: /\nUser-agent: *\nDisallow:\n")
    assert policy.allowed("/anything", UA)


def test_comments_crlf_bom_blank_lines_and_case() -> None:
    body = (
        b"\xef\xbb\xbf# comment\r\n\r\nUSER-AGENT : *   # all\r\n\r\nDISALLOW: /x # no\r\n"
        b"crawl-delay: 2.5\r\nSITEMAP: https://Example.TEST/Sitemap.xml # main\r\n"
        b"Site-map: /relative.xml\r\nsitemap: http://example.test/s2.xml\r\nSitemap: /relative.xml\r\n"
    )
    policy = RobotsPolicy.parse(body, "https://example.test/robots.txt")
    assert not policy.allowed("/x/y", UA)
    assert policy.allowed("/y", UA)
    assert policy.crawl_delay(UA) == 2.5
    assert policy.sitemaps == [
        "https://example.test/Sitemap.xml",
        "https://example.test/relative.xml",
        "http://example.test/s2.xml",
    ]


def test_relative_sitemap_without_base_is_dropped() -> None:
    policy = RobotsPolicy.parse("Sitemap: /s.xml\nSitemap: ftp://x/s.xml\nSitemap: https://a.test/s.xml")
    assert policy.sitemaps == ["https://a.test/s.xml"]


def test_sitemap_lines_do_not_split_groups() -> None:
    policy = RobotsPolicy.parse("User-agent: a\nSitemap: https://x.test/s.xml\nUser-agent: b\nDisallow: /p\n")
    assert not policy.allowed("/p", "a")
    assert not policy.allowed("/p", "b")


def test_percent_encoding_normalisation() -> None:
    policy = RobotsPolicy.parse(
        "User-agent: *\nDisallow: /caf%C3%A9\nDisallow: /%7Euser\nDisallow: /a%2fb\nDisallow: /ünï\n"
    )
    assert not policy.allowed("/café", UA)
    assert not policy.allowed("/caf%c3%a9/menu", UA)
    assert not policy.allowed("/~user/home", UA)
    assert not policy.allowed("/%7euser", UA)
    assert not policy.allowed("/a%2Fb", UA)
    assert policy.allowed("/a/b", UA)  # %2F is reserved: not the same as '/'
    assert not policy.allowed("/%C3%BCn%C3%AF", UA)


def test_full_urls_and_query_strings() -> None:
    policy = RobotsPolicy.parse("User-agent: *\nDisallow: /search?q=\nDisallow: /*&sort=")
    assert not policy.allowed("https://site.test/search?q=x", UA)
    assert policy.allowed("https://site.test/search", UA)
    assert not policy.allowed("https://site.test/list?a=1&sort=asc", UA)
    assert policy.allowed("https://site.test", UA)


def test_robots_txt_always_allowed() -> None:
    assert RobotsPolicy.parse("User-agent: *\nDisallow: /").allowed("/robots.txt", UA)
    assert RobotsPolicy.disallow_all().allowed("https://a.test/robots.txt", UA)
    assert not RobotsPolicy.disallow_all().allowed("/", UA)
    assert RobotsPolicy.allow_all().allowed("/x", UA)


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(200, False), (401, True), (403, True), (404, True), (410, True), (429, False),
     (500, False), (503, False), (None, False), (310, True)],
)
def test_from_response_status_semantics(status: int | None, allowed: bool) -> None:
    policy = RobotsPolicy.from_response(status, b"User-agent: *\nDisallow: /", "https://a.test/robots.txt")
    assert policy.allowed("/page", UA) is allowed


def test_parse_limit_500_kib() -> None:
    filler = b"# " + b"x" * (MAX_ROBOTS_BYTES + 10) + b"\n"
    policy = RobotsPolicy.parse(b"User-agent: *\nDisallow: /a\n" + filler + b"Disallow: /b\n")
    assert not policy.allowed("/a", UA)
    assert policy.allowed("/b", UA)


def test_invalid_utf8_and_junk_lines() -> None:
    policy = RobotsPolicy.parse(b"User-agent: *\n\xff\xfe junk\nno colon here\nDisallow: /x\xff\n")
    assert not policy.allowed("/x%EF%BF%BD", UA)
    assert policy.allowed("/y", UA)


def test_crawl_delay_takes_largest_and_ignores_junk() -> None:
    policy = RobotsPolicy.parse("User-agent: *\nCrawl-delay: 1\nCrawl-delay: soon\nCrawl-delay: 4\n")
    assert policy.crawl_delay(UA) == 4.0
