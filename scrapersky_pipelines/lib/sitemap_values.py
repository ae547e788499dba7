"""Field parsers for sitemap values: W3C/RFC 822 dates, priority, changefreq and `<loc>` URLs.

All of them are lenient (broken values become None, never an exception) and cheap on the
common case, because they run once per URL in files of up to millions of URLs.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

CHANGEFREQS = frozenset({"always", "hourly", "daily", "weekly", "monthly", "yearly", "never"})

# Dates before the web existed or far in the future are generator junk (epoch zero, 9999-12-31).
MIN_YEAR = 1990
MAX_YEAR = 2100

_fromiso = datetime.fromisoformat
_UTC = timezone.utc
_CACHE_MAX = 8192
_date_cache: dict[str, datetime | None] = {}
_priority_cache: dict[str, float | None] = {}

_YEAR_MONTH = re.compile(r"(\d{4})(?:-(\d{1,2}))?")
_LOOSE = re.compile(
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})"
    r"(?:[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*([AaPp][Mm])?"
    r"\s*(Z|z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?"
)


def parse_lastmod(text: str | None) -> datetime | None:
    """Parse a W3C datetime (or a common broken variant, or an RFC 822 date) into an aware datetime.

    Naive values are taken as UTC; impossible dates (2021-13-45) and junk give None.
    """
    if text is None:
        return None
    try:
        dt = _fromiso(text)
    except ValueError:
        return _parse_date_cached(text)
    if not MIN_YEAR <= dt.year <= MAX_YEAR:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=_UTC)


def _parse_date_cached(text: str) -> datetime | None:
    # Broken formats tend to repeat across a whole file, and their parsing is the slow part.
    try:
        return _date_cache[text]
    except KeyError:
        pass
    value = _parse_date_uncached(text.strip())
    if len(_date_cache) >= _CACHE_MAX:
        _date_cache.clear()
    _date_cache[text] = value
    return value


def _parse_date_uncached(s: str) -> datetime | None:
    if not s:
        return None
    dt: datetime | None
    try:
        dt = _fromiso(s)
    except ValueError:
        dt = _parse_loose(s) if s[:1].isdigit() else _parse_rfc822(s)
    except TypeError:
        return None
    if dt is None or not MIN_YEAR <= dt.year <= MAX_YEAR:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=_UTC)
    return dt


def _parse_loose(s: str) -> datetime | None:
    m = _YEAR_MONTH.fullmatch(s)
    if m:
        try:
            return datetime(int(m[1]), int(m[2] or 1), 1, tzinfo=_UTC)
        except ValueError:
            return None
    m = _LOOSE.fullmatch(s)
    if not m:
        return _parse_rfc822(s)
    year, month, day, hour, minute, second, frac, ampm, tz = m.groups()
    h = int(hour or 0)
    if ampm:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ampm.lower() == "pm" else 0)
    micro = int((frac or "0")[:6].ljust(6, "0"))
    try:
        return datetime(
            int(year), int(month), int(day), h, int(minute or 0), int(second or 0), micro,
            tzinfo=_parse_offset(tz),
        )
    except ValueError:
        return None


def _parse_offset(tz: str | None) -> timezone | None:
    if tz is None:
        return None
    if tz in ("Z", "z", "UTC", "GMT"):
        return _UTC
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "0")
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta >= timedelta(hours=24):
        raise ValueError("offset out of range")
    return timezone(sign * delta)


def _parse_rfc822(s: str) -> datetime | None:
    try:
        return parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError):
        return None


def parse_priority(text: str | None) -> float | None:
    """Priority in 0..1 (`1`, `.5`, `0,8` accepted); anything else is None."""
    if text is None:
        return None
    try:
        return _priority_cache[text]
    except KeyError:
        pass
    s = text.strip().replace(",", ".")
    try:
        value: float | None = float(s)
    except ValueError:
        value = None
    if value is not None and (math.isnan(value) or not 0.0 <= value <= 1.0):
        value = None
    if len(_priority_cache) >= _CACHE_MAX:
        _priority_cache.clear()
    _priority_cache[text] = value
    return value


def parse_changefreq(text: str | None) -> str | None:
    """Lower-cased protocol changefreq value, or None when it is not one of the seven."""
    if text is None:
        return None
    value = text.strip().lower()
    return value if value in CHANGEFREQS else None


# A line break or tab inside a <loc> is a wrapped URL: drop it with the indentation around it.
_WS_INSIDE = re.compile(r"[ \t]*[\t\n\r][ \t\n\r]*")


def clean_url(text: str | None, base_url: str) -> str | None:
    """The absolute http(s) URL a `<loc>` (or href) means, or None.

    Strips surrounding whitespace, drops line breaks and tabs inside together with the
    indentation around them (a wrapped URL), percent-encodes remaining inner spaces, undoes one level of double escaping (`&amp;amp;`),
    and resolves relative URLs against the sitemap URL.
    """
    if text is None:
        return None
    s = text.strip()
    if not s:
        return None
    if "\n" in s or "\t" in s or "\r" in s:
        s = _WS_INSIDE.sub("", s)
    if " " in s:
        s = s.replace(" ", "%20")
    if "&amp;" in s:
        s = s.replace("&amp;", "&")
    if s.startswith("https://"):
        return s if len(s) > 8 and s[8] != "/" else None
    if s.startswith("http://"):
        return s if len(s) > 7 and s[7] != "/" else None
    return _slow_url(s, base_url)


def _slow_url(s: str, base_url: str) -> str | None:
    head = s[:8].lower()
    if head.startswith(("http://", "https://")):
        scheme_len = 7 if head.startswith("http://") else 8
        s = head[:scheme_len] + s[scheme_len:]
        return s if len(s) > scheme_len and s[scheme_len] != "/" else None
    if ":" in s.split("/", 1)[0] and not s.startswith("//"):
        return None  # another scheme (mailto:, javascript:, ftp:) or junk like "foo:bar"
    if not base_url:
        return None
    first = s.split("/", 1)[0].lower()
    try:
        if first.startswith("www.") or (first and first == urlsplit(base_url).hostname):
            s = "//" + s  # "www.example.com/page" is a URL missing its scheme, not a relative path
        joined = urljoin(base_url, s)
    except ValueError:
        return None
    if joined.startswith(("http://", "https://")) and "//" in joined and not joined.endswith("://"):
        rest = joined.split("://", 1)[1]
        return joined if rest and rest[0] != "/" else None
    return None


def is_http_url(text: str) -> bool:
    """True for an absolute http(s) URL with a non-empty host (no whitespace)."""
    low = text[:8].lower()
    if low.startswith("https://"):
        n = 8
    elif low.startswith("http://"):
        n = 7
    else:
        return False
    return len(text) > n and text[n] not in "/?#" and not any(c.isspace() for c in text)
