"""Sitemap import in process against the synthetic web, through pgbouncer: pages, statuses, children."""

import dagster as dg
import sqlalchemy as sa

from scrapersky_pipelines.db import queue
from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.models import Domain, Page, SitemapFile
from scrapersky_pipelines.db.stages import QUEUES
from scrapersky_pipelines.definitions import build_definitions
from scrapersky_pipelines.demo.sites import expected, site_domains
from scrapersky_pipelines.lib.urls import normalize_url

IMPORT = QUEUES["sitemap_import"]


def add_files(domain: str, files: list[str]) -> list[int]:
    with transaction() as s:
        domain_id = s.execute(sa.insert(Domain).values(domain=domain).returning(Domain.id)).scalar_one()
        ids = s.execute(
            sa.insert(SitemapFile).values([{"domain_id": domain_id, "url": u} for u in files])
            .returning(SitemapFile.id)
        ).scalars().all()
        queue.enqueue(s, IMPORT, ids)
    return list(ids)


def run_import_batches(instance, defs) -> list:
    results = []
    while True:
        with transaction() as s:
            got = queue.claim(s, IMPORT, 20)
        if got is None:
            return results
        instance.add_dynamic_partitions("sitemap_import_batches", [got.key])
        result = defs.resolve_job_def("sitemap_import_job").execute_in_process(
            instance=instance, partition_key=got.key)
        assert result.success
        results.append(result)


def test_files_become_pages_and_indexes_queue_their_children(db, web_env):
    defs = build_definitions()
    domains = site_domains(6)
    for d in domains:
        gold = expected(d)
        tops = [g.final_url for g in gold.sitemaps if g.parent_url is None and g.error is None]
        add_files(d, tops)
    with dg.instance_for_test() as instance:
        results = run_import_batches(instance, defs)

    with transaction() as s:
        files = s.execute(sa.select(SitemapFile, Domain.domain).join(Domain)).all()
        pages = s.execute(sa.select(Page.url, Page.scrape_status, Page.category, Domain.domain).join(Domain)).all()
    assert files and all(f.SitemapFile.import_status in ("Complete", "Error") for f in files)
    for d in domains:
        gold = expected(d)
        usable = {g.final_url: g for g in gold.sitemaps if g.error is None}
        mine = {f.SitemapFile.url: f.SitemapFile for f in files if f.domain == d}
        for url, g in usable.items():
            assert url in mine, (d, url)
            row = mine[url]
            assert row.import_status == "Complete", (url, row.import_error)
            assert row.kind == g.kind and row.is_gzip == g.is_gzip
            assert row.url_count == (g.child_count if g.kind == "index" else g.url_count)
        want = {normalize_url(u) for u in gold.page_urls}
        got = {p.url for p in pages if p.domain == d}
        assert got == want, d
        contact = {p.url for p in pages if p.domain == d and p.scrape_status == "Queued"}
        assert {normalize_url(u) for u in gold.contact_pages} <= contact | {
            p.url for p in pages if p.domain == d and p.category in ("about", "team", "legal")}
    metadata = results[0].get_asset_materialization_events()[0].materialization.metadata
    assert metadata["rows"].value >= 1 and "items_per_second" in metadata


def test_missing_and_invalid_files_end_in_error_with_a_reason(db, web_env):
    d = site_domains(1)[0]
    base = expected(d).base_url.rstrip("/")
    add_files(d, [f"{base}/no-such-sitemap.xml", f"{base}/"])
    with dg.instance_for_test() as instance:
        run_import_batches(instance, build_definitions())
    with transaction() as s:
        rows = {r.url: r for r in s.execute(sa.select(SitemapFile)).scalars()}
    assert rows[f"{base}/no-such-sitemap.xml"].import_error.startswith("http_status: HTTP 404")
    assert rows[f"{base}/"].import_error.startswith("invalid_sitemap:")
