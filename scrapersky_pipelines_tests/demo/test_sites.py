"""The synthetic sites and their gold values, checked without a network: every gold claim is
verified against what `Site` actually serves, with the project's sitemap parser and robots
parser and a small independent contact decoder."""

from __future__ import annotations

import gzip
import html
import re
from urllib.parse import urljoin, urlsplit

import pytest

from scrapersky_pipelines.demo import sites
from scrapersky_pipelines.demo.hostile import OversizeUrlset
from scrapersky_pipelines.lib.robots import RobotsPolicy
from scrapersky_pipelines.lib.sitemaps import parse_sitemap

CYCLE = len(sites.SITEMAP_SHAPES)
DOMAINS = sites.site_domains(3 * CYCLE)


def fetch(domain: str, url: str, hops: int = 5) -> tuple[sites.Response, str, str]:
    """GET `url` from the site's own answers, following redirects: (response, final URL, delivery)."""
    site = sites.build_site(domain)
    for _ in range(hops):
        parts = urlsplit(url)
        response, delivery = site.answer(parts.hostname or "", parts.path or "/")
        location = response.header("Location")
        if response.status in (301, 302) and location:
            url = urljoin(url, location)
            continue
        if response.header("Content-Encoding") == "gzip":  # what an HTTP client undoes
            response = sites.Response(response.status, response.headers, gzip.decompress(response.body))
        return response, url, delivery
    raise AssertionError(f"too many redirects from {url}")


# -- names -------------------------------------------------------------------------------------


def test_domains_are_deterministic_unique_and_parse_back():
    assert sites.site_domains(50) == sites.site_domains(50)
    assert sites.site_domains(50, seed=1) != sites.site_domains(50)
    assert len(set(DOMAINS)) == len(DOMAINS)
    for i, domain in enumerate(DOMAINS, start=1):
        brand, trade, index = sites.parse_site_domain(domain)
        assert index == i and domain == f"{brand}-{trade}-{i:04d}.com"
        assert sites.parse_site_domain("www." + domain) == (brand, trade, index)
    with pytest.raises(ValueError):
        sites.site_domain(0)
    for bad in ("example.com", "brightsmile-dental-1.com", "nope-dental-0001.com", "brightsmile-dental-0001.net"):
        assert sites.parse_site_domain(bad) is None


def test_broken_domains_round_trip():
    assert sites.BROKEN_KINDS == ("404", "500", "timeout", "redirect-loop", "non-html", "oversize", "unknown-host")
    for kind in sites.ALL_BROKEN_KINDS:
        domain = sites.broken_domain(kind, 7)
        assert sites.parse_broken_domain(domain) == (kind, 7)
        assert domain.endswith(".net") == (kind == "unknown-host")
        assert sites.expected(domain).kind == kind and not sites.expected(domain).healthy
    assert sites.broken_domain("unknown-host") == "broken-unknown-host-01.net"
    assert sites.parse_broken_domain("broken-404-01.net") is None
    with pytest.raises(ValueError):
        sites.broken_domain("no-such-kind")
    with pytest.raises(ValueError):
        sites.expected("example.com")


def test_consecutive_indexes_cover_every_variant():
    specs = [sites.expected(d) for d in DOMAINS[:CYCLE]]
    assert [e.sitemap_shape for e in specs] == [sites.SITEMAP_SHAPES[i % CYCLE] for i in range(1, CYCLE + 1)]
    assert {e.platform for e in specs[:8]} == set(sites.PLATFORMS)
    everything = [sites.expected(d) for d in DOMAINS]
    assert any(e.soft_404 for e in everything) and any(e.transport_gzip for e in everything)
    assert any(e.base_url.startswith("http://www.") for e in everything)
    assert {e.language for e in everything} == {"en", "de", "fr", "es"}


# -- pages and contacts ------------------------------------------------------------------------


def _decoded(page: bytes) -> tuple[str, str]:
    text = html.unescape(page.decode("utf-8", "replace") if b'charset="utf-8"' in page or b"charset=utf-8" in page
                         else page.decode("latin-1"))
    for hexs in re.findall(r'data-cfemail="([0-9a-f]+)"', text):
        key = int(hexs[:2], 16)
        text += " " + bytes(int(hexs[k:k + 2], 16) ^ key for k in range(2, len(hexs), 2)).decode()
    text = text.replace(" [at] ", "@").replace(" [dot] ", ".").replace("(at)", "@")
    return text, re.sub(r"\D", "", text)


@pytest.mark.parametrize("domain", DOMAINS[:24])
def test_page_contacts_are_on_the_pages(domain):
    e = sites.expected(domain)
    assert e.page_contacts and e.contact_pages <= set(e.page_contacts)
    for url, contacts in e.page_contacts.items():
        response, final, _ = fetch(domain, url)
        assert response.status == 200 and final == url
        text, digits = _decoded(response.body)
        for email in contacts.emails:
            assert email in text.lower(), (url, email)
        for phone in contacts.phones:
            national = phone[3:] if phone[:3] in ("+49", "+33", "+34") else phone[2:]
            assert national in digits, (url, phone)
    assert e.emails <= e.site_emails and e.phones <= e.site_phones
    assert not e.decoy_emails & e.site_emails
    (contact,) = e.contact_pages
    assert len(e.page_contacts[contact].emails) >= 1 and len(e.page_contacts[contact].phones) == 2


@pytest.mark.parametrize("domain", DOMAINS[:CYCLE])
def test_homepage_gold(domain):
    e = sites.expected(domain)
    response, final, _ = fetch(domain, f"http://{domain}/")
    assert final == e.final_url and response.status == 200
    text = response.body.decode("latin-1" if b"iso-8859-1" in response.body[:300] else "utf-8")
    title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
    assert " ".join(html.unescape(title).split()) == e.title
    links = re.findall(r'<link rel="sitemap"[^>]*href="([^"]+)"', text)
    assert [urljoin(final, h) for h in links] == ([e.sitemap_link] if e.sitemap_link else [])


def test_dead_pages_and_redirects_behave_like_a_real_server():
    site = sites.build_site(DOMAINS[4])  # index 5 lives on www
    assert site.respond("/").status == 301 and site.respond("/").header("Location").startswith("http://www.")
    assert site.respond("/", www=True).status == 200
    wordpress = next(sites.build_site(d) for d in DOMAINS if sites.expected(d).platform == "wordpress"
                     and not sites.expected(d).base_url.startswith("http://www."))
    about = next(p for p in wordpress if p.startswith("/about"))
    assert about.endswith("/") and wordpress.respond(about.rstrip("/")).status == 301
    soft = next(sites.build_site(d) for d in DOMAINS if sites.expected(d).soft_404
                and not sites.expected(d).base_url.startswith("http://www."))
    assert soft.respond("/no-such-page").status == 200 and b"Page not found" in soft.respond("/no-such-page").body
    assert sites.build_site(DOMAINS[0]).respond("/no-such-page").status == 404


# -- robots.txt and sitemaps -------------------------------------------------------------------


def test_robots_txt_variants_all_name_the_gold_sitemaps():
    seen: set[str] = set()
    for domain in sites.site_domains(100):
        e = sites.expected(domain)
        response, final, _ = fetch(domain, f"http://{domain}/robots.txt")
        assert response.status == e.robots_status
        if response.status != 200 or not response.body.lstrip(b"\xef\xbb\xbf").startswith((b"#", b"U", b"S", b" ")):
            assert e.robots_sitemaps == ()
            continue
        policy = RobotsPolicy.parse(response.body, final)
        assert tuple(policy.sitemaps) == e.robots_sitemaps, domain
        assert policy.crawl_delay("scrapersky") == e.crawl_delay
        body = response.body
        seen.update(name for name, hit in (
            ("crlf", b"\r\n" in body), ("bom", body.startswith(b"\xef\xbb\xbf")),
            ("relative", b"Sitemap: /" in body or b"sitemap: /" in body or b"SITEMAP: /" in body),
            ("site-map", b"Site-map:" in body), ("comment", b"# sitemap" in body),
            ("html-type", response.content_type.startswith("text/html")), ("no-type", not response.content_type),
        ) if hit)
    assert seen == {"crlf", "bom", "relative", "site-map", "comment", "html-type", "no-type"}


@pytest.mark.parametrize("domain", DOMAINS[: 2 * CYCLE])
def test_every_gold_sitemap_holds_what_the_gold_says(domain):
    e = sites.expected(domain)
    assert e.sitemap_urls == tuple(g.final_url for g in e.sitemaps if g.status == 200 and g.kind != "invalid")
    listed: set[str] = set()
    for g in e.sitemaps:
        response, final, delivery = fetch(domain, g.url)
        assert (final, response.status, delivery) == (g.final_url, g.status, g.delivery)
        if g.error == "too_large":
            assert g.url_count > 0 and response.body == b""
            continue
        if g.error:
            assert g.kind == "invalid"
            continue
        parsed = parse_sitemap(response.body, final, response.content_type)
        assert parsed.kind == g.kind and parsed.error is None, (g.url, parsed.error)
        assert (len(parsed.entries), parsed.is_gzip) == (g.url_count, g.is_gzip)
        assert (parsed.has_images, parsed.has_videos, parsed.has_news) == (g.has_images, g.has_videos, g.has_news)
        loops = {c.loc for c in parsed.children} - {h.url for h in e.sitemaps} - {h.final_url for h in e.sitemaps}
        assert not loops and len(parsed.children) >= g.child_count
        listed.update(x.loc for x in parsed.entries)
    assert listed == e.page_urls
    assert e.missing_pages <= e.page_urls
    assert e.sitemap_url_total == sum(g.url_count for g in e.sitemaps if not g.error)


def test_gold_walks_robots_then_link_then_known_paths():
    for domain in DOMAINS:
        e = sites.expected(domain)
        order = [g.method for g in e.sitemaps]
        roots = [m for m in order if m != "index"]
        assert roots == sorted(roots, key=("robots", "html_link", "known_path").index), domain
        finals = [g.final_url for g in e.sitemaps]
        assert len(finals) == len(set(finals))
        assert all(g.parent_url in finals for g in e.sitemaps if g.method == "index")


def test_oversize_urlset_is_exact():
    body = OversizeUrlset(100_000, "http://a.com/item-")
    data = b"".join(body)
    assert len(data) == body.length == 100_000
    parsed = parse_sitemap(data, "http://a.com/huge.xml")
    assert parsed.kind == "urlset" and len(parsed.entries) == body.count
    with pytest.raises(ValueError):
        OversizeUrlset(10, "http://a.com/")
    huge = next(e for e in map(sites.expected, DOMAINS) if e.sitemap_shape == "oversize")
    archive = next(g for g in huge.sitemaps if g.error == "too_large")
    assert archive.url_count == sites.build_site(huge.domain).oversize_body().count > 500_000


def test_cdn_host_serves_only_the_cross_host_sitemaps():
    e = next(e for e in map(sites.expected, DOMAINS) if e.sitemap_shape == "cross-host")
    site = sites.build_site(e.domain)
    response, delivery = site.answer(f"cdn.{e.domain}", "/sitemaps/index.xml")
    assert response.status == 200 and delivery == "plain" and b"<sitemapindex" in response.body
    assert site.answer(f"cdn.{e.domain}", "/robots.txt")[0].status in (200, 404)
    assert site.answer(f"cdn.{e.domain}", "/")[0].status in (200, 404)
    assert b"<html" in site.answer(f"cdn.{e.domain}", "/")[0].body
