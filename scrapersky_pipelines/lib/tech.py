"""Technology-stack detection from one static fetch: HTML, response headers and cookies.

Fingerprints live in `tech_fingerprints` (written for this project). Everything is compiled once at import;
a page is scanned with regexes, not parsed: resource URLs (script src, link href, iframe src) and meta tags
are pulled out with one pass each (bounded patterns, so unclosed tags cost linear time), HTML markers are
gated by a cheap substring test on the lower-cased page before any regex runs. `detect` returns sorted names;
`detect_detailed` adds category, version and evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scrapersky_pipelines.lib.html_text import decode_html
from scrapersky_pipelines.lib.tech_fingerprints import FINGERPRINTS, Fingerprint

__all__ = ["TechHit", "detect", "detect_detailed", "technology_count"]

# Markers sit in <head> and near the end of <body>; beyond this much HTML a scan only costs time.
MAX_HTML_CHARS = 3_000_000
_FLAGS = re.I | re.M

# Bounded repetition: an unclosed "<script src=" repeated through a page must not make the scan quadratic.
_RESOURCE_RE = re.compile(
    r"""<(?:script|link|iframe|embed)\b[^<>]{0,1000}?\s(?:src|href)\s*=\s*"""
    r"""(?:"([^"]{0,2000})"|'([^']{0,2000})'|([^\s>]{1,2000}))""",
    re.I,
)
_META_RE = re.compile(r"<meta\b[^<>]{0,2000}>", re.I)
_ATTR_RE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_SET_COOKIE_SPLIT_RE = re.compile(r",\s*(?=[^;,=\s]+=)")


@dataclass(frozen=True, slots=True)
class TechHit:
    """A detected technology with the first version seen and the evidence that matched."""

    name: str
    category: str
    version: str | None
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Compiled:
    fingerprint: Fingerprint
    generator: tuple[re.Pattern[str], ...]
    meta: tuple[tuple[str, re.Pattern[str] | None], ...]
    src: tuple[re.Pattern[str], ...]
    html: tuple[tuple[str, re.Pattern[str] | None], ...]
    headers: tuple[tuple[str, re.Pattern[str] | None], ...]
    cookies: tuple[re.Pattern[str], ...]


def _compile(fingerprint: Fingerprint) -> _Compiled:
    def optional(pattern: str) -> re.Pattern[str] | None:
        return re.compile(pattern, _FLAGS) if pattern else None

    html_rules = []
    for rule in fingerprint.html:
        if isinstance(rule, tuple):
            html_rules.append((rule[0].lower(), re.compile(rule[1], _FLAGS)))
        else:
            html_rules.append((rule.lower(), None))
    return _Compiled(
        fingerprint=fingerprint,
        generator=tuple(re.compile(p, _FLAGS) for p in fingerprint.generator),
        meta=tuple((name.lower(), optional(p)) for name, p in fingerprint.meta),
        src=tuple(re.compile(p, _FLAGS) for p in fingerprint.src),
        html=tuple(html_rules),
        headers=tuple((name.lower(), optional(p)) for name, p in fingerprint.headers),
        cookies=tuple(re.compile(p, _FLAGS) for p in fingerprint.cookies),
    )


_COMPILED = tuple(_compile(f) for f in FINGERPRINTS)
_BY_NAME = {c.fingerprint.name: c.fingerprint for c in _COMPILED}


def technology_count() -> int:
    """How many technologies the fingerprint set knows."""
    return len(_COMPILED)


def _version(match: re.Match[str]) -> str | None:
    return match.groupdict().get("version") or None


def _first(values: Iterable[str | None]) -> str | None:
    return next((v for v in values if v), None)


def _metas(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for tag in _META_RE.findall(html):
        attrs = {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in _ATTR_RE.finditer(tag)}
        name = (attrs.get("name") or attrs.get("property") or attrs.get("http-equiv") or "").lower()
        if name:
            found.setdefault(name, []).append(attrs.get("content", "").strip())
    return found


def _cookie_names(headers: Mapping[str, str], cookies: Mapping[str, str] | None) -> list[str]:
    names = list(cookies or ())
    raw = headers.get("set-cookie")
    if raw:
        for part in _SET_COOKIE_SPLIT_RE.split(raw):
            name = part.split("=", 1)[0].strip()
            if name:
                names.append(name)
    return names


def detect_detailed(
    html: str | bytes,
    headers: Mapping[str, str] | None = None,
    cookies: Mapping[str, str] | None = None,
) -> dict[str, TechHit]:
    """Technology name -> `TechHit` for one response; implied technologies are included."""
    text = decode_html(html)[:MAX_HTML_CHARS]
    lower = text.lower()
    header_map = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    cookie_names = _cookie_names(header_map, cookies)
    resources = [a or b or c for a, b, c in _RESOURCE_RE.findall(text)]
    resource_blob = "\n".join(resources)
    metas = _metas(text) if "<meta" in lower else {}
    generators = metas.get("generator", [])

    evidence: dict[str, list[str]] = {}
    versions: dict[str, str | None] = {}

    def record(name: str, what: str, version: str | None) -> None:
        evidence.setdefault(name, []).append(what)
        if version and not versions.get(name):
            versions[name] = version

    for compiled in _COMPILED:
        name = compiled.fingerprint.name
        for pattern in compiled.generator:
            for content in generators:
                match = pattern.search(content)
                if match:
                    record(name, f"generator: {content[:80]}", _version(match))
        for meta_name, pattern in compiled.meta:
            for content in metas.get(meta_name, ()):
                match = pattern.search(content) if pattern else None
                if pattern is None or match:
                    record(name, f"meta: {meta_name}", _version(match) if match else None)
        if resource_blob:
            for pattern in compiled.src:
                match = pattern.search(resource_blob)
                if match:
                    line_start = resource_blob.rfind("\n", 0, match.start()) + 1
                    line_end = resource_blob.find("\n", match.end())
                    url = resource_blob[line_start : line_end if line_end >= 0 else None]
                    record(name, f"src: {url[:120]}", _version(match))
        for needle, pattern in compiled.html:
            if needle in lower:
                if pattern is None:
                    record(name, f"html: {needle}", None)
                else:
                    match = pattern.search(text)
                    if match:
                        record(name, f"html: {match.group(0)[:80]}", _version(match))
        for header, pattern in compiled.headers:
            value = header_map.get(header)
            if value is None:
                continue
            match = pattern.search(value) if pattern else None
            if pattern is None or match:
                record(name, f"header: {header}: {value[:80]}", _version(match) if match else None)
        if cookie_names:
            for pattern in compiled.cookies:
                matched = _first(c for c in cookie_names if pattern.search(c))
                if matched:
                    record(name, f"cookie: {matched}", None)

    # Implications are transitive (OpenResty -> Nginx, HubSpot Chat -> HubSpot).
    pending = list(evidence)
    while pending:
        name = pending.pop()
        for implied in _BY_NAME[name].implies:
            if implied not in evidence:
                evidence[implied] = []
                pending.append(implied)
            evidence[implied].append(f"implied by {name}")

    return {
        name: TechHit(name, _BY_NAME[name].category, versions.get(name), tuple(dict.fromkeys(items)))
        for name, items in sorted(evidence.items())
    }


def detect(
    html: str | bytes,
    headers: Mapping[str, str] | None = None,
    cookies: Mapping[str, str] | None = None,
) -> list[str]:
    """Sorted names of the technologies a response shows."""
    return list(detect_detailed(html, headers, cookies))
