"""Tests for the bounded same-site crawl: the synthetic web on loopback and the real HttpClient.

Every client here connects through `LoopbackOnly`, which refuses any socket that is not to loopback.
The synthetic web's request log (`web.requests_for`) shows what the crawler actually asked for.
"""

from __future__ import annotations

import asyncio
import typing
from collections import Counter
from collections.abc import Sequence

import pytest

from scrapersky_pipelines.demo import sites
from scrapersky_pipelines.lib.crawl import CrawlResult, crawl_site
from scrapersky_pipelines.lib.http import HttpClient, HttpSettings
from scrapersky_pipelines.lib.urls import same_site
from scrapersky_pipelines_tests.support.loopback import LoopbackOnly

# Indexes far from those other tests use, so the shared server's log holds only our requests for
# them. Gold sites: soft-404 WordPress; German latin-1; French Cloudflare Shopify; Spanish Wix; www.
GOLD_SITES = (2013, 2017, 2018, 2019, 2021)
STATIC_SITE = 2000  # robots.txt: Disallow /private/ and /*?sort=
PLAIN_SITE = 2032
DELAY_SITE = 2028  # robots.txt Crawl-delay: 1



def client_settings(resolve: Sequence[str], **overrides: typing.Any) -> HttpSettings:
    values: dict[str, typing.Any] = dict(
        resolve=tuple(resolve), resolve_only=True, connect_timeout=1.0, read_timeout=1.0,
        total_timeout=2.0, max_retries=0, backoff_base=0.01, backoff_max=0.02,
    )
    values.update(overrides)
    return HttpSettings(**values)


def crawl(resolve: Sequence[str], domain: str, settings: dict[str, typing.Any] | None = None,
          **kwargs: typing.Any) -> CrawlResult:
    async def run() -> CrawlResult:
        client_config = client_settings(resolve, **(settings or {}))
        async with HttpClient(client_config, connector=LoopbackOnly()) as client:
            return await crawl_site(client, domain, **kwargs)

    kwargs.setdefault("schemes", ("http",))
    return asyncio.run(run())


def page_requests(web: typing.Any, domain: str, since: int = 0) -> list[str]:
    """host+path of the page requests (robots.txt aside) the server logged for ``domain``."""
    entries = web.requests_for(domain)[since:]
    return [f"{e.host}{e.path}" for e in entries if e.path != "/robots.txt"]


@pytest.mark.parametrize("index", GOLD_SITES)
def test_finds_every_gold_contact_with_its_source_page(web: typing.Any, index: int) -> None:
    domain = sites.site_domain(index)
    gold = sites.expected(domain)
    before = len(web.requests_for(domain))
    result = crawl(web.resolve_entries(), domain, max_pages=25)

    assert result.ok and result.stop_kind in ("exhausted", "max_pages"), result.stop_reason
    assert {c.address for c in result.contacts} == gold.site_emails
    assert {p.e164 for p in result.phones} == gold.site_phones
    for contact in result.contacts:
        shown_on = {url for url, pc in gold.page_contacts.items() if contact.address in pc.emails}
        assert contact.source_url in shown_on, contact
        assert contact.kind
    for phone in result.phones:
        assert phone.e164 in gold.page_contacts[phone.source_url].phones
    assert result.start_url == gold.final_url
    assert result.pages_visited <= 25
    # apex -> www redirects once; later links go to www directly
    redirects = 1 if gold.final_url != gold.homepage_url else 0
    assert result.pages_visited == len(page_requests(web, domain, before)) - redirects
    summary = result.summary()
    assert summary["contacts_found"] == len(gold.site_emails)
    assert summary["stop_reason"] == result.stop_reason
    if len(gold.page_contacts) <= 25:
        assert result.stop_reason == "frontier exhausted"
        assert {p.final_url for p in result.pages if p.ok} == set(gold.page_contacts)


def test_contact_pages_are_visited_first(web: typing.Any) -> None:
    domain = sites.site_domain(2019)  # 59 pages; /contacto, /sobre-nosotros, /equipo
    gold = sites.expected(domain)
    result = crawl(web.resolve_entries(), domain, max_pages=8)

    assert result.pages[0].url == f"http://{domain}/"
    assert result.pages[1].final_url in gold.contact_pages
    assert result.pages[1].category == "contact"
    assert {p.category for p in result.pages[2:4]} == {"about", "team"}
    priorities = [p.priority for p in result.pages[1:]]
    assert priorities == sorted(priorities)
    assert result.contact_pages == tuple(gold.contact_pages)
    # everything on the contact, about and team pages is in by page 4
    early = {e.address for p in result.pages[:4] for e in p.emails}
    assert early == gold.site_emails


def test_max_pages_stop(web: typing.Any) -> None:
    domain = sites.site_domain(PLAIN_SITE)
    before = len(web.requests_for(domain))
    result = crawl(web.resolve_entries(), domain, max_pages=3)

    assert result.stop_reason == "max pages reached (3)"
    assert result.stop_kind == "max_pages"
    assert result.pages_visited == 3
    assert result.frontier_left > 0
    assert len(page_requests(web, domain, before)) == 3


def test_time_budget_stop(web: typing.Any) -> None:
    domain = sites.site_domain(DELAY_SITE)
    gold = sites.expected(domain)
    assert gold.crawl_delay == 1.0
    result = crawl(web.resolve_entries(), domain, budget_seconds=1.5, concurrency=4)

    assert result.stop_reason == "time budget reached (1.5s)"
    assert result.stop_kind == "budget"
    assert 1 <= result.pages_visited < len(gold.page_contacts)
    assert result.pages[0].ok
    # pages cut off by the budget are recorded, never half-counted as visited
    assert all(p.fetched for p in result.pages if p.error_kind != "cancelled")
    assert all(not p.fetched for p in result.pages if p.error_kind == "cancelled")
    # the Crawl-delay was honoured: no page fetch timed out waiting for its turn
    assert "timeout" not in result.errors_by_kind


def test_robots_disallowed_pages_are_not_fetched(web: typing.Any) -> None:
    domain = sites.site_domain(STATIC_SITE)
    base = sites.expected(domain).base_url
    seeds = [f"{base}/private/contact", f"{base}/?sort=price", "/services"]
    before = len(web.requests_for(domain))
    result = crawl(web.resolve_entries(), domain, seeds=seeds, max_pages=6)

    skipped = {p.url: p for p in result.pages if p.error_kind == "robots_disallowed"}
    assert set(skipped) == {f"{base}/private/contact", f"{base}/?sort=price"}
    assert not any(p.fetched for p in skipped.values())
    assert result.errors_by_kind["robots_disallowed"] == 2
    requested = page_requests(web, domain, before)
    assert not [path for path in requested if "/private/" in path or "sort=" in path]
    assert result.pages_visited == 6 == len(requested)  # skips do not use up max_pages
    assert f"{base}/services" in {p.url for p in result.pages if p.ok}


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("404", "homepage unreachable: HTTP 404"),
        ("non-html", "homepage unreachable: not HTML (application/pdf)"),
        ("500", "homepage unreachable: robots.txt status 500: assume complete disallow"),
        ("timeout", "homepage unreachable: timeout: "),
        ("unknown-host", "homepage unreachable: unknown_host: "),
        ("redirect-loop", "homepage unreachable: redirect_loop: "),
    ],
)
def test_broken_domains_give_a_clear_stop_reason(web: typing.Any, kind: str, reason: str) -> None:
    domain = sites.broken_domain(kind, 61)
    result = crawl(web.resolve_entries(), domain, settings={"total_timeout": 1.0})

    assert result.stop_reason.startswith(reason), result.stop_reason
    assert result.stop_kind == "homepage_unreachable"
    assert not result.ok
    assert result.contacts == () and result.phones == ()
    assert len(result.pages) == 1 and result.pages[0].error_kind in result.errors_by_kind
    assert result.pages_visited == (1 if kind in ("404", "non-html", "redirect-loop") else 0)


def test_off_site_links_are_never_fetched(web: typing.Any) -> None:
    domain = sites.site_domain(2029)  # links to four social networks
    gold = sites.expected(domain)
    before = Counter(entry.host for entry in list(web.request_log))
    result = crawl(web.resolve_entries(), domain, max_pages=25)
    after = Counter(entry.host for entry in list(web.request_log))

    assert all(same_site(p.final_url or p.url, domain) for p in result.pages)
    assert result.socials  # seen on the pages, never followed
    off_site = {link.split("/")[2].lower() for link in (*gold.socials.values(), *gold.share_links)}
    assert off_site
    assert {host for host in after - before if not same_site(f"http://{host}/", domain)} == set()


def test_bad_arguments_are_refused() -> None:
    async def run(**kwargs: typing.Any) -> None:
        async with HttpClient(client_settings(())) as client:
            await crawl_site(client, "acme.com", **kwargs)

    bad: list[dict[str, typing.Any]] = [
        {"max_pages": 0}, {"budget_seconds": 0}, {"concurrency": 0}, {"stop_after_emails": 0},
        {"schemes": ()}, {"schemes": ("ftp",)},
    ]
    for kwargs in bad:
        with pytest.raises(ValueError):
            asyncio.run(run(**kwargs))
    with pytest.raises(ValueError):
        asyncio.run(crawl_site_for(""))


async def crawl_site_for(domain: str) -> CrawlResult:
    async with HttpClient(client_settings(())) as client:
        return await crawl_site(client, domain)
