"""Tests for email validation, normalisation and look-alike filters (`lib.email_filters`)."""

from __future__ import annotations

import pytest

from scrapersky_pipelines.lib.email_filters import (
    best_domain,
    email_key,
    is_filtered,
    normalize_email,
    registrable_domain,
    valid_domain,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("info@acme.de", "info@acme.de"),
        ("Info@ACME.De", "Info@acme.de"),
        ("mailto:info@acme.de", "info@acme.de"),
        ("<info@acme.de>;", "info@acme.de"),
        ("info@acme.de.", "info@acme.de"),
        ("first.last+tag@sub.acme.co.uk", "first.last+tag@sub.acme.co.uk"),
        ("o'brien@acme.ie", "o'brien@acme.ie"),
        ("info@BÄCKEREI.de", "info@bäckerei.de"),
        ("info@" + "bäckerei.de".encode("idna").decode(), "info@bäckerei.de"),
        ("josé@café.fr", "josé@café.fr"),
        ("u003cinfo@acme.deu003e", "info@acme.de"),
        ("info@acme.photography", "info@acme.photography"),
        ("info@acme.zip", "info@acme.zip"),
    ],
)
def test_normalize_valid(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "", "info", "info@", "@acme.de", "a@b@acme.de", "info@acme", "info@acme.notatld", "info@localhost",
        "info@192.168.1.1", "info@acme..de", ".info@acme.de", "info.@acme.de", "in..fo@acme.de", "info@-acme.de",
        "info@acme-.de", "info@ac_me.de", "a" * 65 + "@acme.de", "info@" + "a" * 64 + ".de",
        "react@18.2.0", "logo@2x.png", "icon@3x.webp", "clip@2x.mov", "hero@1.5x.jpg", "x@retina.com.png",
        "0a1b2c3d4e5f60718293a4b5c6d7e8f9@o123.ingest.sentry.io", "abc@sentry.wixpress.com",
        "abc@sentry-next.wixpress.com", "git@github.com", "you@example.com", "name@domain.com",
        "your@email.com", "email@email.com", "test@test.com", "john.doe@acme.de", "max.mustermann@acme.de",
        "info@yourdomain.com", "x@beispiel.de", "support@qodeinteractive.com", "info@acme.test", "info@example",
    ],
)
def test_normalize_rejects(raw: str) -> None:
    assert normalize_email(raw) is None


def test_registrable_and_valid_domain() -> None:
    assert registrable_domain("www.shop.acme.co.uk") == "acme.co.uk"
    assert registrable_domain("www.bäckerei.de") == "bäckerei.de".encode("idna").decode()
    assert registrable_domain("co.uk") is None
    assert registrable_domain("localhost") is None
    assert registrable_domain("x" * 300 + ".de") is None
    assert valid_domain("Mail.ACME.de.") == "mail.acme.de"
    assert valid_domain("acme.invalidtld") is None


def test_is_filtered_keeps_real_addresses() -> None:
    assert not is_filtered("info", "acme.de")
    assert not is_filtered("name", "acme.de")  # "name@" is only a placeholder on a placeholder domain
    assert is_filtered("name", "name.com")
    assert is_filtered("test", "test.de")


def test_best_domain_prefers_element_boundaries_then_trims() -> None:
    assert best_domain("acme.dePhone", [7]) == "acme.de"
    assert best_domain("acme.de", []) == "acme.de"
    assert best_domain("acme.de.Wir", []) == "acme.de"
    assert best_domain("acme.deu003e", []) == "acme.de"
    assert best_domain("acme.com.png", []) is None
    assert best_domain("2x.png", []) is None
    assert best_domain("acme", []) is None


def test_email_key_is_case_insensitive() -> None:
    assert email_key("Info@Acme.de") == email_key("INFO@acme.de")
