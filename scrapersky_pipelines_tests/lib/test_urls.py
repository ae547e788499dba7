"""Tests for domain, website and URL normalisation."""

from __future__ import annotations

import pytest

from scrapersky_pipelines.lib.urls import (
    InvalidDomain,
    WebsiteDomain,
    domain_from_website,
    normalize_domain,
    normalize_url,
    registrable_domain,
    same_site,
)

VALID_SUBMISSIONS = [
    ("acme.com", "acme.com"),
    ("ACME.COM", "acme.com"),
    ("www.acme.com", "acme.com"),
    ("WWW.WWW.acme.co.uk", "acme.co.uk"),
    ("https://www.acme.com/path?q=1#frag", "acme.com"),
    ("http://acme.com", "acme.com"),
    ("HTTPS://Acme.Com/", "acme.com"),
    ("//acme.com/x", "acme.com"),
    ("http://http://acme.com", "acme.com"),
    ("acme.com:8080", "acme.com"),
    ("https://acme.com:443/contact", "acme.com"),
    ("http://user:pass@acme.com:8080/x", "acme.com"),
    ("user:pass@acme.com", "acme.com"),
    ("acme.com.", "acme.com"),
    ("  acme.com \n", "acme.com"),
    ("blog.acme.com", "blog.acme.com"),
    ("www.blog.acme.com", "blog.acme.com"),
    ("shop.acme.co.uk", "shop.acme.co.uk"),
    ("Bücher.de", "xn--bcher-kva.de"),
    ("münchen.de:443", "xn--mnchen-3ya.de"),
    ("xn--bcher-kva.de", "xn--bcher-kva.de"),
    ("faß.de", "xn--fa-hia.de"),
    ("example.рф", "example.xn--p1ai"),
    ("ＥＸＡＭＰＬＥ。com", "example.com"),
    ("www.com", "www.com"),
    ("acme.com?x=1", "acme.com"),
    ("acme.com#top", "acme.com"),
    ("http://acme.com\\evil.com", "acme.com"),
    ("a1-b2.io", "a1-b2.io"),
]

INVALID_SUBMISSIONS = [
    ("", "empty"),
    ("   ", "empty"),
    ("ac me.com", "spaces"),
    ("acme.com/path with space", "spaces"),
    ("acme\u00a0.com", "spaces"),
    ("'; DROP TABLE domains;--", "spaces"),
    ("acme.com';--", "invalid characters"),
    ("acme.com\x00", "control characters"),
    ("acme\x07.com", "control characters"),
    ("acme.com\u200b", "control characters"),
    ("127.0.0.1", "IP addresses"),
    ("http://192.168.1.1:8080/admin", "IP addresses"),
    ("3232235777", "IP addresses"),
    ("0x7f.0.0.1", "IP addresses"),
    ("0177.0.0.1", "IP addresses"),
    ("127.1", "IP addresses"),
    ("http://[::1]/", "IP addresses"),
    ("::1", "IP addresses"),
    ("fe80::1", "IP addresses"),
    ("[2001:db8::1]:443", "IP addresses"),
    ("localhost", "single-label"),
    ("localhost:8080", "single-label"),
    ("a..b.com", "empty label"),
    (".acme.com", "empty label"),
    ("-bad-.com", "hyphen"),
    ("acme-.com", "hyphen"),
    ("a" * 300 + ".com", "longer than 63"),
    (".".join(["a" * 60] * 5) + ".com", "longer than 253"),
    ("x" * 2001, "longer than 2000"),
    ("acme_corp.com", "invalid characters"),
    ("acme.com;", "invalid characters"),
    ("foo.local", "no public suffix"),
    ("intranet.corp", "no public suffix"),
    ("co.uk", "public suffix"),
    ("mailto:info@acme.com", "not a web address"),
    ("ftp://acme.com", "unsupported scheme"),
    ("http://acme.com:abc/", "invalid port"),
    ("xn--zz.com", "punycode"),
    ("☃.com", "internationalised"),
]


@pytest.mark.parametrize(("raw", "expected"), VALID_SUBMISSIONS)
def test_normalize_domain_accepts(raw: str, expected: str) -> None:
    assert normalize_domain(raw) == expected


@pytest.mark.parametrize(("raw", "message"), INVALID_SUBMISSIONS)
def test_normalize_domain_rejects_with_reason(raw: str, message: str) -> None:
    with pytest.raises(InvalidDomain, match=message):
        normalize_domain(raw)


def test_invalid_domain_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        normalize_domain("localhost")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("acme.com", "acme.com"),
        ("shop.acme.co.uk", "acme.co.uk"),
        ("www.Acme.COM.", "acme.com"),
        ("a.b.c.acme.com.au", "acme.com.au"),
        ("Bücher.de", "xn--bcher-kva.de"),
        ("co.uk", None),
        ("com", None),
        ("127.0.0.1", None),
        ("localhost", None),
        ("", None),
        ("bad host", None),
    ],
)
def test_registrable_domain(host: str, expected: str | None) -> None:
    assert registrable_domain(host) == expected


WEBSITES = [
    (None, None, "no website"),
    ("", None, "no website"),
    ("   ", None, "no website"),
    ("https://www.acme.com/", "acme.com", None),
    ("http://acme.com:8080/menu?x=1", "acme.com", None),
    ("ACME.COM", "acme.com", None),
    ("  https://Acme.com  ", "acme.com", None),
    ("www.acme.co.uk/about", "acme.co.uk", None),
    ("https://shop.acme.com/products", "acme.com", None),
    ("https://www.acme.com.au/?utm_source=gmb", "acme.com.au", None),
    ("https://acme.com/our menu.pdf", "acme.com", None),
    ("Bücher.de", "xn--bcher-kva.de", None),
    ("https://xn--bcher-kva.de/", "xn--bcher-kva.de", None),
    ("acme.com.", "acme.com", None),
    ("http://user@acme.com/", "acme.com", None),
    ("mailto:info@acme.com", None, "not a web URL"),
    ("tel:+15551234567", None, "not a web URL"),
    ("javascript:void(0)", None, "not a web URL"),
    ("N/A", None, "not a web URL"),
    ("none", None, "not a web URL"),
    ("http://", None, "not a web URL"),
    ("http://127.0.0.1/", None, "not a web URL"),
    ("http://localhost:8000", None, "not a web URL"),
    ("acme.com, acme.net", None, "not a web URL"),
    ("ftp://acme.com/", None, "not a web URL"),
    ("https://acme.com\x00", None, "not a web URL"),
    ("https://www.facebook.com/acmepizza", None, "hosted platform page: facebook.com"),
    ("facebook.com/acme", None, "hosted platform page: facebook.com"),
    ("m.facebook.com/acme", None, "hosted platform page: facebook.com"),
    ("instagram.com/acme", None, "hosted platform page: instagram.com"),
    ("https://sites.google.com/view/acme", None, "hosted platform page: sites.google.com"),
    ("https://www.google.com/maps/place/acme", None, "hosted platform page: google.com"),
    ("acme.business.site", None, "hosted platform page: business.site"),
    ("acme.wixsite.com/home", None, "hosted platform page: wixsite.com"),
    ("https://acme.godaddysites.com", None, "hosted platform page: godaddysites.com"),
    ("acme.square.site", None, "hosted platform page: square.site"),
    ("acme.blogspot.com", None, "hosted platform page: blogspot.com"),
    ("acme.blogspot.de", None, "hosted platform page: blogspot.de"),
    ("acme.wordpress.com", None, "hosted platform page: wordpress.com"),
    ("linkedin.com/company/acme", None, "hosted platform page: linkedin.com"),
    ("https://twitter.com/acme", None, "hosted platform page: twitter.com"),
    ("x.com/acme", None, "hosted platform page: x.com"),
    ("https://www.youtube.com/@acme", None, "hosted platform page: youtube.com"),
    ("https://www.tiktok.com/@acme", None, "hosted platform page: tiktok.com"),
    ("https://www.yelp.ca/biz/acme", None, "hosted platform page: yelp.ca"),
    ("linktr.ee/acme", None, "hosted platform page: linktr.ee"),
    ("https://www.doordash.com/store/acme", None, "hosted platform page: doordash.com"),
    ("https://www.ubereats.com/store/acme", None, "hosted platform page: ubereats.com"),
    ("https://www.grubhub.com/restaurant/acme", None, "hosted platform page: grubhub.com"),
    ("https://www.opentable.com/r/acme", None, "hosted platform page: opentable.com"),
    ("https://booksy.com/en-us/123_acme", None, "hosted platform page: booksy.com"),
    ("https://www.vagaro.com/acme", None, "hosted platform page: vagaro.com"),
    ("https://squareup.com/appointments/book/x", None, "hosted platform page: squareup.com"),
    ("https://acme.myshopify.com", None, "hosted platform page: myshopify.com"),
    ("https://g.page/acme", None, "hosted platform page: g.page"),
]


@pytest.mark.parametrize(("website", "domain", "reason"), WEBSITES)
def test_domain_from_website(website: str | None, domain: str | None, reason: str | None) -> None:
    assert domain_from_website(website) == WebsiteDomain(domain, reason)


def test_platform_match_needs_a_label_boundary() -> None:
    assert domain_from_website("https://notfacebook.com/") == WebsiteDomain("notfacebook.com", None)
    assert domain_from_website("https://myyelp.com/") == WebsiteDomain("myyelp.com", None)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://ACME.com:80/a/./b/../c?x=%7e&y=%2f#frag", "http://acme.com/a/c?x=~&y=%2F"),
        ("https://acme.com:443", "https://acme.com/"),
        ("https://acme.com", "https://acme.com/"),
        ("https://acme.com?x=1", "https://acme.com/?x=1"),
        ("https://acme.com:8443/x", "https://acme.com:8443/x"),
        ("http://Bücher.de/ü ber", "http://xn--bcher-kva.de/%C3%BC%20ber"),
        ("http://acme.com/%7Euser/%e2%82%ac", "http://acme.com/~user/%E2%82%AC"),
        ("http://acme.com/a b?q=a b", "http://acme.com/a%20b?q=a%20b"),
        ("http://acme.com./x", "http://acme.com/x"),
        ("http://user:pw@acme.com/", "http://acme.com/"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000/"),
        ("  https://acme.com/\tx\n ", "https://acme.com/x"),
        ("https://acme.com/a/..", "https://acme.com/"),
        ("https://acme.com/a/%2E%2E/x", "https://acme.com/x"),
        ("/contact", None),
        ("ftp://x.com/", None),
        ("mailto:a@b.com", None),
        ("javascript:alert(1)", None),
        ("http://acme.com:99999/", None),
        ("http://[bad/", None),
        ("http://", None),
        ("", None),
    ],
)
def test_normalize_url(url: str, expected: str | None) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("contact.php", "https://acme.com/en/index.html", "https://acme.com/en/contact.php"),
        ("//cdn.acme.com/x", "https://acme.com/", "https://cdn.acme.com/x"),
        ("../x", "https://acme.com/a/b/c", "https://acme.com/a/x"),
        ("?page=2", "https://acme.com/blog/", "https://acme.com/blog/?page=2"),
        ("#top", "https://acme.com/about", "https://acme.com/about"),
        ("https://other.com/", "https://acme.com/", "https://other.com/"),
        ("mailto:x@acme.com", "https://acme.com/", None),
    ],
)
def test_normalize_url_with_base(url: str, base: str, expected: str | None) -> None:
    assert normalize_url(url, base) == expected


@pytest.mark.parametrize(
    ("url", "domain", "expected"),
    [
        ("https://www.acme.com/x", "acme.com", True),
        ("https://acme.com/x", "www.acme.com", True),
        ("https://blog.acme.com", "acme.com", True),
        ("https://ACME.COM:8443/", "acme.com", True),
        ("https://notacme.com", "acme.com", False),
        ("https://acme.com.evil.net", "acme.com", False),
        ("mailto:a@acme.com", "acme.com", False),
        ("/relative", "acme.com", False),
        ("http://127.0.0.1:8000/", "127.0.0.1", True),
        ("http://[::1]:8000/", "::1", True),
        ("https://xn--bcher-kva.de/", "bücher.de", True),
        ("https://acme.com/", "", False),
    ],
)
def test_same_site(url: str, domain: str, expected: bool) -> None:
    assert same_site(url, domain) is expected
