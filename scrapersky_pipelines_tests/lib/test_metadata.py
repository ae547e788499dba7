"""Tests for homepage metadata extraction: real-world-like markup, encodings and broken documents."""

from __future__ import annotations

import codecs

import pytest

from scrapersky_pipelines.lib import metadata
from scrapersky_pipelines.lib.metadata import MAX_LINKS, PageMetadata, decode_html, parse_page_metadata

WORDPRESS_HOME = b"""<!DOCTYPE html>
<html lang="en-US" prefix="og: https://ogp.me/ns#">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Joe&#8217;s   Pizza &amp; Pasta
  | Springfield</title>
<meta name="description" content="Family-run pizzeria since 1985.   Order online!">
<meta property="og:title" content="Joe's Pizza">
<meta property="og:type" content="website">
<meta property="og:image" content="https://joespizza.com/wp-content/uploads/hero.jpg">
<meta property="og:image" content="https://joespizza.com/second.jpg">
<meta name="generator" content="WordPress 6.4.2">
<link rel="canonical" href="https://joespizza.com/">
<link rel="icon" href="/wp-content/uploads/cropped-icon-32x32.png" sizes="32x32">
<link rel="apple-touch-icon" href="/touch.png">
<link rel="sitemap" type="application/xml" title="Sitemap" href="/wp-sitemap.xml">
<link rel="stylesheet" href="/wp-content/themes/x/style.css">
<script>var words = "these are not visible words";</script>
<style>body { color: red }</style>
</head>
<body class="home page-template-default">
<header id="masthead">
  <a href="https://joespizza.com/" class="custom-logo-link" rel="home">
    <img width="200" src="https://joespizza.com/wp-content/uploads/logo.png" class="custom-logo" alt="Joe's Pizza">
  </a>
  <nav><ul>
    <li><a href="/menu/">Menu</a></li>
    <li><a href="/contact-us/#form">Contact</a></li>
    <li><a href="https://order.joespizza.com/start">Order</a></li>
    <li><a href="https://www.facebook.com/joespizza">Facebook</a></li>
    <li><a href="mailto:info@joespizza.com">Email</a></li>
    <li><a href="tel:+15551234567">Call</a></li>
    <li><a href="javascript:void(0)">Toggle</a></li>
    <li><a href="/menu/">Menu again</a></li>
  </ul></nav>
</header>
<h1 class="entry-title">  Welcome to
   Joe&apos;s  </h1>
<p>Best pizza in town.<noscript>Enable JavaScript please</noscript> Open daily.</p>
<form id="commentform" action="/wp-comments-post.php"><textarea name="comment"></textarea></form>
<form role="search" action="/"><input type="search" name="s"></form>
<div class="wpcf7"><form action="/contact-us/#wpcf7" class="wpcf7-form">
  <input type="text" name="your-name"><input type="email" name="your-email"><textarea name="your-message"></textarea>
</form></div>
</body></html>
"""


def test_wordpress_homepage() -> None:
    meta = parse_page_metadata(WORDPRESS_HOME, "https://joespizza.com/")
    assert meta.title == "Joe\u2019s Pizza & Pasta | Springfield"
    assert meta.description == "Family-run pizzeria since 1985. Order online!"
    assert meta.language == "en-US"
    assert meta.favicon_url == "https://joespizza.com/wp-content/uploads/cropped-icon-32x32.png"
    assert meta.canonical_url == "https://joespizza.com/"
    assert meta.generator == "WordPress 6.4.2"
    assert meta.og == {
        "og:title": "Joe's Pizza",
        "og:type": "website",
        "og:image": "https://joespizza.com/wp-content/uploads/hero.jpg",
    }
    assert meta.sitemap_links == ("https://joespizza.com/wp-sitemap.xml",)
    assert meta.links == (
        "https://joespizza.com/",
        "https://joespizza.com/menu/",
        "https://joespizza.com/contact-us/",
        "https://order.joespizza.com/start",
    )
    assert meta.logo_url == "https://joespizza.com/wp-content/uploads/logo.png"
    assert meta.h1 == "Welcome to Joe's"
    assert meta.has_contact_form
    # "Joe's Pizza" nav texts and the paragraph count; script, style and noscript text does not.
    assert meta.word_count == len("Menu Contact Order Facebook Email Call Toggle Menu again".split()) + len(
        "Welcome to Joe's Best pizza in town. Open daily.".split()
    )


def test_missing_everything_gives_empty_record() -> None:
    meta = parse_page_metadata(b"<html><body><p>just text</p></body></html>", "https://acme.com/")
    assert meta == PageMetadata(word_count=2)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<html lang="de">', "de"),
        ('<html lang="EN_us">', "en-US"),
        ('<html lang="zh-hans-cn">', "zh-Hans-CN"),
        ('<html lang="es-419">', "es-419"),
        ('<html lang="">', None),
        ('<html lang="not a language">', None),
        ('<html xml:lang="fr-CA">', "fr-CA"),
        ('<html><meta http-equiv="Content-Language" content="nl-NL, en">', "nl-NL"),
        ('<html><meta property="og:locale" content="pt_BR">', "pt-BR"),
        ('<html lang="it"><meta property="og:locale" content="en_US">', "it"),
    ],
)
def test_language_normalisation(head: str, expected: str | None) -> None:
    assert parse_page_metadata(head + "<title>x</title>", "https://acme.com/").language == expected


def test_description_falls_back_to_og_and_title_to_og_title() -> None:
    doc = '<head><meta property="og:description" content="OG desc"><meta name="og:title" content="OG title"></head>'
    meta = parse_page_metadata(doc, "https://acme.com/")
    assert meta.description == "OG desc"
    assert meta.title == "OG title"


def test_meta_description_wins_over_og_and_name_is_case_insensitive() -> None:
    doc = '<meta property="og:description" content="og"><meta NAME="Description" content="plain">'
    assert parse_page_metadata(doc, "https://acme.com/").description == "plain"


def test_limits_on_title_and_description() -> None:
    doc = f"<title>{'t' * 800}</title><meta name=description content=\"{'d ' * 900}\">"
    meta = parse_page_metadata(doc, "https://acme.com/")
    assert meta.title == "t" * 500
    assert meta.description is not None and len(meta.description) <= 1000
    assert meta.description.startswith("d d d")


def test_no_favicon_declared_stays_none_and_touch_icon_is_a_fallback() -> None:
    assert parse_page_metadata("<title>x</title>", "https://acme.com/").favicon_url is None
    doc = '<link rel="apple-touch-icon" href="/apple.png">'
    assert parse_page_metadata(doc, "https://acme.com/").favicon_url == "https://acme.com/apple.png"
    doc = '<link rel="SHORTCUT ICON" href="favicon.ico">'
    assert parse_page_metadata(doc, "https://acme.com/shop/").favicon_url == "https://acme.com/shop/favicon.ico"


def test_base_href_is_honoured() -> None:
    doc = '<base href="https://cdn.acme.com/site/"><link rel="icon" href="i.png"><a href="page">p</a>'
    meta = parse_page_metadata(doc, "https://www.acme.com/")
    assert meta.favicon_url == "https://cdn.acme.com/site/i.png"
    assert meta.links == ("https://cdn.acme.com/site/page",)


def test_links_are_same_site_deduplicated_and_capped() -> None:
    anchors = "".join(f'<a href="/p{i % 700}#x">p</a><a href="https://other.com/{i}">o</a>' for i in range(2000))
    meta = parse_page_metadata(f"<body>{anchors}</body>", "https://www.acme.com/")
    assert len(meta.links) == MAX_LINKS
    assert meta.links[:2] == ("https://www.acme.com/p0", "https://www.acme.com/p1")
    assert all(link.startswith("https://www.acme.com/p") for link in meta.links)


def test_links_on_a_loopback_site() -> None:
    doc = '<a href="/a">a</a><a href="http://127.0.0.1:8001/b">b</a><a href="http://10.0.0.1/c">c</a>'
    meta = parse_page_metadata(doc, "http://127.0.0.1:8001/")
    assert meta.links == ("http://127.0.0.1:8001/a", "http://127.0.0.1:8001/b")


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('<img id="logo" src="/l.png">', "https://acme.com/l.png"),
        ('<img alt="ACME Logo" src="l.svg">', "https://acme.com/l.svg"),
        (
            '<img class="site-logo lazy" src="data:image/gif;base64,R0l" data-src="/real.png">',
            "https://acme.com/real.png",
        ),
        ('<img class="logo" srcset="/l-1x.png 1x, /l-2x.png 2x">', "https://acme.com/l-1x.png"),
        ('<div class="navbar-brand-logo"><a href="/"><img src="/brand.png"></a></div>', "https://acme.com/brand.png"),
        ('<img src="/photo.jpg"><img class="hero" src="/hero.jpg">', None),
        ('<img class="logo">', None),
    ],
)
def test_logo_detection(markup: str, expected: str | None) -> None:
    assert parse_page_metadata(f"<body>{markup}</body>", "https://acme.com/").logo_url == expected


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ('<form><input type="email" name="e"><textarea name="m"></textarea></form>', True),
        ('<form><input type="text" name="your-email"></form>', True),
        ('<form action="/kontakt"><textarea name="nachricht"></textarea></form>', True),
        ('<form class="newsletter"><input type="email" name="EMAIL"></form>', True),
        ('<form role="search"><input type="email"></form>', False),
        ('<form id="commentform"><textarea name="comment"></textarea><input type="email"></form>', False),
        ('<form><input type="email" name="u"><input type="password" name="p"></form>', False),
        ('<form><input type="text" name="q"></form>', False),
        ('<input type="email"><textarea></textarea>', False),
    ],
)
def test_contact_form_detection(form: str, expected: bool) -> None:
    assert parse_page_metadata(f"<body>{form}</body>", "https://acme.com/").has_contact_form is expected


def test_svg_title_is_not_the_page_title() -> None:
    doc = "<body><svg><title>menu icon</title></svg><h1>Hi</h1></body>"
    assert parse_page_metadata(doc, "https://acme.com/").title is None


# --- encodings -------------------------------------------------------------------------------------------


def test_windows_1252_without_declaration() -> None:
    doc = "<title>Caf\u00e9 \u201cM\u00fcller\u201d \u2013 Men\u00fc</title><p>S\u00fc\u00dfes</p>".encode("cp1252")
    meta = parse_page_metadata(doc, "https://acme.com/")
    assert meta.title == "Caf\u00e9 \u201cM\u00fcller\u201d \u2013 Men\u00fc"


def test_utf8_without_declaration() -> None:
    doc = "<title>Z\u00fcrich \u2013 \u65e5\u672c</title>".encode()
    assert parse_page_metadata(doc, "https://acme.com/").title == "Z\u00fcrich \u2013 \u65e5\u672c"


def test_meta_charset_declaration() -> None:
    doc = '<html><head><meta charset="iso-8859-15"><title>Prix 5\u20ac</title></head></html>'.encode("iso-8859-15")
    assert parse_page_metadata(doc, "https://acme.com/").title == "Prix 5\u20ac"


def test_meta_http_equiv_content_type() -> None:
    text = '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"><title>\u65e5\u672c\u8a9e</title>'
    assert parse_page_metadata(text.encode("shift_jis"), "https://acme.com/").title == "\u65e5\u672c\u8a9e"


def test_http_charset_overrides_meta() -> None:
    doc = '<meta charset="utf-8"><title>\u00c9t\u00e9</title>'.encode("cp1252")
    meta = parse_page_metadata(doc, "https://acme.com/", content_type="text/html; charset=ISO-8859-1")
    assert meta.title == "\u00c9t\u00e9"


def test_utf8_bom_overrides_everything() -> None:
    doc = codecs.BOM_UTF8 + '<meta charset="windows-1252"><title>\u00e9t\u00e9</title>'.encode()
    meta = parse_page_metadata(doc, "https://acme.com/", content_type="text/html; charset=iso-8859-1")
    assert meta.title == "\u00e9t\u00e9"


def test_utf16_bom() -> None:
    doc = codecs.BOM_UTF16_LE + "<html lang=fr><title>\u00e9t\u00e9</title></html>".encode("utf-16-le")
    meta = parse_page_metadata(doc, "https://acme.com/")
    assert (meta.title, meta.language) == ("\u00e9t\u00e9", "fr")


def test_unknown_charset_label_falls_back_to_sniffing() -> None:
    doc = '<meta charset="klingon"><title>\u00e9t\u00e9</title>'.encode()
    assert parse_page_metadata(doc, "https://acme.com/", "text/html; charset=bogus").title == "\u00e9t\u00e9"


def test_truncated_utf8_body_stays_utf8() -> None:
    doc = "<title>Caf\u00e9</title><p>\u20ac".encode()[:-1]
    assert decode_html(doc).startswith("<title>Caf\u00e9</title>")


def test_str_input_with_xml_declaration() -> None:
    doc = '<?xml version="1.0" encoding="iso-8859-1"?><html><head><title>XHTML</title></head></html>'
    assert parse_page_metadata(doc, "https://acme.com/").title == "XHTML"


# --- broken and hostile markup ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "doc",
    [b"", b"   ", "", b"<!-- only a comment -->", b"<html", b"\x00\x01\x02\x03", b"\xff\xfe\xfd", "<<<>>>"],
)
def test_empty_or_garbage_documents_do_not_raise(doc: bytes | str) -> None:
    meta = parse_page_metadata(doc, "https://acme.com/")
    assert meta.title is None and meta.links == ()


def test_unclosed_tags_and_stray_markup() -> None:
    doc = (
        b"<html><head><title>Broken <b>page</title><meta name=description content=unquoted>"
        b"<body><div><p>one<p>two<table><tr><td>three</div></span><a href=/x>four</i></td></p>"
    )
    meta = parse_page_metadata(doc, "https://acme.com/")
    assert meta.title == "Broken <b>page"
    assert meta.description == "unquoted"
    assert meta.links == ("https://acme.com/x",)
    assert meta.word_count == 4


def test_title_outside_head_and_entities() -> None:
    doc = "<body><title>&lt;Acme&gt; &amp;&nbsp;Co&#x2122;</title></body>"
    assert parse_page_metadata(doc, "https://acme.com/").title == "<Acme> & Co\u2122"


def test_deeply_nested_markup_keeps_the_head() -> None:
    doc = b"<html><head><title>Deep</title></head><body>" + b"<div>" * 100_000 + b"x" + b"</div>" * 100_000
    meta = parse_page_metadata(doc, "https://acme.com/")
    assert meta.title == "Deep"


def test_five_megabyte_page() -> None:
    row = b'<p>hello world <a href="/p%d">link</a><img src="/i.png"><script>no no</script> tail</p>'
    doc = b"<html><head><title>Big</title></head><body>" + b"".join(row % i for i in range(60_000)) + b"</body></html>"
    assert len(doc) > 5_000_000
    meta = parse_page_metadata(doc, "https://acme.com/")
    assert meta.title == "Big"
    assert meta.word_count == 4 * 60_000
    assert len(meta.links) == MAX_LINKS


def test_unparseable_document_falls_back_to_regex(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metadata, "_parse_tree", lambda text: None)
    doc = (
        '<html class="no-js" lang="de-at"><head><TITLE data-x="1">\n Fallback &amp; more </TITLE>'
        "<meta content='ignored' property='og:description'><meta name=\"description\" content=\"Caf&eacute;\">"
    )
    meta = parse_page_metadata(doc.encode(), "https://acme.com/")
    assert (meta.title, meta.description, meta.language) == ("Fallback & more", "Caf\u00e9", "de-AT")


def test_truncated_start_tag_is_not_a_crash() -> None:
    meta = parse_page_metadata(b'<html lang="de"', "https://acme.com/")
    assert meta.title is None and meta.language in (None, "de")


def test_page_metadata_is_frozen() -> None:
    meta = parse_page_metadata("<title>x</title>", "https://acme.com/")
    with pytest.raises(AttributeError):
        meta.title = "y"  # type: ignore[misc]
