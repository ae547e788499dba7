"""Tests for the contact-extraction entry point (`lib.contacts.extract`): API shape, inputs, robustness.

The big and hostile pages below must simply finish; no test asserts a duration.
"""

from __future__ import annotations

import dataclasses

import pytest

from scrapersky_pipelines.lib import contacts
from scrapersky_pipelines.lib.contacts import ContactExtraction, EmailHit, PhoneHit, extract, page_domain

PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Bäckerei Müller</title>
<script type="application/ld+json">{"@type": "Bakery", "telephone": "+49 30 1234567",
 "sameAs": ["https://www.instagram.com/baeckerei.mueller/"]}</script></head>
<body><p>Inhaberin: Anna Schmidt – anna.schmidt@baeckerei-mueller.de</p>
<p>Telefon <a href="tel:030-2345678">030 234 56 78</a> · Fax 030 2345679</p>
<p>E-Mail: info [at] baeckerei-mueller [dot] de</p>
<a href="https://www.facebook.com/BaeckereiMueller/">Facebook</a></body></html>"""


def test_extract_returns_the_documented_shape() -> None:
    result = extract(PAGE, "https://www.baeckerei-mueller.de/kontakt")
    assert isinstance(result, ContactExtraction)
    assert dataclasses.is_dataclass(result)
    assert [type(hit) for hit in result.emails] == [EmailHit, EmailHit]
    assert {(hit.address, hit.kind) for hit in result.emails} == {
        ("anna.schmidt@baeckerei-mueller.de", "personal"), ("info@baeckerei-mueller.de", "role")}
    assert all(isinstance(hit, PhoneHit) for hit in result.phones)
    assert [hit.e164 for hit in result.phones] == ["+49302345678", "+49301234567"]
    assert result.phones[0].raw == "030-2345678"
    assert result.socials == {"facebook": ["https://facebook.com/baeckereimueller"],
                              "instagram": ["https://instagram.com/baeckerei.mueller"]}
    assert result.names == {"anna.schmidt@baeckerei-mueller.de": "Anna Schmidt"}


def test_bytes_and_str_give_the_same_result() -> None:
    url = "https://www.baeckerei-mueller.de/"
    assert extract(PAGE.encode("utf-8"), url) == extract(PAGE, url)


def test_region_argument_overrides_tld_and_language() -> None:
    html = "<html lang='en'><body><p>Phone: 020 7946 0123</p></body></html>"
    assert extract(html, "https://acme.com/").phones == []
    assert [hit.e164 for hit in extract(html, "https://acme.com/", region="GB").phones] == ["+442079460123"]
    assert [hit.e164 for hit in extract(html, "https://acme.co.uk/").phones] == ["+442079460123"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [("https://www.shop.acme.co.uk/x", "acme.co.uk"), ("acme.de", "acme.de"), ("https://bäckerei.de/",
     "bäckerei.de".encode("idna").decode()), ("https://192.168.0.1/", None), ("", None), (None, None),
     ("http://[::1", None)],
)
def test_page_domain(url: str | None, expected: str | None) -> None:
    assert page_domain(url) == expected


@pytest.mark.parametrize(
    "html",
    ["", b"", "   ", "\x00", b"\xff\xfe\x00", "<", "<html>", "not html at all", "<!-- only a comment -->",
     "<?xml version='1.0'?><root/>", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "<a href='mailto:'>", "</p></div>"],
)
def test_degenerate_inputs_give_empty_or_small_results(html: str | bytes) -> None:
    result = extract(html, "https://acme.de/")
    assert isinstance(result, ContactExtraction)
    assert result.emails == [] and result.phones == [] and result.socials == {}


def test_five_megabyte_page_runs() -> None:
    block = ("<div class='listing'><h2>Filiale</h2><p>Tel. 030 1234567 · info@acme.de · "
             "<a href='https://www.facebook.com/acme'>fb</a> · Preis 1.299,00 € · 12.03.2024 · "
             "logo@2x.png · react@18.2.0 · info [at] acme [dot] de</p></div>\n")
    html = "<html><body>" + block * (5_000_000 // len(block)) + "<p>last@acme.de</p></body></html>"
    assert len(html) > 4_900_000
    result = extract(html, "https://www.acme.de/")
    assert {hit.address for hit in result.emails} == {"info@acme.de", "last@acme.de"}
    assert [hit.e164 for hit in result.phones] == ["+49301234567"]
    assert result.socials == {"facebook": ["https://facebook.com/acme"]}


def test_hostile_text_runs() -> None:
    parts = [
        "a" * 200_000, "a@" * 100_000, "a." * 100_000, "1 " * 100_000, "(" * 100_000, "-1" * 100_000,
        " at " * 50_000, "x [at] y [dot] " * 15_000, "info@" + "a." * 50_000 + "de", "%40" * 50_000,
    ]
    html = "<html><body>" + "".join(f"<p>{part}</p>" for part in parts) + "<p>ok@acme.de</p></body></html>"
    result = extract(html, "https://www.acme.de/")
    assert "ok@acme.de" in {hit.address for hit in result.emails}


def test_hostile_scripts_and_attributes_run() -> None:
    html = ("<html><body><script>" + "'a' + " * 100_000 + "'b'; var x = String.fromCharCode(" + "1," * 100_000
            + "1);</script>" + "<a href=\"mailto:" + "a," * 50_000 + "\">x</a>"
            + "<div data-x=\"" + "(at)" * 50_000 + "\"></div><p>ok@acme.de</p></body></html>")
    result = extract(html, "https://www.acme.de/")
    assert [hit.address for hit in result.emails] == ["ok@acme.de"]


def test_deeply_nested_markup_runs() -> None:
    depth = 50_000
    html = ("<html><body>" + "<div>" * depth + "<p>deep@acme.de · Tel. 030 1234567</p>" + "</div>" * depth
            + "<a href='https://www.instagram.com/acme/'>ig</a></body></html>")
    result = extract(html, "https://www.acme.de/")
    assert [hit.address for hit in result.emails] == ["deep@acme.de"]
    assert [hit.e164 for hit in result.phones] == ["+49301234567"]
    assert result.socials == {"instagram": ["https://instagram.com/acme"]}


def test_module_exports() -> None:
    assert set(contacts.__all__) >= {"ContactExtraction", "EmailHit", "PhoneHit", "extract", "page_domain"}
