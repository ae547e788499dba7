"""Sitemap discovery against the synthetic web on loopback, with the real HTTP client.

Every site's gold (`sites.expected(domain).sitemaps`) says which files a correct discoverer
reports, how, and what they hold; most tests compare with it exactly. Clients reach the server
through resolve entries only, and a connector that refuses anything but loopback.
"""

from __future__ import annotations

import asyncio
import gzip
import typing
from collections import Counter
from collections.abc import Iterator

import pytest

from scrapersky_pipelines.demo import sites
from scrapersky_pipelines.demo.web import LogEntry, SyntheticWeb
from scrapersky_pipelines.lib.http import HttpClient, HttpSettings
from scrapersky_pipelines.lib.sitemap_discovery import (
    DiscoveryResult,
    SitemapFileRecord,
    discover_sitemaps,
)
from scrapersky_pipelines.lib.sitemap_discovery_sources import (
    KNOWN_SITEMAP_PATHS,
    looks_like_sitemap_xml,
    origin_of,
    same_site,
    sitemap_links_from_html,
    url_key,
)
from scrapersky_pipelines_tests.support.loopback import LoopbackOnly



@pytest.fixture(scope="module")
def web() -> Iterator[SyntheticWeb]:
    with SyntheticWeb(slow_seconds=2, drip_interval=0.05) as server:
        yield server


def settings(web: SyntheticWeb, **overrides: typing.Any) -> HttpSettings:
    values: dict[str, typing.Any] = dict(
        resolve=tuple(web.resolve_entries()), resolve_only=True, connect_timeout=2.0, read_timeout=5.0,
        total_timeout=10.0, backoff_base=0.01, backoff_max=0.02, max_retry_after=0.05,
    )
    values.update(overrides)
    return HttpSettings(**values)


def discover(web: SyntheticWeb, *domains: str, client_settings: HttpSettings | None = None,
             **kwargs: typing.Any) -> list[DiscoveryResult]:
    kwargs.setdefault("schemes", ("http",))

    async def run() -> list[DiscoveryResult]:
        async with HttpClient(client_settings or settings(web), connector=LoopbackOnly()) as client:
            return list(await asyncio.gather(*(discover_sitemaps(client, d, **kwargs) for d in domains)))

    return asyncio.run(run())


def discover_one(web: SyntheticWeb, domain: str, **kwargs: typing.Any) -> DiscoveryResult:
    return discover(web, domain, **kwargs)[0]


def observed(f: SitemapFileRecord) -> tuple[object, ...]:
    content = (f.kind, f.url_count, f.child_count, f.is_gzip, f.has_images, f.has_videos, f.has_news)
    return (f.url, f.final_url, f.method, f.parent_url, f.depth, *(content if f.ok else ()), f.error_kind)


def gold(g: sites.SitemapGold) -> tuple[object, ...]:
    content = (g.kind, g.url_count, g.child_count, g.is_gzip, g.has_images, g.has_videos, g.has_news)
    return (g.url, g.final_url, g.method, g.parent_url, g.depth, *(() if g.error else content), g.error)


def domain_with(shape: str, *, www: bool | None = None, soft_404: bool | None = None) -> str:
    """The first healthy domain of `shape` (and www / soft-404 flavour) without a Crawl-delay."""
    for domain in sites.site_domains(400):
        e = sites.expected(domain)
        if (e.sitemap_shape == shape and e.crawl_delay is None
                and (www is None or e.base_url.startswith("http://www.") == www)
                and (soft_404 is None or e.soft_404 == soft_404)):
            return domain
    raise AssertionError(f"no {shape} domain")


def new_requests(web: SyntheticWeb, domain: str, before: int) -> list[LogEntry]:
    return web.requests_for(domain)[before:]


def paths(entries: list[LogEntry]) -> Counter[str]:
    return Counter(e.path for e in entries)


# -- every shape against the gold --------------------------------------------------------------


def test_every_sitemap_shape_matches_the_gold(web):
    domains = [d for d in sites.site_domains(2 * len(sites.SITEMAP_SHAPES)) if sites.expected(d).crawl_delay is None]
    assert {sites.expected(d).sitemap_shape for d in domains} == set(sites.SITEMAP_SHAPES)
    results = discover(web, *domains)
    for domain, result in zip(domains, results):
        e = sites.expected(domain)
        assert result.error is None, (domain, result.error)
        assert [observed(f) for f in result.files] == [gold(g) for g in e.sitemaps], (domain, e.sitemap_shape)
        assert result.urls_total == e.sitemap_url_total
        assert result.files_found == len(e.sitemaps)
        assert result.file_errors == sum(1 for g in e.sitemaps if g.error)
        assert result.robots_sitemaps == e.robots_sitemaps, domain
        assert result.base_url == e.base_url
        assert all(f.http_status == g.status for f, g in zip(result.files, e.sitemaps) if g.error != "too_large")


# -- sources -----------------------------------------------------------------------------------


def test_robots_only_sitemaps_at_unknown_paths(web):
    domain = domain_with("multi")
    result = discover_one(web, domain)
    assert [f.method for f in result.files] == ["robots", "robots"]
    assert not any(f.url.endswith(p) for f in result.files for p in KNOWN_SITEMAP_PATHS)
    blog = result.files[1]
    # sent as a .xml.gz with Content-Encoding: gzip: the transport layer undoes the gzip
    assert blog.content_encoding == "gzip" and not blog.is_gzip and blog.ok


def test_known_path_only_on_a_www_site(web):
    domain = domain_with("known-path", www=True)
    before = len(web.requests_for(domain))
    result = discover_one(web, domain)
    assert result.robots_sitemaps == ()
    assert result.base_url == f"http://www.{domain}"
    (record,) = result.files
    assert (record.method, record.url, record.redirects) == ("known_path", f"http://www.{domain}/sitemap.xml", ())
    asked = paths(new_requests(web, domain, before))
    assert all(asked[p] >= 1 for p in KNOWN_SITEMAP_PATHS)  # all probed


def test_link_rel_sitemap_from_the_fetched_homepage(web):
    domain = domain_with("link-only")
    result = discover_one(web, domain)
    (record,) = result.files
    assert record.method == "html_link" and record.url == sites.expected(domain).sitemap_link
    assert result.html_links == (record.url,)


def test_link_rel_sitemap_from_supplied_html_without_fetching_the_homepage(web):
    domain = domain_with("link-only", www=False)
    html = '<html><head><LINK REL="Sitemap" href="/sitemaps/site-map.xml"></head></html>'
    before = len(web.requests_for(domain))
    result = discover_one(web, domain, homepage_url=f"http://{domain}/", homepage_html=html,
                          probe_known_paths="never")
    assert [f.method for f in result.files] == ["html_link"]
    assert "/" not in paths(new_requests(web, domain, before))


def test_no_sitemap_anywhere_is_complete_with_zero_files(web):
    for domain in (domain_with("none", soft_404=False), domain_with("none", soft_404=True)):
        result = discover_one(web, domain)
        assert result.ok and result.files == () and result.urls_total == 0, domain


def test_soft_404_pages_at_known_paths_are_not_sitemaps(web):
    domain = domain_with("wp-core", soft_404=True)
    before = len(web.requests_for(domain))
    result = discover_one(web, domain)
    statuses = {e.path: e.status for e in new_requests(web, domain, before)}
    assert statuses["/sitemap_index.xml"] == 200  # an HTML "Page not found" with status 200
    assert [observed(f) for f in result.files] == [gold(g) for g in sites.expected(domain).sitemaps]


def test_known_path_redirecting_to_a_robots_sitemap_is_not_counted_twice(web):
    domain = domain_with("wp-core", www=False, soft_404=False)
    before = len(web.requests_for(domain))
    result = discover_one(web, domain)
    asked = paths(new_requests(web, domain, before))
    assert asked["/sitemap.xml"] == 1 and asked["/wp-sitemap.xml"] == 2  # probed, redirected, dropped
    assert [f.url for f in result.files].count(f"http://{domain}/wp-sitemap.xml") == 1
    assert not any(f.url.endswith("/sitemap.xml") for f in result.files)


def test_schemes_fall_back_when_https_does_not_answer(web):
    domain = domain_with("urlset")
    result = discover_one(web, domain, schemes=("https", "http"))  # only port 80 is in the resolve map
    assert result.base_url == f"http://{domain}" and result.files_found == 1


def test_fallback_mode_skips_known_paths_when_robots_names_sitemaps(web):
    listed, unlisted = domain_with("urlset"), domain_with("known-path")
    before = len(web.requests_for(listed))
    first, second = discover(web, listed, unlisted, probe_known_paths="fallback")
    assert "/sitemap.xml.gz" not in paths(new_requests(web, listed, before))
    assert first.files_found == 1 and second.files_found == 1


def test_a_host_with_a_delay_gets_known_path_probes_only_as_a_fallback(web):
    listed, unlisted = domain_with("urlset"), domain_with("known-path")
    before = len(web.requests_for(listed))
    first, second = discover(web, listed, unlisted, client_settings=settings(web, per_host_delay=0.05))
    assert "/sitemap.xml.gz" not in paths(new_requests(web, listed, before))
    assert first.files_found == 1 and second.files_found == 1


# -- index trees -------------------------------------------------------------------------------


def test_gzip_index_with_gzip_children(web):
    domain = domain_with("gzip-index")
    result = discover_one(web, domain)
    assert [(f.kind, f.is_gzip, f.depth) for f in result.files] == [
        ("index", True, 0), ("urlset", True, 1), ("urlset", True, 1)]
    assert all(f.decompressed_bytes > f.byte_count for f in result.files)


def test_index_of_indexes(web):
    domain = domain_with("nested")
    result = discover_one(web, domain)
    assert [(f.kind, f.depth) for f in result.files] == [("index", 0), ("urlset", 1), ("index", 1), ("urlset", 2)]
    assert result.files[3].parent_url == result.files[2].final_url
    assert result.files[3].has_news


def test_loops_are_detected_and_nothing_is_fetched_twice(web):
    domain = domain_with("loop")
    before = len(web.requests_for(domain))
    result = discover_one(web, domain)
    more = next(f for f in result.files if f.url.endswith("/sitemap-more.xml"))
    assert more.child_count == 1
    assert sum("recursion" in w for w in more.warnings) == 2  # lists its parent and itself
    asked = paths(new_requests(web, domain, before))
    assert asked["/sitemap-more.xml"] == 1 and asked["/sitemap-posts.xml"] == 1


def test_a_child_listed_by_two_indexes_is_fetched_once(web):
    domain = domain_with("shared-child")
    before = len(web.requests_for(domain))
    result = discover_one(web, domain)
    shared = [f for f in result.files if f.url.endswith("/sitemap-shared.xml")]
    assert len(shared) == 1 and shared[0].parent_url.endswith("/sitemap-a.xml") and shared[0].has_videos
    assert paths(new_requests(web, domain, before))["/sitemap-shared.xml"] == 1


def test_redirect_to_another_host(web):
    domain = domain_with("cross-host")
    result = discover_one(web, domain)
    top = result.files[0]
    assert top.url == f"http://{domain}/sitemap.xml"
    assert top.final_url == f"http://cdn.{domain}/sitemaps/index.xml"
    assert top.redirects == (top.url,)
    assert all(f.final_url.startswith(f"http://cdn.{domain}/") for f in result.files)
    assert all(f.parent_url == top.final_url for f in result.files[1:])


def test_max_depth_stops_at_the_cap(web):
    domain = domain_with("nested")
    result = discover_one(web, domain, max_depth=1)
    archive = next(f for f in result.files if f.url.endswith("/sitemap-archive.xml"))
    assert archive.error_kind == "depth" and archive.child_count == 1
    assert not any(f.url.endswith("/sitemap-blog-1.xml") for f in result.files)
    assert result.ok


def test_max_files_caps_the_report(web):
    domain = domain_with("yoast-index")
    result = discover_one(web, domain, max_files=2)
    assert result.files_found == 2 and result.truncated
    assert any("max_files" in w for w in result.warnings)


# -- delivery problems -------------------------------------------------------------------------


def test_429_with_retry_after_is_retried(web):
    domain = domain_with("throttled")
    before = len(web.requests_for(domain))
    result = discover_one(web, domain)
    (record,) = result.files
    assert record.ok and record.http_status == 200 and record.attempts == 2
    sitemap_answers = [e.status for e in new_requests(web, domain, before) if e.path == "/sitemap.xml"]
    assert sitemap_answers == [429, 200]


def test_oversize_file_is_refused_and_its_siblings_are_kept(web):
    domain = domain_with("oversize")
    result = discover_one(web, domain)
    pages, archive = result.files[1:]
    assert pages.ok and pages.url_count == sites.expected(domain).sitemaps[1].url_count
    assert archive.error_kind == "too_large" and archive.url_count == 0
    assert result.ok and result.urls_total == sites.expected(domain).sitemap_url_total


def test_slow_file_times_out_alone():
    domain = domain_with("slow")
    with SyntheticWeb(drip_interval=0.5) as slow_web:  # the slow file takes at least 1.5 s
        result = discover_one(slow_web, domain, client_settings=settings(slow_web, total_timeout=1.0))
    index, pages, posts = result.files
    assert pages.url.endswith("/sitemap-pages.xml") and pages.error_kind == "timeout"
    assert index.ok and posts.ok and result.ok


def test_time_budget_returns_what_was_found():
    domain = domain_with("slow")
    with SyntheticWeb(drip_interval=0.5) as slow_web:
        result = discover_one(slow_web, domain, time_budget=1.0)
    assert result.truncated and any("time budget" in w for w in result.warnings)
    found = {g.final_url for g in sites.expected(domain).sitemaps}
    assert {f.final_url for f in result.files} < found


# -- broken and hostile domains ----------------------------------------------------------------


def test_unknown_host_is_an_error(web):
    result = discover_one(web, sites.broken_domain("unknown-host"), schemes=("https", "http"))
    assert result.error_kind == "unknown_host" and result.files == ()


def test_robots_500_means_nothing_may_be_fetched(web):
    result = discover_one(web, sites.broken_domain("500"))
    assert result.error_kind == "robots_disallowed" and "500" in result.error


def test_a_site_that_answers_404_everywhere_has_no_sitemaps(web):
    result = discover_one(web, sites.broken_domain("404"))
    assert result.ok and result.files == ()


def test_hostile_sitemaps_are_contained(web):
    kinds = ("billion-laughs", "xxe", "gzip-bomb-sitemap")
    domains = [sites.broken_domain(k) for k in kinds]
    results = discover(web, *domains, max_decompressed_bytes=4 * 1024 * 1024)
    for domain, result in zip(domains, results):
        assert result.ok, domain
        assert [observed(f) for f in result.files] == [gold(g) for g in sites.expected(domain).sitemaps]
    assert not any("__xxe_probe" in e.path for e in list(web.request_log))
    bomb = results[2].files[0]
    assert bomb.decompressed_bytes <= 4 * 1024 * 1024 and bomb.truncated


# -- pure helpers ------------------------------------------------------------------------------


def test_known_paths_agree_with_the_synthetic_web():
    assert KNOWN_SITEMAP_PATHS == sites.KNOWN_SITEMAP_PATHS
    assert len(set(KNOWN_SITEMAP_PATHS)) == len(KNOWN_SITEMAP_PATHS) >= 14


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<link rel="sitemap" type="application/xml" href="/sitemap.xml">', ["http://a.com/sitemap.xml"]),
        ("<LINK REL='Sitemap alternate' HREF='map.xml'>", ["http://a.com/dir/map.xml"]),
        ('<base href="http://cdn.a.com/x/"><link rel=sitemap href=s.xml>', ["http://cdn.a.com/x/s.xml"]),
        ('<link rel="sitemap" href="/s.xml?a=1&amp;b=2#top">', ["http://a.com/s.xml?a=1&b=2"]),
        ('<link rel="sitemaps" href="/no.xml"><link rel="stylesheet" href="/s.css">', []),
        ('<link rel="sitemap"><link rel="sitemap" href="mailto:x@a.com">', []),
        ('<link rel="sitemap" href="/s.xml"><link rel="sitemap" href="http://a.com/s.xml">',
         ["http://a.com/s.xml"]),
    ],
)
def test_sitemap_links_from_html(html, expected):
    assert sitemap_links_from_html(html, "http://a.com/dir/page") == expected
    assert sitemap_links_from_html(html.encode(), "http://a.com/dir/page") == expected


def test_url_key_and_origin():
    assert url_key("HTTP://Example.COM:80/Path?q=1#frag") == "http://example.com/Path?q=1"
    assert url_key("https://example.com") == "https://example.com/"
    assert url_key("https://example.com:8443/a") == "https://example.com:8443/a"
    assert url_key("http://a.com/a") != url_key("https://a.com/a")
    assert origin_of("http://www.a.com:80/x/y?z") == "http://www.a.com"
    assert same_site("http://www.a.com/", "a.com") and same_site("http://cdn.a.com/", "www.a.com")
    assert not same_site("http://evil-a.com/", "a.com")


def test_looks_like_sitemap_xml():
    doctyped = b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "b">]><urlset xmlns="x"></urlset>'
    assert looks_like_sitemap_xml(doctyped)
    assert looks_like_sitemap_xml(gzip.compress(b"<sitemapindex></sitemapindex>"))
    assert not looks_like_sitemap_xml(b"<!DOCTYPE html><html><title>Not found</title></html>")
    assert not looks_like_sitemap_xml(b"")


def test_result_summary_counts_only_usable_files():
    files = (
        SitemapFileRecord("u1", "u1", "robots", None, 0, "urlset", url_count=5),
        SitemapFileRecord("u2", "u2", "index", "u1", 1, "urlset", url_count=7),
        SitemapFileRecord("u3", "u3", "known_path", None, 0, "invalid", url_count=1, error="x", error_kind="invalid"),
    )
    result = DiscoveryResult("a.com", "http://a.com", files)
    assert result.summary()["urls_total"] == 12
    assert result.summary()["by_method"] == {"robots": 1, "index": 1, "known_path": 1}
    assert (result.files_found, result.file_errors, result.ok) == (3, 1, True)
    assert files[2].to_dict()["warnings"] == [] and not files[2].ok


def test_bad_arguments_are_rejected(web):
    with pytest.raises(ValueError):
        discover_one(web, "a.com", max_files=0)
    with pytest.raises(ValueError):
        discover_one(web, "a.com", schemes=())
