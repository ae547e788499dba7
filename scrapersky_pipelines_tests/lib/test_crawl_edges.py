"""Crawl edge cases on a small hand-written loopback site (aiohttp), served by Host header.

acme.com has duplicate and tracking-tagged links, assets, a PDF behind an extension-less URL, a
failing page, a redirect onto another page, a redirect off the site, a subdomain, a path robots.txt
disallows and a link whose anchor text ("Kontakt") names a contact page its URL does not.
"""

from __future__ import annotations

import asyncio
import contextlib
import typing
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from scrapersky_pipelines.lib import crawl as crawl_module
from scrapersky_pipelines.lib.crawl import CrawlResult, crawl_site
from scrapersky_pipelines.lib.http import HttpClient
from scrapersky_pipelines_tests.lib.test_crawl import LoopbackOnly, client_settings


def html(body: str, title: str = "Page") -> str:
    return f"<!DOCTYPE html><html><head><title>{title}</title></head><body>{body}</body></html>"


HOME = html(
    """
    <nav><a href="/">Home</a> <a href="/about">About</a> <a href="/page-7">Kontakt</a>
    <a href="/contact?utm_source=nav#form">Contact</a></nav>
    <a href="/contact">Contact again</a> <a href="/contact?fbclid=XYZ">Tracked</a>
    <img src="/logo.png"><a href="/logo.png">Logo</a> <a href="/files/menu.pdf">Menu</a>
    <a href="/report">Annual report</a> <a href="/broken">Broken</a> <a href="/moved">Old about</a>
    <a href="/away">Partner</a> <a href="http://blog.acme.com/">Blog</a>
    <a href="/private/staff">Staff</a>
    <a href="http://other.com/page">Elsewhere</a> <a href="mailto:hello@acme.com">Mail</a>
    <a href="javascript:void(0)">JS</a> <a href="/slow">Slow</a>
    <p>Call (512) 555-0100</p>""",
    "Acme Plumbing",
)
TEXT = {"Content-Type": "text/plain"}
CONTACT = html('<p>Write to <a href="mailto:info@acme.com">info@acme.com</a></p>'
               "<p>Phone: +1 512 555 0199</p>", "Contact")
ABOUT = html("<p>Jane Roe, owner – jane@acme.com</p><p>info@acme.com</p>", "About")
BLOG = html('<p>blog@acme.com</p><a href="http://acme.com/contact">c</a>')
ROUTES: dict[tuple[str, str], tuple[int, dict[str, str], str]] = {
    ("acme.com", "/robots.txt"): (200, TEXT, "User-agent: *\nDisallow: /private/\n"),
    ("acme.com", "/"): (200, {}, HOME),
    ("acme.com", "/contact"): (200, {}, CONTACT),
    ("acme.com", "/page-7"): (200, {}, html("<p>Kontakt: sales@acme.com</p>", "Kontakt")),
    ("acme.com", "/about"): (200, {}, ABOUT),
    ("acme.com", "/report"): (200, {"Content-Type": "application/pdf"}, "%PDF-1.4 jane@acme.com"),
    ("acme.com", "/broken"): (500, {}, html("error@acme.com")),
    ("acme.com", "/moved"): (301, {"Location": "/about"}, ""),
    ("acme.com", "/away"): (302, {"Location": "http://other.com/"}, ""),
    ("acme.com", "/slow"): (200, {}, html("<p>late@acme.com</p>")),
    ("blog.acme.com", "/"): (200, {}, BLOG),
    ("other.com", "/"): (200, {}, html("<p>spam@other.com</p>")),
    ("other.com", "/page"): (200, {}, html("<p>spam@other.com</p>")),
    ("closed.com", "/robots.txt"): (200, TEXT, "User-agent: *\nDisallow: /\n"),
    ("closed.com", "/"): (200, {}, html("<p>info@closed.com</p>")),
    ("moved.com", "/"): (301, {"Location": "http://other.com/"}, ""),
    ("nohome.com", "/"): (404, {}, html("not found")),
    ("nohome.com", "/team"): (200, {}, html("<p>team@nohome.com</p>")),
}


class Server:
    """Answers from ROUTES by Host header; logs (host, path with query) of every request."""

    def __init__(self, slow_seconds: float = 0.0) -> None:
        self.log: list[tuple[str, str]] = []
        self.slow_seconds = slow_seconds
        self.release = asyncio.Event()  # set at shutdown: a held-back answer must not delay it

    async def handle(self, request: web.Request) -> web.Response:
        host = (request.host or "").split(":")[0].lower()
        self.log.append((host, request.path_qs))
        if request.path == "/slow" and self.slow_seconds:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), self.slow_seconds)
        status, headers, body = ROUTES.get((host, request.path), (404, {}, "not found"))
        headers = {"Content-Type": "text/html; charset=utf-8", **headers}
        return web.Response(status=status, headers=headers, text=body)

    def paths(self, host: str) -> list[str]:
        return [path for h, path in self.log if h == host and path != "/robots.txt"]


@contextlib.asynccontextmanager
async def serving(server: Server) -> AsyncIterator[list[str]]:
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        # Port 443 reaches the same plain-HTTP server, so https attempts fail their TLS handshake.
        yield [f"*.com:80:127.0.0.1:{port}", f"*.com:443:127.0.0.1:{port}"]
    finally:
        server.release.set()
        await runner.cleanup()


def crawl(server: Server, domain: str, **kwargs: typing.Any) -> CrawlResult:
    async def run() -> CrawlResult:
        async with serving(server) as resolve:
            async with HttpClient(client_settings(resolve), connector=LoopbackOnly()) as client:
                return await crawl_site(client, domain, **kwargs)

    kwargs.setdefault("schemes", ("http",))
    return asyncio.run(run())


def by_url(result: CrawlResult) -> dict[str, typing.Any]:
    return {page.url: page for page in result.pages}


def test_dedupe_filters_and_per_page_failures() -> None:
    server = Server()
    result = crawl(server, "acme.com")

    assert result.stop_reason == "frontier exhausted" and result.stop_kind == "exhausted"
    requested = server.paths("acme.com")
    assert requested.count("/contact") == 1  # tracking params and fragments are one page
    assert not {"/logo.png", "/files/menu.pdf", "/private/staff"} & set(requested)
    assert server.paths("other.com") == ["/"]  # only where /away redirected to; never /page
    pages = by_url(result)
    assert pages["http://acme.com/private/staff"].error_kind == "robots_disallowed"
    assert pages["http://acme.com/report"].error_kind == "not_html"
    assert pages["http://acme.com/broken"].error_kind == "http_status"
    assert pages["http://acme.com/broken"].status == 500
    assert pages["http://acme.com/away"].error_kind == "offsite_redirect"
    assert pages["http://acme.com/moved"].duplicate_of == "http://acme.com/about"
    assert pages["http://blog.acme.com/"].ok  # subdomains belong to the site
    assert result.errors_by_kind == {
        "http_status": 1, "not_html": 1, "offsite_redirect": 1, "robots_disallowed": 1,
    }
    # each acme.com request is a visit, but for /about asked again by /moved; plus blog.acme.com/
    assert result.pages_visited == len(requested) - 1 + 1 == 10

    contacts = {c.address: c for c in result.contacts}
    assert set(contacts) == {"hello@acme.com", "info@acme.com", "sales@acme.com", "jane@acme.com",
                             "blog@acme.com", "late@acme.com"}
    # /contact is visited before /about
    assert contacts["info@acme.com"].source_url == "http://acme.com/contact"
    assert contacts["info@acme.com"].phone == "+15125550199"
    assert contacts["blog@acme.com"].source_url == "http://blog.acme.com/"
    assert contacts["jane@acme.com"].name == "Jane Roe"
    assert {p.e164 for p in result.phones} == {"+15125550100", "+15125550199"}
    assert result.pages[0].title == "Acme Plumbing"


def test_contact_like_pages_come_first_including_by_anchor_text() -> None:
    result = crawl(Server(), "acme.com", max_pages=3)

    assert [p.url for p in result.pages] == [
        "http://acme.com/", "http://acme.com/page-7", "http://acme.com/contact",
    ]
    assert [p.category for p in result.pages[1:]] == ["contact", "contact"]
    assert result.stop_reason == "max pages reached (3)"


def test_early_stop_once_a_contact_page_and_enough_emails_were_found() -> None:
    result = crawl(Server(), "acme.com", stop_after_emails=2, concurrency=1)

    assert result.stop_kind == "enough_contacts"
    assert result.stop_reason == "contact page and 2 emails found"
    assert result.pages_visited == 2
    assert {c.address for c in result.contacts} == {"hello@acme.com", "sales@acme.com"}


def test_time_budget_cancels_pages_in_flight() -> None:
    server = Server(slow_seconds=5.0)
    result = crawl(server, "acme.com", seeds=["/slow"], budget_seconds=0.8, concurrency=1,
                   max_pages=50)

    assert result.stop_reason == "time budget reached (0.8s)"
    cancelled = [p for p in result.pages if p.error_kind == "cancelled"]
    assert [p.url for p in cancelled] == ["http://acme.com/slow"]
    assert not cancelled[0].fetched
    assert "late@acme.com" not in {c.address for c in result.contacts}


def test_robots_txt_disallowing_everything_stops_before_the_homepage() -> None:
    server = Server()
    result = crawl(server, "closed.com")

    assert result.stop_reason == "robots.txt disallows the site"
    assert result.stop_kind == "robots_disallowed" and not result.ok
    assert server.log == [("closed.com", "/robots.txt")]
    assert result.pages_visited == 0


def test_homepage_redirecting_off_site() -> None:
    result = crawl(Server(), "moved.com")

    assert result.stop_kind == "offsite_redirect"
    assert result.stop_reason == "homepage redirects off-site to http://other.com/"
    assert result.contacts == ()


def test_https_failing_falls_back_to_http() -> None:
    result = crawl(Server(), "closed.com", schemes=("https", "http"))

    assert [p.url for p in result.pages] == ["https://closed.com/", "http://closed.com/"]
    # TLS to a plain-HTTP port is a connect error, for robots.txt and so for the page itself
    assert result.pages[0].error_kind == "connect"
    assert result.stop_reason == "robots.txt disallows the site"  # decided on the http attempt


def test_seeds_are_crawled_when_the_homepage_is_missing() -> None:
    server = Server()
    seeds = ["/team", "http://other.com/page", "/brochure.pdf", "/team#x"]
    result = crawl(server, "nohome.com", seeds=seeds)

    assert result.ok and result.stop_reason == "frontier exhausted"
    assert [p.url for p in result.pages] == ["http://nohome.com/", "http://nohome.com/team"]
    assert result.pages[0].error_kind == "http_status"
    assert [c.address for c in result.contacts] == ["team@nohome.com"]
    assert server.paths("other.com") == []


def test_missing_homepage_without_seeds_stops() -> None:
    result = crawl(Server(), "nohome.com")
    assert result.stop_reason == "homepage unreachable: HTTP 404"


def test_a_page_breaking_extraction_is_recorded_and_the_crawl_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_extract = crawl_module.extract

    def extract(html: str | bytes, url: str, region: str | None = None) -> typing.Any:
        if url.endswith("/about"):
            raise RuntimeError("extractor bug")
        return real_extract(html, url, region)

    monkeypatch.setattr(crawl_module, "extract", extract)
    result = crawl(Server(), "acme.com")

    about = by_url(result)["http://acme.com/about"]
    assert about.error_kind == "internal" and "extractor bug" in (about.error or "")
    assert result.stop_reason == "frontier exhausted"
    assert "blog@acme.com" in {c.address for c in result.contacts}


@pytest.mark.parametrize("domain", ["ACME.com.", "http://acme.com/some/page", "acme.com/"])
def test_domain_spellings(domain: str) -> None:
    result = crawl(Server(), domain, max_pages=1)
    assert result.domain == "acme.com"
    assert result.pages[0].url == "http://acme.com/"
