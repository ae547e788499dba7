"""Page scrape in process against the synthetic web, through pgbouncer: contacts and page statuses."""

import dagster as dg
import sqlalchemy as sa

from scrapersky_pipelines.db import queue
from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.models import Contact, Domain, Page
from scrapersky_pipelines.db.stages import QUEUES
from scrapersky_pipelines.definitions import build_definitions
from scrapersky_pipelines.demo.sites import expected, site_domains

SCRAPE = QUEUES["page_scrape"]


def queue_pages(domain: str, urls: list[str]) -> None:
    with transaction() as s:
        domain_id = s.execute(sa.insert(Domain).values(domain=domain).returning(Domain.id)).scalar_one()
        ids = s.execute(
            sa.insert(Page).values([{"domain_id": domain_id, "url": u} for u in urls]).returning(Page.id)
        ).scalars().all()
        queue.enqueue(s, SCRAPE, ids)


def scrape_all(instance) -> list:
    defs, results = build_definitions(), []
    while True:
        with transaction() as s:
            got = queue.claim(s, SCRAPE, 100)
        if got is None:
            return results
        instance.add_dynamic_partitions("page_scrape_batches", [got.key])
        result = defs.resolve_job_def("page_scrape_job").execute_in_process(instance=instance, partition_key=got.key)
        assert result.success
        results.append(result)


def test_every_contact_on_the_pages_is_stored_once(db, web_env):
    domains = site_domains(5)
    for d in domains:
        gold = expected(d)
        queue_pages(d, sorted(gold.page_contacts)[:8] + [gold.base_url.rstrip("/") + "/definitely-missing"])
    with dg.instance_for_test() as instance:
        results = scrape_all(instance)
        scrape_all(instance)  # nothing left: no second run

    with transaction() as s:
        pages = s.execute(sa.select(Page, Domain.domain).join(Domain)).all()
        contacts = s.execute(sa.select(Contact, Domain.domain).join(Domain)).all()
    for d in domains:
        gold = expected(d)
        mine = [p.Page for p in pages if p.domain == d]
        assert all(p.scrape_status in ("Complete", "Error") for p in mine)
        missing = [p for p in mine if p.url.endswith("/definitely-missing")][0]
        if gold.soft_404:  # such sites answer 200 with a "not found" page
            assert (missing.scrape_status, missing.contact_status) == ("Complete", "NoContactFound")
        else:
            assert missing.scrape_status == "Error" and missing.contact_status == "Error"
            assert missing.scrape_error.startswith("http_status:")
        want = set()
        for p in mine:
            if p.url in gold.page_contacts:
                emails = set(gold.page_contacts[p.url].emails)
                want |= emails
                assert p.contact_status == ("ContactFound" if emails else "NoContactFound"), p.url
        got = {c.Contact.email for c in contacts if c.domain == d}
        assert got == want, d
    assert len({(c.Contact.domain_id, c.Contact.email) for c in contacts}) == len(contacts)
    assert all(c.Contact.source_url and c.Contact.page_id for c in contacts)
    metadata = results[0].get_asset_materialization_events()[0].materialization.metadata
    assert metadata["rows"].value == len(pages)


def test_a_second_scrape_refreshes_last_seen_and_keeps_first_seen(db, web_env):
    d = site_domains(1)[0]
    gold = expected(d)
    urls = [u for u, c in gold.page_contacts.items() if c.emails][:2]
    queue_pages(d, urls)
    with dg.instance_for_test() as instance:
        scrape_all(instance)
        with transaction() as s:
            before = {c.email: (c.first_seen_at, c.last_seen_at) for c in s.execute(sa.select(Contact)).scalars()}
            queue.enqueue(s, SCRAPE, s.execute(sa.select(Page.id)).scalars().all())
        scrape_all(instance)
    with transaction() as s:
        after = {c.email: (c.first_seen_at, c.last_seen_at) for c in s.execute(sa.select(Contact)).scalars()}
    assert before and set(after) == set(before)
    for email, (first, last) in after.items():
        assert first == before[email][0] and last > before[email][1]
