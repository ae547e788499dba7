"""Discovery then import, in process against the synthetic web, through pgbouncer."""

import dagster as dg
import sqlalchemy as sa

from scrapersky_pipelines.db import queue
from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.models import Domain, Page, SitemapFile
from scrapersky_pipelines.db.stages import QUEUES
from scrapersky_pipelines.definitions import build_definitions
from scrapersky_pipelines.demo.sites import broken_domain, expected, site_domains
from scrapersky_pipelines.lib.urls import normalize_url


def drain(instance, defs, stage: str) -> list:
    results = []
    while True:
        with transaction() as s:
            got = queue.claim(s, QUEUES[stage], 50)
        if got is None:
            return results
        instance.add_dynamic_partitions(f"{stage}_batches", [got.key])
        result = defs.resolve_job_def(f"{stage}_job").execute_in_process(instance=instance, partition_key=got.key)
        assert result.success
        results.append(result)


def test_discovered_files_match_the_gold_and_their_pages_are_imported(db, web_env):
    healthy = site_domains(8)
    broken = [broken_domain("unknown-host"), broken_domain("timeout")]
    with transaction() as s:
        ids = s.execute(sa.insert(Domain).values([{"domain": d} for d in healthy + broken])
                        .returning(Domain.id)).scalars().all()
        queue.enqueue(s, QUEUES["sitemap_discovery"], ids)
    defs = build_definitions()
    with dg.instance_for_test() as instance:
        discovered = drain(instance, defs, "sitemap_discovery")
        drain(instance, defs, "sitemap_import")

    with transaction() as s:
        domains = {d.domain: d for d in s.execute(sa.select(Domain)).scalars()}
        files = s.execute(sa.select(SitemapFile, Domain.domain).join(Domain)).all()
        pages = s.execute(sa.select(Page.url, Domain.domain).join(Domain)).all()
    for d in broken:
        assert domains[d].sitemap_status == "Error" and domains[d].sitemap_error
    for d in healthy:
        gold, row = expected(d), domains[d]
        assert row.sitemap_status == "Complete", (d, row.sitemap_error)
        usable = [g for g in gold.sitemaps if g.error is None]
        assert row.sitemap_count == len(usable)
        assert row.sitemap_url_count == gold.sitemap_url_total
        mine = {f.SitemapFile.url: f.SitemapFile for f in files if f.domain == d}
        assert set(mine) == {g.url for g in gold.sitemaps}, d
        for g in gold.sitemaps:
            f = mine[g.url]
            assert (f.discovery_method, f.kind if g.error is None else g.kind) == (g.method, g.kind), g.url
            assert (f.error is None) == (g.error is None), (g.url, f.error)
            if g.parent_url:
                parent = next(p for p in mine.values() if p.id == f.parent_id)
                assert g.parent_url in (parent.url, parent.final_url)
            if g.error is None and g.kind != "index":
                assert f.import_status == "Complete", (g.url, f.import_error)
        assert {p.url for p in pages if p.domain == d} == {normalize_url(u) for u in gold.page_urls}, d
    metadata = discovered[0].get_asset_materialization_events()[0].materialization.metadata
    assert metadata["queued_sitemap_import"].value >= 1
