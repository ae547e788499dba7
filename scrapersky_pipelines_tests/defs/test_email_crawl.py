"""Email crawl in process against the synthetic web, through pgbouncer; and the policy that queues it."""

import dagster as dg
import sqlalchemy as sa

from scrapersky_pipelines.db import queue
from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.models import Contact, Domain
from scrapersky_pipelines.db.stages import QUEUES
from scrapersky_pipelines.definitions import build_definitions
from scrapersky_pipelines.demo.sites import broken_domain, expected, site_domains

from .test_sitemap_discovery_stage import drain


def insert_queued(domains: list[str], stage: str) -> None:
    with transaction() as s:
        ids = s.execute(sa.insert(Domain).values([{"domain": d} for d in domains]).returning(Domain.id)).scalars().all()
        queue.enqueue(s, QUEUES[stage], ids)


def test_crawl_stores_contact_page_emails_and_says_why_it_stopped(db, web_env):
    healthy = site_domains(4)
    broken = [broken_domain("404"), broken_domain("unknown-host")]
    insert_queued(healthy + broken, "email_crawl")
    with dg.instance_for_test() as instance:
        [result] = drain(instance, build_definitions(), "email_crawl")
    with transaction() as s:
        rows = {d.domain: d for d in s.execute(sa.select(Domain)).scalars()}
        contacts = s.execute(sa.select(Contact.email, Contact.source_url, Domain.domain).join(Domain)).all()
    for d in healthy:
        gold, row = expected(d), rows[d]
        assert row.crawl_status == "Complete", row.crawl_error
        assert row.crawl_pages_visited >= 1 and row.crawl_stop_reason
        mine = {c.email for c in contacts if c.domain == d}
        on_contact_pages = {e for u in gold.contact_pages for e in gold.page_contacts.get(u, ()).emails} \
            if gold.contact_pages else set()
        assert on_contact_pages <= mine, d
        assert mine <= set(gold.site_emails), d
        assert row.crawl_contacts_found == len(mine)
    for d in broken:
        assert rows[d].crawl_status == "Error" and rows[d].crawl_stop_reason and rows[d].crawl_error
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["rows"].value == 6 and metadata["contacts_new"].value == len(contacts)


def test_discovery_queues_the_crawl_of_domains_without_sitemaps(db, web_env):
    candidates = site_domains(40)
    without = [d for d in candidates if not [g for g in expected(d).sitemaps if g.error is None]][:2]
    with_sitemaps = [d for d in candidates if d not in without][:2]
    assert without and with_sitemaps
    insert_queued(without + with_sitemaps, "sitemap_discovery")
    with dg.instance_for_test() as instance:
        drain(instance, build_definitions(), "sitemap_discovery")
    with transaction() as s:
        crawl = dict(s.execute(sa.select(Domain.domain, Domain.crawl_status)).all())
    assert {d: crawl[d] for d in without} == {d: "Queued" for d in without}
    assert {d: crawl[d] for d in with_sitemaps} == {d: None for d in with_sitemaps}
