"""Conformance suite for the sitemap parser: fixture bytes in, expected records out.

Each case in `sitemap_cases/` is a body file plus `<name>.json` with the URL and content type
it was served with and what must come out (kind, entries, children, error and warning
fragments, flags). Every case is parsed three ways that must agree: all at once, pushed in
tiny chunks (1 and 7 bytes, so every boundary lands inside a tag, an entity, a CDATA
section, a multi-byte character and the gzip header), and with the regex fast path off.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from scrapersky_pipelines.lib.sitemaps import (
    SitemapChild,
    SitemapEntry,
    SitemapParser,
    SitemapParseResult,
    parse_sitemap,
)

CASES = Path(__file__).parent / "sitemap_cases"
CASE_NAMES = sorted(p.stem for p in CASES.glob("*.json"))


def _load(name: str) -> tuple[dict[str, Any], bytes]:
    spec = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    return spec, (CASES / spec["input"]).read_bytes()


def _plain(value: Any) -> Any:
    """Record -> JSON-like data without default-valued fields, datetimes as ISO strings."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v not in (None, (), [], {})}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _record(item: SitemapEntry | SitemapChild) -> dict[str, Any]:
    return _plain(asdict(item))  # type: ignore[no-any-return]


def _streamed(spec: dict[str, Any], body: bytes, chunk: int, fast_path: bool = True) -> SitemapParseResult:
    """Push the body through `SitemapParser` in `chunk`-byte pieces, deduplicating like parse_sitemap."""
    parser = SitemapParser(spec["url"], spec.get("content_type"), fast_path=fast_path)
    items = []
    for start in range(0, len(body), chunk):
        items += parser.feed(body[start : start + chunk])
    items += parser.close()
    entries: list[SitemapEntry] = []
    seen: set[str] = set()
    for item in items:
        if isinstance(item, SitemapEntry) and item.loc not in seen:
            seen.add(item.loc)
            entries.append(item)
    assert [c for c in items if isinstance(c, SitemapChild)] == parser.children
    return parser.to_result(entries)


def _check(spec: dict[str, Any], result: SitemapParseResult) -> None:
    assert result.kind == spec["kind"], result.error
    assert [_record(e) for e in result.entries] == spec.get("entries", [])
    assert [_record(c) for c in result.children] == spec.get("children", [])
    expected_error = spec.get("error")
    if expected_error is None:
        assert result.error is None
    else:
        assert result.error is not None and expected_error in result.error
    for fragment in spec.get("warnings", []):
        assert any(fragment in w for w in result.warnings), (fragment, result.warnings)
    assert result.truncated is spec.get("truncated", False)
    for flag, value in spec.get("flags", {}).items():
        assert getattr(result, flag) is value, flag
    for key in ("encoding", "generator", "is_gzip"):
        if key in spec:
            assert getattr(result, key) == spec[key], key


@pytest.mark.parametrize("name", CASE_NAMES)
def test_case_whole_body(name: str) -> None:
    spec, body = _load(name)
    _check(spec, parse_sitemap(body, spec["url"], spec.get("content_type")))


@pytest.mark.parametrize("name", CASE_NAMES)
@pytest.mark.parametrize("chunk", [1, 7])
def test_case_streamed_in_tiny_chunks(name: str, chunk: int) -> None:
    spec, body = _load(name)
    _check(spec, _streamed(spec, body, chunk))


@pytest.mark.parametrize("name", CASE_NAMES)
def test_case_without_fast_path(name: str) -> None:
    spec, body = _load(name)
    _check(spec, _streamed(spec, body, 4096, fast_path=False))


def test_suite_covers_the_issue_list() -> None:
    """Guard against fixtures silently disappearing: every family of cases is present."""
    required = {
        "ns_sitemaps_09", "ns_sitemaps_https", "ns_trailing_slash", "ns_google_084", "ns_google_09", "ns_none",
        "index_basic", "text_basic", "rss2", "rss1_rdf", "atom03", "atom10", "gzip_wrong_extension",
        "gzip_transport_decoded", "gzip_twice", "truncated_mid_loc", "truncated_no_close", "cdata", "entities",
        "whitespace_in_loc", "utf8_bom", "latin1_declared", "latin1_http_charset", "utf16_bom", "lastmod_forms",
        "priority_changefreq", "relative_urls", "billion_laughs", "xxe", "images", "hreflang", "video", "news",
    }
    assert required <= set(CASE_NAMES)
