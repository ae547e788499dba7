"""Tests for the single-parse page model used by contact extraction (`lib.html_text`)."""

from __future__ import annotations

import pytest

from scrapersky_pipelines.lib.html_text import Page, decode_html, iter_json_ld_objects, parse_page


def test_text_joins_inline_elements_and_spaced_text_separates_them() -> None:
    page = parse_page("<p><b>Tel</b><span>030 1234567</span> info<span>@</span>acme.de</p>")
    assert "Tel030 1234567 info@acme.de" in page.text
    assert "Tel 030 1234567 info @ acme.de" in " ".join(page.spaced_text.split())
    # Every inline boundary is recorded at its offset in `text`.
    assert page.text.index("030") in page.boundaries
    assert list(page.boundaries) == sorted(page.boundaries)


def test_block_elements_and_br_become_newlines() -> None:
    page = parse_page("<div>Phone</div><div>030 1234567</div><p>a<br>b</p><table><tr><td>x</td><td>y</td></tr></table>")
    lines = [line for line in page.text.split("\n") if line]
    assert lines == ["Phone", "030 1234567", "a", "b", "x", "y"]


def test_hidden_content_is_skipped_but_tails_are_kept() -> None:
    html = (
        "<html><head><title>t@x.com</title><style>.a{}</style></head><body>"
        "<script>var a = 'in@script.com';</script>after-script "
        "<!-- hidden@comment.com -->after-comment <noscript><a href='mailto:n@x.com'>n</a></noscript>after-noscript "
        "<template><p>tpl@x.com</p></template><svg><text>svg@x.com</text></svg>visible</body></html>"
    )
    page = parse_page(html)
    for hidden in ("in@script.com", "hidden@comment.com", "tpl@x.com", "svg@x.com", "t@x.com", ".a{}"):
        assert hidden not in page.text
    for shown in ("after-script", "after-comment", "after-noscript", "visible"):
        assert shown in page.text
    assert page.scripts == ["var a = 'in@script.com';"]
    # Links inside <noscript> are still elements (their hrefs are real).
    assert any(element.get("href") == "mailto:n@x.com" for element in page.elements)


def test_invisible_characters_are_removed_and_full_width_at_folded() -> None:
    html = "<p>in\u200bfo&#8203;@ac&zwj;me&shy;.de · x\u00a0y · info\uff20acme.jp · a&nbsp;b</p>"
    page = parse_page(html)
    assert "info@acme.de" in page.text
    assert "x y" in page.text and "a b" in page.text
    assert "info@acme.jp" in page.text


def test_wbr_adds_no_boundary_and_keeps_following_text() -> None:
    page = parse_page("<p>verylongname<wbr>@acme<wbr>.de and more</p>")
    assert "verylongname@acme.de and more" in page.text
    assert not page.boundaries or all(page.text[b - 1 : b + 1] != "e@" for b in page.boundaries)


def test_json_ld_is_parsed_leniently() -> None:
    html = """<script type="application/ld+json"><!--
    {"@type": "Organization", "email": "a@x.com", "sameAs": ["https://x.com/acme",],}
    --></script>
    <script type="application/ld+json"><![CDATA[{"@graph": [{"@type": "Person", "name": "A"}]}]]></script>
    <script type="application/ld+json">{not json</script>"""
    page = parse_page(html)
    assert len(page.json_ld) == 2
    objects = [obj for data in page.json_ld for obj in iter_json_ld_objects(data)]
    assert {obj.get("@type") for obj in objects} >= {"Organization", "Person"}
    assert page.json_ld[0]["sameAs"] == ["https://x.com/acme"]


def test_lang_attribute_is_read() -> None:
    assert parse_page('<html lang=" de-AT "><body>x</body></html>').lang == "de-AT"
    assert parse_page("<html><body>x</body></html>").lang is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", "café"),
        (b'<meta charset="iso-8859-1"><p>Mu\xf1oz</p>', "Muñoz"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><p>\x93q\x94</p>',
         "\u201cq\u201d"),
        (b"<p>caf\xc3\xa9</p>", "café"),
        (b"<p>caf\xe9</p>", "café"),  # not UTF-8: cp1252 fallback
        (b'<meta charset="no-such-codec"><p>caf\xc3\xa9</p>', "café"),
        ("\ufeff<p>str input</p>".encode("utf-16-le").join([b"\xff\xfe", b""]), "str input"),
    ],
)
def test_decode_html(raw: bytes, expected: str) -> None:
    assert expected in decode_html(raw)
    assert expected in parse_page(raw).text


@pytest.mark.parametrize("html", ["", "   ", b"", "\x00\x00", "<?xml version='1.0' encoding='utf-8'?>"])
def test_empty_documents_have_no_root(html: str | bytes) -> None:
    page = parse_page(html)
    assert isinstance(page, Page)
    assert page.root is None and page.text == ""


def test_xml_declaration_with_encoding_is_accepted() -> None:
    page = parse_page("<?xml version='1.0' encoding='utf-8'?><html><body><p>ok</p></body></html>")
    assert "ok" in page.text


def test_documents_deeper_than_libxml2_allows_are_flattened_not_lost() -> None:
    depth = 5000
    html = "<html><body>" + "<div><span>" * depth + "deep@acme.de" + "</span></div>" * depth
    html += "<p>after@acme.de</p><a href='mailto:link@acme.de'>x</a><script>var s = 1;</script></body></html>"
    page = parse_page(html)
    assert "deep@acme.de" in page.text
    assert "after@acme.de" in page.text
    assert any(element.get("href") == "mailto:link@acme.de" for element in page.elements)
    assert page.scripts == ["var s = 1;"]


def test_unclosed_inline_tags_do_not_recurse() -> None:
    html = "<html><body>" + "<font><b><i>" * 20000 + "tail text</body></html>"
    page = parse_page(html)
    assert "tail text" in page.text
