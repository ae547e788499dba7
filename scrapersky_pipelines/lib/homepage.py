"""Scan one domain's homepage: fetch it politely, then extract metadata, contacts and tech."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .http import FetchError, FetchResult, HttpClient
from .page_scrape import is_html

@dataclass
class HomepageScan:
    domain: str
    ok: bool
    error_kind: str | None = None
    error: str | None = None
    http_status: int | None = None
    final_url: str | None = None
    values: dict[str, Any] = field(default_factory=dict)


def summarize(result: FetchResult, domain: str) -> dict[str, Any]:
    """The columns a successful scan writes, from the fetched homepage."""
    from . import contacts, metadata, tech

    html = result.content
    meta = metadata.parse_page_metadata(html, result.final_url, result.content_type)
    found = contacts.extract(html, result.final_url)
    cookies = _cookies(result.headers)
    techs = tech.detect(html, dict(result.headers), cookies)
    return {
        "http_status": result.status,
        "final_url": result.final_url,
        "title": meta.title,
        "description": meta.description,
        "language": meta.language,
        "favicon_url": meta.favicon_url,
        "canonical_url": meta.canonical_url,
        "generator": meta.generator,
        "tech_stack": list(techs),
        "emails": sorted({e.address for e in found.emails}),
        "phones": sorted({p.e164 for p in found.phones}),
        "socials": {k: list(v) for k, v in found.socials.items()},
        "meta": {
            "sitemap_links": list(meta.sitemap_links),
            "email_kinds": {e.address: e.kind for e in found.emails},
            "redirects": list(result.redirects),
            "truncated": result.truncated,
            "bytes": len(result.content),
        },
    }


def _cookies(headers) -> dict[str, str]:
    raw = headers.get("set-cookie") if hasattr(headers, "get") else None
    out: dict[str, str] = {}
    for part in (raw or "").split(","):
        name, _, value = part.strip().partition("=")
        if name and value:
            out[name.strip()] = value.split(";", 1)[0]
    return out


async def fetch_homepage(client: HttpClient, domain: str, schemes: tuple[str, ...]) -> FetchResult:
    """GET the homepage, trying each scheme in turn when the connection itself fails."""
    last: FetchError | None = None
    for scheme in schemes:
        try:
            return await client.fetch(f"{scheme}://{domain}/")
        except FetchError as exc:
            last = exc
            if exc.kind not in ("connect", "protocol"):
                raise
    assert last is not None
    raise last


async def scan_homepage(client: HttpClient, domain: str, schemes: tuple[str, ...] = ("https", "http")) -> HomepageScan:
    try:
        result = await fetch_homepage(client, domain, schemes)
    except FetchError as exc:
        return HomepageScan(domain, False, exc.kind, str(exc))
    scan = HomepageScan(domain, False, http_status=result.status, final_url=result.final_url)
    if not result.ok:
        scan.error_kind, scan.error = "http_status", f"http_status: homepage answered HTTP {result.status}"
        return scan
    if not is_html(result):
        scan.error_kind = "not_html"
        scan.error = f"not_html: homepage is {result.content_type or 'of unknown type'}, not HTML"
        return scan
    scan.values = summarize(result, domain)
    scan.ok = True
    return scan
