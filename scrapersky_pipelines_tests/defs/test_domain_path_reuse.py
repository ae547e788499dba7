"""Across the domain path's runs each origin's robots.txt is fetched once and the homepage once:
later stages reuse what the scan fetched (kept robots.txt answers, the homepage's sitemap links)."""

from collections import Counter

import dagster as dg
import sqlalchemy as sa

from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.models import Domain, RobotsFile
from scrapersky_pipelines.db.submit import insert_domains
from scrapersky_pipelines.definitions import build_definitions
from scrapersky_pipelines.demo.sites import expected, site_domains
from scrapersky_pipelines_tests.defs.test_sitemap_discovery_stage import drain

STAGES = ("domain_scan", "sitemap_discovery", "sitemap_import", "page_scrape")


def test_each_origin_robots_txt_and_homepage_fetched_once_over_all_stages(db, web_env):
    domains = site_domains(6)
    web_env.request_log.clear()
    with transaction() as s:
        insert_domains(s, domains)
    defs = build_definitions()
    runs = Counter()
    with dg.instance_for_test() as instance:
        for stage in STAGES:
            runs[stage] = len(drain(instance, defs, stage))
    assert all(runs[stage] >= 1 for stage in STAGES), runs

    with transaction() as s:
        rows = {d.domain: d for d in s.execute(sa.select(Domain)).scalars()}
        kept = s.execute(sa.select(RobotsFile.host)).scalars().all()
    for d in domains:
        row, gold = rows[d], expected(d)
        assert (row.scan_status, row.sitemap_status) == ("Complete", "Complete"), (d, row.sitemap_error)
        assert row.sitemap_count == len([g for g in gold.sitemaps if g.error is None]), d
        log = web_env.requests_for(d)
        robots = Counter(e.host for e in log if e.path == "/robots.txt")
        assert robots and set(robots.values()) == {1}, (d, robots)  # bare host and www. once each
        assert [e.path for e in log if e.status == 200].count("/") == 1, (d, log)
    assert set(kept) >= set(domains)
    assert any(h.startswith("www.") for h in kept)  # a bare host redirecting to www. is among them
