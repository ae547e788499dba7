"""Field parsers behind the sitemap parser: dates, priority, changefreq and `<loc>` URLs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from scrapersky_pipelines.lib.sitemap_values import (
    clean_url,
    is_http_url,
    parse_changefreq,
    parse_lastmod,
    parse_priority,
)

UTC = timezone.utc
PLUS2 = timezone(timedelta(hours=2))
BASE = "https://example.com/blog/sitemap.xml"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # W3C Datetime profile, every granularity
        ("2024", datetime(2024, 1, 1, tzinfo=UTC)),
        ("2024-05", datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024-05-08", datetime(2024, 5, 8, tzinfo=UTC)),
        ("2024-05-08T10:15+02:00", datetime(2024, 5, 8, 10, 15, tzinfo=PLUS2)),
        ("2024-05-08T10:15:30Z", datetime(2024, 5, 8, 10, 15, 30, tzinfo=UTC)),
        ("2024-05-08T10:15:30.5+02:00", datetime(2024, 5, 8, 10, 15, 30, 500000, tzinfo=PLUS2)),
        # common broken forms
        ("2024-05-08T10:15:30", datetime(2024, 5, 8, 10, 15, 30, tzinfo=UTC)),
        ("2024-05-08 08:53:11 AM", datetime(2024, 5, 8, 8, 53, 11, tzinfo=UTC)),
        ("2024-05-08 12:00:00 PM", datetime(2024, 5, 8, 12, 0, tzinfo=UTC)),
        ("2024-05-08 12:00:00 AM", datetime(2024, 5, 8, 0, 0, tzinfo=UTC)),
        ("2024-05-08T10:15:30+0200", datetime(2024, 5, 8, 10, 15, 30, tzinfo=PLUS2)),
        ("2024-05-08T10:15:30 +02:00", datetime(2024, 5, 8, 10, 15, 30, tzinfo=PLUS2)),
        ("2024-05-08T10:15:30UTC", datetime(2024, 5, 8, 10, 15, 30, tzinfo=UTC)),
        ("2024-05-08T10:15:30.123456789Z", datetime(2024, 5, 8, 10, 15, 30, 123456, tzinfo=UTC)),
        ("2024-5-8", datetime(2024, 5, 8, tzinfo=UTC)),
        ("2024/05/08", datetime(2024, 5, 8, tzinfo=UTC)),
        ("\n  2024-05-08  \n", datetime(2024, 5, 8, tzinfo=UTC)),
        # RFC 822 (RSS pubDate), with and without weekday / zone, two-digit year
        ("Wed, 08 May 2024 10:00:00 GMT", datetime(2024, 5, 8, 10, tzinfo=UTC)),
        ("08 May 2024 10:00:00 +0200", datetime(2024, 5, 8, 10, tzinfo=PLUS2)),
        ("Wed, 8 May 24 10:00 +0200", datetime(2024, 5, 8, 10, tzinfo=PLUS2)),
        ("Wed, 08 May 2024 10:00:00", datetime(2024, 5, 8, 10, tzinfo=UTC)),
        # junk
        ("0000-00-00 00:00:00", None),
        ("1970-01-01T00:00:00Z", None),
        ("9999-12-31", None),
        ("2021-13-45", None),
        ("2024-02-30", None),
        ("2024-05-08T25:00:00Z", None),
        ("2024-05-08 13:00:00 PM", None),
        ("2024-05-08T10:00:00+25:00", None),
        ("05/08/2024", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_lastmod(raw: str | None, expected: datetime | None) -> None:
    value = parse_lastmod(raw)
    assert value == expected
    if value is not None:
        assert value.tzinfo is not None
        assert value.utcoffset() == expected.utcoffset()  # type: ignore[union-attr]


def test_parse_lastmod_is_stable_when_cached() -> None:
    assert parse_lastmod("2024-05-08 08:53:11 PM") == parse_lastmod("2024-05-08 08:53:11 PM")
    assert parse_lastmod("garbage") is None and parse_lastmod("garbage") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", 1.0), ("0", 0.0), ("0.0", 0.0), (".5", 0.5), ("0,8", 0.8), (" 0.25\n", 0.25), ("1.0", 1.0),
     ("1.1", None), ("-0.1", None), ("nan", None), ("inf", None), ("high", None), ("", None), (None, None)],
)
def test_parse_priority(raw: str | None, expected: float | None) -> None:
    assert parse_priority(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("weekly", "weekly"), ("Weekly", "weekly"), (" DAILY\n", "daily"), ("never", "never"),
     ("when we feel like it", None), ("biweekly", None), ("", None), (None, None)],
)
def test_parse_changefreq(raw: str | None, expected: str | None) -> None:
    assert parse_changefreq(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://example.com/a", "https://example.com/a"),
        ("  https://example.com/a \n", "https://example.com/a"),
        ("https://example.com/a\n    /b", "https://example.com/a/b"),
        ("https://example.com/a\tb", "https://example.com/ab"),
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("https://example.com/?a=1&amp;b=2", "https://example.com/?a=1&b=2"),
        ("HTTP://example.com/X", "http://example.com/X"),
        ("/root", "https://example.com/root"),
        ("page.html", "https://example.com/blog/page.html"),
        ("../up", "https://example.com/up"),
        ("//cdn.example.com/i.jpg", "https://cdn.example.com/i.jpg"),
        ("www.example.com/no-scheme", "https://www.example.com/no-scheme"),
        ("example.com/same-host", "https://example.com/same-host"),
        ("https://user:pw@example.com:8443/p", "https://user:pw@example.com:8443/p"),
        ("https://example.com/caf\u00e9", "https://example.com/caf\u00e9"),
        ("http:/typo", None),
        ("http://", None),
        ("https:///path", None),
        ("ftp://example.com/f", None),
        ("mailto:a@example.com", None),
        ("javascript:void(0)", None),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_clean_url(raw: str | None, expected: str | None) -> None:
    assert clean_url(raw, BASE) == expected


def test_clean_url_without_base_keeps_only_absolute() -> None:
    assert clean_url("/a", "") is None
    assert clean_url("https://example.com/a", "") == "https://example.com/a"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("https://example.com/", True), ("HTTP://example.com", True), ("https://", False), ("http:///x", False),
     ("//example.com", False), ("example.com", False), ("ftp://example.com", False), ("https://a b", False),
     ("", False)],
)
def test_is_http_url(raw: str, expected: bool) -> None:
    assert is_http_url(raw) is expected
