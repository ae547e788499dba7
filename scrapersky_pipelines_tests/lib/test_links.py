"""Tests for link extraction and the crawler's URL key (pure, no network)."""

from __future__ import annotations

import pytest

from scrapersky_pipelines.lib.links import Link, crawl_key, extract_links


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://Acme.COM/contact#form", "http://acme.com/contact"),
        ("http://acme.com/contact?utm_source=nav&utm_medium=web", "http://acme.com/contact"),
        ("http://acme.com/contact?fbclid=abc&page=2&gclid=x", "http://acme.com/contact?page=2"),
        ("http://acme.com/shop;jsessionid=ABC123?id=4", "http://acme.com/shop?id=4"),
        ("http://acme.com/list?PHPSESSID=1&sort=a", "http://acme.com/list?sort=a"),
        ("https://acme.com:443/a/../team", "https://acme.com/team"),
        ("http://acme.com", "http://acme.com/"),
        ("http://user:pw@acme.com/x", "http://acme.com/x"),
        # untouched queries keep their exact spelling
        ("http://acme.com/s?q=a+b&x=%7e", "http://acme.com/s?q=a+b&x=~"),
        ("http://acme.com/s?q=a+b&utm_term=z", "http://acme.com/s?q=a+b"),
        ("http://acme.com/s?&utm_source=1&x", "http://acme.com/s?x"),
    ],
)
def test_crawl_key_canonicalises(url: str, key: str) -> None:
    assert crawl_key(url) == key


@pytest.mark.parametrize("url", ["mailto:info@acme.com", "tel:+15125550100", "javascript:void(0)",
                                 "ftp://acme.com/", "data:text/html,hi", "http://", ""])
def test_crawl_key_rejects_non_web_urls(url: str) -> None:
    assert crawl_key(url) is None


def test_crawl_key_resolves_relative_urls() -> None:
    key = crawl_key("../kontakt?utm_campaign=x", "http://acme.de/de/team/")
    assert key == "http://acme.de/de/kontakt"


def test_extract_links_title_base_and_kinds() -> None:
    html = """<?xml version="1.0" encoding="utf-8"?>
    <html><head><title>  Acme
       Plumbing </title><base href="/en/"><base href="/ignored/"></head>
    <body>
      <a href="contact">Contact <b>us</b></a>
      <a href="contact#form"></a>
      <a href="/about?utm_source=footer">About</a>
      <a href="#top">Top</a>
      <a href="mailto:info@acme.com">Mail</a><a href="tel:+15125550100">Call</a>
      <a href="javascript:void(0)">JS</a>
      <a href="/brochure" download>Brochure</a>
      <map><area href="/map" alt="Find us"></map>
      <frameset><frame src="/frame-page"></frameset>
      <a href="https://www.facebook.com/acme">Facebook</a>
      <meta http-equiv="Refresh" content="5; URL='/next'">
    </body></html>"""
    page = extract_links(html, "http://acme.com/start")
    assert page.title == "Acme Plumbing"
    assert page.base_url == "http://acme.com/en/"
    urls = [link.url for link in page.links]
    assert urls == [
        "http://acme.com/en/contact",
        "http://acme.com/about",
        "http://acme.com/map",
        "http://acme.com/frame-page",
        "https://www.facebook.com/acme",
        "http://acme.com/next",
    ]
    assert page.links[0] == Link("http://acme.com/en/contact", "Contact us")
    assert Link("http://acme.com/map", "Find us") in page.links


def test_extract_links_dedupes_and_keeps_first_text() -> None:
    html = ('<a href="/team"><img src="x.png"></a><a href="/team?utm_source=a">Our team</a>'
            '<a href="/team">Team</a>')
    page = extract_links(html, "http://acme.com/")
    assert page.links == (Link("http://acme.com/team", "Our team"),)


def test_extract_links_caps_the_count() -> None:
    html = "".join(f'<a href="/p{i}">p</a>' for i in range(50))
    assert len(extract_links(html, "http://acme.com/", max_links=10).links) == 10


def test_extract_links_bytes_and_empty_documents() -> None:
    page = extract_links(b'<html><head><meta charset="windows-1252"></head><body>'
                         b'<a href="/caf\xe9">Caf\xe9</a></body></html>', "http://acme.com/")
    assert page.links == (Link("http://acme.com/caf%C3%A9", "Caf\u00e9"),)
    for empty in ("", "   ", b""):
        assert extract_links(empty, "http://acme.com/") == extract_links("", "http://acme.com/")
        assert extract_links(empty, "http://acme.com/").links == ()
    garbage = extract_links(b"\x00\xff\xfe<<<>>>", "http://acme.com/")
    assert garbage.links == ()
