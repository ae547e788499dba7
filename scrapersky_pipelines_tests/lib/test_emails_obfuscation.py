"""Tests for the de-obfuscation helpers (`lib.emails_obfuscation`)."""

from __future__ import annotations

import pytest

from scrapersky_pipelines.lib.emails_obfuscation import (
    decode_cfemail,
    js_unescape,
    mailto_addresses,
    script_text,
    spelled_addresses,
    unspell,
)


def test_decode_cfemail_reference_vector() -> None:
    # Key 0x42, "info@acme.de" XORed byte by byte, as Cloudflare emits it.
    payload = "42" + "".join(f"{b ^ 0x42:02x}" for b in b"info@acme.de")
    assert decode_cfemail(payload) == "info@acme.de"
    assert decode_cfemail(payload.upper()) == "info@acme.de"


def test_decode_cfemail_is_utf8() -> None:
    payload = "7f" + "".join(f"{b ^ 0x7f:02x}" for b in "josé@bäckerei.de".encode())
    assert decode_cfemail(payload) == "josé@bäckerei.de"


@pytest.mark.parametrize("payload", ["", "4", "42", "zz11", "421", "42" + "ff" * 600, "42e2"])
def test_decode_cfemail_rejects_garbage(payload: str) -> None:
    assert decode_cfemail(payload) is None


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("mailto:a@x.de", ["a@x.de"]),
        ("  MailTo:a@x.de?subject=Hi&body=There  ", ["a@x.de"]),
        ("mailto:a@x.de,b@x.de; c@x.de", ["a@x.de", "b@x.de", "c@x.de"]),
        ("mailto:a%40x.de", ["a@x.de"]),
        ("mailto:a@x.de?cc=b@x.de&bcc=c@x.de&subject=x", ["a@x.de", "b@x.de", "c@x.de"]),
        ("mailto:?to=a@x.de&subject=x", ["a@x.de"]),
        ("mailto:Anna%20Schmidt%20%3Ca@x.de%3E", ["a@x.de"]),
        ("mailto:a&#64;x.de", ["a@x.de"]),
        ("mailto%3Aa%40x.de", ["a@x.de"]),
        ("mailto:a(at)x(dot)de", ["a@x.de"]),
        ("https://x.de/", []),
        ("mailto:", []),
    ],
)
def test_mailto_addresses(href: str, expected: list[str]) -> None:
    assert mailto_addresses(href) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("info(at)acme.de", "info@acme.de"), ("info [at] acme [dot] de", "info@acme.de"),
     ("info@acme.de", "info@acme.de"), ("nothing here", "nothing here")],
)
def test_unspell(value: str, expected: str) -> None:
    assert unspell(value) == expected


def test_spelled_addresses_positions_and_validation() -> None:
    text = "Mail: info [at] acme [dot] de, or bob at example dot notatld, or ana at acme dot de."
    found = list(spelled_addresses(text, "acme.de"))
    assert [address for address, _, _ in found] == ["info@acme.de", "ana@acme.de"]
    address, start, end = found[0]
    assert text[start:end] == "info [at] acme [dot] de"


def test_script_text_resolves_assembly() -> None:
    body = ("var a = 'in' + 'fo' + '@' + 'acme.de'; var b = String.fromCharCode(120,64,97,99,109,101,46,100,101);"
            "var c = atob('eUBhY21lLmRl'); var d = 'z\\u0040acme.de'; var e = 'q%40acme.de';")
    text = script_text(body)
    for address in ("info@acme.de", "x@acme.de", "y@acme.de", "z@acme.de", "q@acme.de"):
        assert address in text
    assert js_unescape("a\\u0040b\\/c\\x41") == "a@b/cA"


@pytest.mark.parametrize(("body", "expected"), [
    ("var u = 'prenotazioni', d = \"gino.it\";\nel.innerHTML = '<a href=\"mailto:' + u + '@' + d + '\">';",
     "prenotazioni@gino.it"),
    ("const user = 'a+b';\nlet host = 'shop.example';\nlink.href = 'mailto:' + user + '@' + host;", "a+b@shop.example"),
    ("var who = 'info'; var at = '@'; var site = 'acme.de'; show(who + at + site);", "info@acme.de"),
])
def test_script_text_resolves_string_variables_joined_around_an_at(body: str, expected: str) -> None:
    assert expected in script_text(body)


@pytest.mark.parametrize("body", [
    "var u = 'info'; el.href = 'mailto:' + u + '@' + domainFromServer;",  # one part unknown: no guess
    "var u = 'info', d = 'acme.de'; label = u + ' / ' + d;",  # no '@' in the joined text
    "obj.u = 'info'; obj.d = 'acme.de'; x = u + '@' + d;",  # properties are not the variables used
])
def test_script_text_does_not_invent_addresses_from_variables(body: str) -> None:
    assert "@acme.de" not in script_text(body) and "info@" not in script_text(body)
