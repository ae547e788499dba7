"""WF3 extraction as a pure function: website string → registrable domain, or the reason there is none."""

from __future__ import annotations

import pytest

from scrapersky_pipelines.lib.domain_extraction import ExtractionKind, extract_domain

from .websites import WEBSITES


@pytest.mark.parametrize(("website", "domain", "kind"), WEBSITES)
def test_extract_domain(website: str | None, domain: str | None, kind: str) -> None:
    result = extract_domain(website)
    assert (result.domain, result.kind.value) == (domain, kind)
    assert (result.reason is None) == (kind == "domain")


def test_reasons_say_why() -> None:
    assert extract_domain("https://www.facebook.com/acme").reason == "hosted platform page: facebook.com"
    assert extract_domain("https://sites.google.com/view/x").reason == "hosted platform page: sites.google.com"
    assert extract_domain(None).reason == "no website"
    assert extract_domain("mailto:info@acme.com").reason == "not a web address (mailto:)"
    assert extract_domain("http://10.0.0.1/").reason == "not a web address: IP addresses are not domains"


def test_enough_cases_and_every_kind() -> None:
    assert len(WEBSITES) >= 30
    assert {k for _, _, k in WEBSITES} == {k.value for k in ExtractionKind}
