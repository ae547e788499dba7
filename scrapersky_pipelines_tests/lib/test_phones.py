"""Tests for phone-number extraction (`lib.phones`): sources, regions, and the digit runs that are not phones."""

from __future__ import annotations

import pytest

from scrapersky_pipelines.lib.html_text import parse_page
from scrapersky_pipelines.lib.phones import MAX_WINDOWS, PhoneHit, extract_phones, infer_region, parse_phone


def phones(html: str, region: str = "DE") -> dict[str, PhoneHit]:
    return {hit.e164: hit for hit in extract_phones(parse_page(html), region)}


def numbers(html: str, region: str = "DE") -> set[str]:
    return set(phones(html, region))


# --- region -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "lang", "region", "expected"),
    [
        ("https://www.acme.de/", None, None, "DE"),
        ("https://acme.co.uk/x", "en", None, "GB"),
        ("https://shop.acme.com.au/", None, None, "AU"),
        ("https://www.bäckerei.at/", None, None, "AT"),
        ("https://acme.com/", "fr-CA", None, "CA"),
        ("https://acme.com/", "de", None, "DE"),
        ("https://acme.com/", "en-GB", None, "GB"),
        ("https://acme.com/", "pt-br", None, "BR"),
        ("https://acme.io/", "ja", None, "JP"),
        ("https://acme.io/", None, None, "US"),
        ("https://acme.eu/", "nl", None, "NL"),
        ("https://acme.de/", "fr", "es", "ES"),
        ("https://acme.de/", None, "XX", "DE"),
        ("not a url", None, None, "US"),
        (None, None, None, "US"),
    ],
)
def test_infer_region(url: str | None, lang: str | None, region: str | None, expected: str) -> None:
    assert infer_region(url, lang, region) == expected


# --- sources ----------------------------------------------------------------------------------------------------


def test_tel_links_in_every_spelling() -> None:
    html = """
    <a href="tel:+49301234567">030 1234567</a>
    <a href="tel:030-2345678">call</a>
    <a href="tel:%2B49%2030%203456789">call</a>
    <a href="TEL: +49 (0)30 4567890">call</a>
    <a href="callto:+4930567890 1">call</a>
    <a href="tel:+1-415-392-0471;ext=12">US</a>
    <a href="tel:0302345&#8203;679">zw</a>
    <a href="tel:12">short</a><a href="tel:+4930">short</a><a href="tel:">empty</a>
    """
    hits = phones(html)
    assert set(hits) >= {"+49301234567", "+49302345678", "+49303456789", "+49304567890", "+14153920471",
                         "+49302345679"}
    assert "+4930" not in hits
    assert hits["+14153920471"].extension == "12"
    assert hits["+49301234567"].source == "tel"
    assert hits["+49301234567"].number_type == "fixed_line"


def test_json_ld_and_microdata() -> None:
    html = """<script type="application/ld+json">{"@graph": [{"@type": "Store", "telephone": "+49 30 1234567"},
      {"@type": "Store", "telephone": ["030 2345678", "not a number"]}]}</script>
    <div itemscope><meta itemprop="telephone" content="+49 (0) 89 1234567"></div>"""
    hits = phones(html)
    assert set(hits) == {"+49301234567", "+49302345678", "+49891234567"}
    assert hits["+49301234567"].source == "json-ld"


def test_sources_in_priority_order_and_deduplicated() -> None:
    html = """<p>Tel. 030 1234567</p><a href="tel:+49301234567">x</a>
    <script type="application/ld+json">{"telephone": "+49-30-1234567"}</script>"""
    hits = extract_phones(parse_page(html), "DE")
    assert [(hit.e164, hit.source) for hit in hits] == [("+49301234567", "tel")]


TEXT_CASES = [
    ("<p>Tel.: 030 / 123 45 67</p>", "DE", {"+49301234567"}),
    ("<p>Telefon (030) 1234 5678</p>", "DE", {"+493012345678"}),
    ("<p>+49 (0)89 1234567</p>", "DE", {"+49891234567"}),
    ("<p>Call (415) 392-0471 ext. 12 or 415.392.0472</p>", "US", {"+14153920471", "+14153920472"}),
    ("<p>Phone: 020 7946 0123</p>", "GB", {"+442079460123"}),
    ("<p>Tél. 01 42 68 53 00</p>", "FR", {"+33142685300"}),
    ("<p>Tel. 06 1234 5678</p>", "IT", {"+390612345678"}),
    ("<p>Bel ons: 020 - 123 45 67</p>", "NL", {"+31201234567"}),
    ("<p>(02) 9374 4000</p>", "AU", {"+61293744000"}),
    ("<p>TEL：０３－１２３４－５６７８</p>", "JP", {"+81312345678"}),
    ("<p>03-1234-5678</p>", "JP", {"+81312345678"}),
    ("<p><span class='area'>(415)</span> <span>392-0471</span></p>", "US", {"+14153920471"}),
    ("<p>030&nbsp;1234567</p>", "DE", {"+49301234567"}),
    ("<p>Call 1-800-ROOTERS today</p>", "US", {"+18007668377"}),
    ("<p>Call 1-800-FLOWERS or 1 (888) 462-7766</p>", "US", {"+18003569377", "+18884627766"}),
    ("<p>Tel./Fax 030 1234567</p>", "DE", {"+49301234567"}),
    ("<table><tr><th>Telefon</th><td>030 1234567</td></tr><tr><th>Fax</th><td>030 1234568</td></tr></table>",
     "DE", {"+49301234567"}),
]


@pytest.mark.parametrize(("html", "region", "expected"), TEXT_CASES)
def test_visible_text(html: str, region: str, expected: set[str]) -> None:
    assert numbers(html, region) == expected


NOT_PHONES = [
    ("<p>Stand: 12.03.2024 · 2024-03-12 · 03/12/2024 · 12/03/24</p>", "DE"),
    ("<p>San Francisco, CA 94103-1234</p>", "US"),
    ("<p>Preis: 1.299.000 € · $1,299,000.00 · € 12.345.678 · 1.250.000,00 EUR</p>", "DE"),
    ("<p>Bestellnummer 301234567 · Order no. 4153920471 · Invoice 0301234567</p>", "DE"),
    ("<p>Rechnungs-Nr. 030 1234567 · Kundennummer 030 7654321</p>", "DE"),
    ("<p>GPS: 52.520008, 13.404954</p>", "DE"),
    ("<p>lat 37.774929, lng -122.419418</p>", "US"),
    ("<p>Tracking: 1Z999AA10123456784 · UA-12345678-1 · GTM-4153920471</p>", "US"),
    ("<p>USt-IdNr.: DE 276 543 210 · Steuernummer 21/815/08150</p>", "DE"),
    ("<p>Umsatzsteuer-Identifikationsnummer gemäß § 27 a UStG: DE 276 543 210</p>", "DE"),
    ("<p>P.IVA 01234567890 · Codice fiscale 02345678901</p>", "IT"),
    ("<p>SIRET 812 345 678 00012 · RCS Paris 812 345 678</p>", "FR"),
    ("<p>ABN 51 824 753 556</p>", "AU"),
    ("<p>KvK 30123456 · IBAN NL91 ABNA 0417 1643 00</p>", "NL"),
    ("<p>IBAN DE89 3704 0044 0532 0130 00 · BIC COBADEFFXXX</p>", "DE"),
    ("<p>Fax: 030 1234567</p>", "DE"),
    ("<p>Fax (415) 392-0471</p>", "US"),
    ("<p>Téléc. / Fax : 514 845-2262</p>", "CA"),
    ("<p>Öffnungszeiten: Mo–Fr 08.00–18.00, Sa 09.00 – 13.00</p>", "DE"),
    ("<p>Mon-Fri 9:00-17:30</p>", "US"),
    ("<p>Since 1987 · 1998–2024 · © 2024</p>", "DE"),
    ("<p>ISBN 978-3-16-148410-0</p>", "DE"),
    ("<p>Unix time 1710238123 and id 4153920471234</p>", "US"),
    ("<p>Visit www.acme.de/0301234567 or acme.de?id=0301234567</p>", "DE"),
    ("<p>LANR 123456789 · BSNR 987654321</p>", "DE"),
    ("<p>Ärztlicher Bereitschaftsdienst 116 117 · Notruf 112</p>", "DE"),
    ("<p>Art.-Nr. 030123456 · SKU 0301234567</p>", "DE"),
    ("<p>v2.10.3 · 10.0.0.1 · 192.168.100.200</p>", "US"),
    ("<p>NIP 521-123-45-67 · REGON 146789012 · KRS 0000123456</p>", "PL"),
    ("<p>Org.nr 556677-8899</p>", "SE"),
    ("<p>Text HEAT to 55123 for deals</p>", "US"),
]


@pytest.mark.parametrize(("html", "region"), NOT_PHONES)
def test_digit_runs_that_are_not_phones(html: str, region: str) -> None:
    assert numbers(html, region) == set()


def test_numbers_in_scripts_and_attributes_are_ignored() -> None:
    html = """<script>var ts = 4153920471; var tel = "030 1234567";</script>
    <input placeholder="(555) 555-5555"><div data-phone="030 1234568"></div>"""
    assert numbers(html, "US") == set()


def test_parse_phone() -> None:
    assert parse_phone("+49 30 1234567", "US") is not None
    assert parse_phone("030 1234567", "DE") is not None
    assert parse_phone("030 1234567", "US") is None
    assert parse_phone("1234", "DE") is None
    assert parse_phone("not a number", "DE") is None


def test_repeated_blocks_and_many_windows_stay_bounded() -> None:
    row = "<tr><td>Filiale</td><td>Tel. 030 1234567</td><td>SKU 12345678901</td></tr>"
    html = "<table>" + row * (MAX_WINDOWS * 2) + "</table>"
    assert numbers(html) == {"+49301234567"}


def test_empty_page() -> None:
    assert extract_phones(parse_page(""), "DE") == []
