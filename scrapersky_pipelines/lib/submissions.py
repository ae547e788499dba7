"""Parse user submissions (domain lists and CSV files) into valid values and per-row errors."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .urls import InvalidDomain, normalize_domain

CSV_COLUMNS = ("domain", "domains", "website", "url", "website_url", "host", "sitemap", "sitemap_url", "page", "page_url")
MAX_CSV_BYTES = 50 * 1024 * 1024


@dataclass
class Parsed:
    """Valid normalised values in input order, plus what was rejected and why."""

    valid: list[str] = field(default_factory=list)
    invalid: list[tuple[int, str, str]] = field(default_factory=list)  # (row, raw, reason)
    duplicates: list[tuple[int, str]] = field(default_factory=list)  # (row, normalised)

    @property
    def total(self) -> int:
        return len(self.valid) + len(self.invalid) + len(self.duplicates)


def parse_values(values: Iterable[str], normalize: Callable[[str], str] = normalize_domain, first_row: int = 1) -> Parsed:
    out = Parsed()
    seen: set[str] = set()
    for row, raw in enumerate(values, start=first_row):
        try:
            value = normalize(raw)
        except (InvalidDomain, ValueError) as exc:
            out.invalid.append((row, _printable(raw), str(exc) or "invalid"))
            continue
        if value in seen:
            out.duplicates.append((row, value))
            continue
        seen.add(value)
        out.valid.append(value)
    return out


def _printable(raw: str, limit: int = 120) -> str:
    text = raw.encode("unicode_escape", "backslashreplace").decode("ascii")
    return text if len(text) <= limit else text[:limit] + "…"


class CsvError(ValueError):
    """The file as a whole cannot be read (encoding, size, no usable column)."""


def read_csv_column(source: str | Path | bytes, columns: tuple[str, ...] = CSV_COLUMNS) -> tuple[list[str], int]:
    """The values of the first matching column (else the only column) and the data's first row number.

    Rows are numbered as in a spreadsheet (header is row 1): one value per record, so a blank record
    or one too short to reach the column is an empty value (reported as that row's error) rather than
    a silent shift of every later row number. Records with extra fields (a trailing comma) keep their
    value. Non-UTF-8 files are an error rather than a silent mis-decoding.
    """
    import csv

    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    if len(data) > MAX_CSV_BYTES:
        raise CsvError(f"CSV is {len(data):,} bytes; the limit is {MAX_CSV_BYTES:,}")
    if not data.strip():
        raise CsvError("CSV is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError(f"CSV is not UTF-8 (byte {exc.start}); re-save it as UTF-8") from None
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise CsvError(f"CSV could not be parsed: {exc}") from None
    while records and not any(f.strip() for f in records[-1]):
        records.pop()  # trailing blank lines are not rows anyone meant
    header = records[0] if records else []
    lowered = {str(c).strip().lower(): i for i, c in reversed(list(enumerate(header)))}
    for name in columns:
        if name in lowered:
            index = lowered[name]
            return [r[index] if index < len(r) else "" for r in records[1:]], 2
    if len(header) == 1:
        # a headerless single-column file: the "header" is data too
        return [r[0] if r else "" for r in records], 1
    raise CsvError(f"CSV has no column named any of {', '.join(columns[:6])}; found {', '.join(map(str, header))}")


def url_with_domain(raw: str) -> tuple[str, str]:
    """A submitted sitemap or page URL as (canonical URL, registrable domain); ValueError if unusable."""
    from urllib.parse import urlsplit

    from .urls import normalize_url, registrable_domain

    text = raw.strip()
    if not text:
        raise ValueError("empty")
    url = normalize_url(text if "://" in text else f"https://{text}")
    if url is None:
        raise ValueError("not an http(s) URL")
    if len(url) > 2048:
        raise ValueError("URL longer than 2048 characters")
    host = urlsplit(url).hostname or ""
    try:
        domain = normalize_domain(registrable_domain(host) or "")
    except (InvalidDomain, ValueError):
        raise ValueError(f"no public registrable domain in {host!r}") from None
    return url, domain
