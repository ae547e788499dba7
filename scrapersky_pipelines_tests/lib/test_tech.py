"""Tests for technology detection (`lib.tech`) and its fingerprint set (`lib.tech_fingerprints`)."""

from __future__ import annotations

import re

import pytest

from scrapersky_pipelines.lib import tech
from scrapersky_pipelines.lib.tech_fingerprints import CATEGORIES, FINGERPRINTS


def test_fingerprint_set_is_large_broad_and_consistent() -> None:
    names = [fingerprint.name for fingerprint in FINGERPRINTS]
    assert len(names) == len(set(names)) == tech.technology_count()
    assert len(names) >= 40
    categories = {fingerprint.category for fingerprint in FINGERPRINTS}
    assert categories <= set(CATEGORIES)
    for needed in ("CMS", "Site builder", "E-commerce", "Analytics", "Tag manager", "Chat", "Booking", "Forms"):
        assert sum(f.category == needed for f in FINGERPRINTS) >= 3, needed
    for fingerprint in FINGERPRINTS:
        assert set(fingerprint.implies) <= set(names), fingerprint.name
        patterns = [*fingerprint.generator, *fingerprint.src, *fingerprint.cookies]
        patterns += [p for _, p in fingerprint.meta + fingerprint.headers if p]
        patterns += [rule[1] for rule in fingerprint.html if isinstance(rule, tuple)]
        for pattern in patterns:
            re.compile(pattern)
        for rule in fingerprint.html:
            literal = rule[0] if isinstance(rule, tuple) else rule
            assert literal == literal.lower(), f"{fingerprint.name}: html literals are matched on lower-cased HTML"


@pytest.mark.parametrize(
    ("html", "headers", "cookies", "expected"),
    [
        ('<meta name="generator" content="WordPress 6.4.2">', {}, {}, {"WordPress"}),
        ('<link rel="stylesheet" href="/wp-content/themes/x/style.css">', {}, {}, {"WordPress"}),
        ("<p>x</p>", {"X-Pingback": "https://acme.de/xmlrpc.php"}, {}, {"WordPress"}),
        ("<p>x</p>", {}, {"wordpress_logged_in_abc": "1"}, {"WordPress"}),
        ('<meta name="generator" content="Wix.com Website Builder">', {}, {}, {"Wix"}),
        ("<p>x</p>", {"x-wix-request-id": "1"}, {}, {"Wix"}),
        ('<script src="https://cdn.shopify.com/s/files/1/x.js"></script>', {}, {}, {"Shopify"}),
        ("<p>x</p>", {}, {"_shopify_y": "1"}, {"Shopify"}),
        ("<p>x</p>", {"set-cookie": "_shopify_s=1; Path=/, cart_sig=2; Path=/"}, {}, {"Shopify"}),
        ('<html data-wf-site="1"><body></body></html>', {}, {}, {"Webflow"}),
        ("<script>Static.SQUARESPACE_CONTEXT = {};</script>", {}, {}, {"Squarespace"}),
        ('<meta name="generator" content="Joomla! - Open Source Content Management">', {}, {}, {"Joomla"}),
        ('<meta name="Generator" content="Drupal 10 (https://www.drupal.org)">', {}, {}, {"Drupal"}),
        ('<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>', {}, {},
         {"Google Tag", "Google Analytics 4"}),
        ("<script>(function(w,d,s,l,i){})(window,document,'script','dataLayer','GTM-X');"
         "j.src='https://www.googletagmanager.com/gtm.js?id='</script>", {}, {}, {"Google Tag Manager"}),
        ("<script>fbq('init', '123');</script>", {}, {}, {"Facebook Pixel"}),
        ('<script src="https://embed.tawk.to/abc/default"></script>', {}, {}, {"Tawk.to"}),
        ('<div class="calendly-inline-widget" data-url="https://calendly.com/acme/30min"></div>', {}, {}, {"Calendly"}),
        ('<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>', {}, {}, {"jQuery"}),
        ('<script src="/js/jquery-3.5.1.min.dc5e7f18c8.js"></script>', {}, {}, {"jQuery"}),
        ("<p>x</p>", {"Server": "cloudflare", "CF-RAY": "1"}, {}, {"Cloudflare"}),
        ('<span class="__cf_email__" data-cfemail="42">[email protected]</span>', {}, {}, {"Cloudflare"}),
        ("<p>x</p>", {"server": "nginx/1.24.0"}, {}, {"Nginx"}),
        ("<p>x</p>", {"server": "Apache/2.4.57 (Debian)"}, {}, {"Apache HTTP Server"}),
        ("<p>x</p>", {"server": "ApacheTrafficServer"}, {}, set()),
        ('<link href="https://static1.squarespace.com/static/versioned-site-css/1/site.css">', {}, {},
         {"Squarespace"}),
        ("<p>plain page mentioning wordpress and shopify in prose</p>", {}, {}, set()),
    ],
)
def test_detect(html: str, headers: dict[str, str], cookies: dict[str, str], expected: set[str]) -> None:
    assert set(tech.detect(html, headers, cookies)) == expected


def test_implied_technologies_versions_and_evidence() -> None:
    html = ('<meta name="generator" content="WooCommerce 8.4.0"><script src="/wp-content/plugins/elementor/x.js">'
            '</script><script src="https://js.usemessages.com/conversations-embed.js"></script>')
    hits = tech.detect_detailed(html, {"server": "openresty/1.21.4.1"}, {})
    assert {"WooCommerce", "WordPress", "Elementor", "HubSpot Chat", "HubSpot", "OpenResty", "Nginx"} <= set(hits)
    assert hits["WooCommerce"].version == "8.4.0"
    assert hits["OpenResty"].version == "1.21.4.1"
    assert any(e.startswith("implied by") for e in hits["WordPress"].evidence)
    assert hits["WooCommerce"].category == "E-commerce"


def test_detect_returns_sorted_names_and_accepts_bytes_and_none() -> None:
    html = b'<meta name="generator" content="WordPress 6.4"><script src="https://code.jquery.com/jquery.js"></script>'
    assert tech.detect(html, None, None) == sorted(tech.detect(html, None, None)) == ["WordPress", "jQuery"]
    assert tech.detect("", {}, {}) == []


def test_unclosed_tags_and_huge_pages_stay_linear() -> None:
    html = "<script src=" * 50_000 + "<link " * 50_000 + '<meta name="generator" content="WordPress">' * 10
    assert tech.detect(html, {}, {}) == ["WordPress"]
