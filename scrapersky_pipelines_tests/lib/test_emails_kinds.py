"""Tests for mailbox kinds (`lib.email_kinds`)."""

from __future__ import annotations

import pytest

from scrapersky_pipelines.lib.email_kinds import KINDS, classify_email, is_free_mail, is_role, name_matches_local

PAGE = "acme-bakery.de"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("info@acme-bakery.de", "role"),
        ("Kontakt@acme-bakery.de", "role"),
        ("info2@acme-bakery.de", "role"),
        ("info.berlin@acme-bakery.de", "role"),
        ("berlin.info@acme-bakery.de", "role"),
        ("customer.service@acme-bakery.de", "role"),
        ("no-reply@acme-bakery.de", "role"),
        ("reservas@acme-bakery.de", "role"),
        ("csoffice@acme-bakery.de", "role"),
        ("info@gmail.com", "role"),
        ("acme.bakery@gmail.com", "free-mail"),
        ("baecker.mueller@web.de", "free-mail"),
        ("studio.dentistico.rossi@hotmail.co.uk", "free-mail"),
        ("anna.schmidt@acme-bakery.de", "personal"),
        ("a.schmidt@acme-bakery.de", "personal"),
        ("aschmidt@acme-bakery.de", "personal"),
        ("anna@acme-bakery.de", "personal"),
        ("priya.raman@acme-bakery.de", "personal"),
        ("annaschmidt@acme-bakery.de", "personal"),
        ("backstube@acme-bakery.de", "same-domain"),
        ("acme-bakery@acme-bakery.de", "same-domain"),
        ("lincolnpark@acme-bakery.de", "same-domain"),
        ("mueller-backwaren@acme-bakery.de", "same-domain"),
        ("order+123@acme-bakery.de", "role"),
        ("j.keller@steuerkanzlei-keller.de", "third-party"),
        ("info@other.de", "role"),
        ("wholesale@acme-bakery.de", "role"),
        ("mail@sub.acme-bakery.de", "role"),
        ("anna.schmidt@sub.acme-bakery.de", "personal"),
    ],
)
def test_classify(address: str, kind: str) -> None:
    assert classify_email(address, PAGE) == kind
    assert kind in KINDS


def test_a_name_on_the_page_makes_an_address_personal() -> None:
    assert classify_email("moyelaran@acme-bakery.de", PAGE) == "same-domain"
    assert classify_email("moyelaran@acme-bakery.de", PAGE, "Marcus Oyelaran") == "personal"
    assert classify_email("moyelaran@acme-bakery.de", None, "Marcus Oyelaran") == "third-party"


@pytest.mark.parametrize(
    ("name", "local", "matches"),
    [
        ("Anna Schmidt", "anna.schmidt", True),
        ("Anna Schmidt", "a.schmidt", True),
        ("Anna Schmidt", "aschmidt", True),
        ("Anna Schmidt", "schmidt", True),
        ("Anna Schmidt", "annas", True),
        ("Jürgen Müller", "juergen.mueller", True),
        ("Jürgen Müller", "jurgen.muller", True),
        ("José García", "jose.garcia", True),
        ("Anna van der Berg", "anna.vanderberg", True),
        ("Anna Schmidt", "info", False),
        ("Anna Schmidt", "bob.jones", False),
        ("Anna Schmidt", "as", False),
        ("Senior Partner", "helen.ashworth", False),
    ],
)
def test_name_matches_local(name: str, local: str, matches: bool) -> None:
    assert name_matches_local(name, local) is matches


def test_helpers() -> None:
    assert is_role("sales") and is_role("SALES") and not is_role("anna")
    assert is_free_mail("gmail.com") and is_free_mail("yahoo.co.jp") and is_free_mail("orange.fr")
    assert not is_free_mail("acme.de") and not is_free_mail("localhost")
