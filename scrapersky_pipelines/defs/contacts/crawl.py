"""WF8 email crawl: a bounded same-site crawl of each queued domain, contacts stored with their pages."""

import time

import dagster as dg

from scrapersky_pipelines.db.batches import BatchOutcome, LoadedBatch, RowOutcome
from scrapersky_pipelines.db.bulk import ContactRow
from scrapersky_pipelines.db.contacts import ContactsWrite, crawl_seeds, domain_context
from scrapersky_pipelines.db.enums import ProcessingStatus as PS
from scrapersky_pipelines.defs.batching import map_rows
from scrapersky_pipelines.defs.queues.stage import after_input, stage_asset, stage_input, stage_output, summary_op
from scrapersky_pipelines.defs.sitemaps.discovery import sitemap_files
from scrapersky_pipelines.lib.crawl import crawl_site
from scrapersky_pipelines.resources.database import Database
from scrapersky_pipelines.resources.http import HttpResource

from .partitions import email_crawl_batches

STAGE = "email_crawl"


class CrawlConfig(dg.Config):
    max_pages: int = 25
    budget_seconds: float = 120.0
    pages_in_parallel: int = 2
    seeds_per_domain: int = 50
    stop_after_emails: int | None = None


@dg.op(ins={"batch": stage_input(STAGE), "after": after_input()}, out=stage_output(STAGE), tags={"kind": "http"})
async def crawl_domains(
    context: dg.OpExecutionContext, batch: LoadedBatch, http: HttpResource, database: Database,
    config: CrawlConfig,
) -> BatchOutcome:
    """Contact, about, team and legal pages first (homepage links and imported pages), robots.txt obeyed."""
    started = time.time()
    ids = [r["id"] for r in batch.rows]
    contexts = database.run(lambda s: domain_context(s, ids))
    seeds = database.run(lambda s: crawl_seeds(s, ids, config.seeds_per_domain))
    found: list[ContactRow] = []

    async with http.client(batch) as client:

        async def work(row) -> RowOutcome:
            result = await crawl_site(
                client, row["domain"], seeds=seeds.get(row["id"], ()), schemes=http.scheme_order(),
                max_pages=config.max_pages, budget_seconds=config.budget_seconds,
                region=contexts[row["id"]].region, concurrency=config.pages_in_parallel,
                stop_after_emails=config.stop_after_emails,
            )
            values = {"crawl_pages_visited": result.pages_visited, "crawl_contacts_found": len(result.contacts),
                      "crawl_stop_reason": result.stop_reason[:2000]}
            if not result.ok:
                return RowOutcome(row["id"], PS.ERROR, f"{result.stop_kind}: {result.stop_reason}"[:2000],
                                  result.stop_kind, values)
            found.extend(ContactRow(row["id"], c.address, c.kind, None, c.source_url, c.phone, c.name, STAGE)
                         for c in result.contacts)
            return RowOutcome(row["id"], PS.COMPLETE, values=values)

        # The crawl has its own budget; the row budget only catches a crawl that fails to stop.
        outcomes = await map_rows(batch.rows, work, concurrency=max(http.concurrency // 2, 1),
                                  budget_seconds=config.budget_seconds + 30)
    context.log.info(f"crawled {len(outcomes)} domains: {len(found)} contacts")
    return batch.outcome(outcomes, started, [ContactsWrite(found)])


summarize_crawl = summary_op(STAGE, "summarize_crawl")


@stage_asset(
    "domain_contacts",
    group="contacts",
    partitions_def=email_crawl_batches,
    after=sitemap_files,
    description="Contacts found by a bounded same-site crawl of each queued domain (WF8): contact, about, "
    "team and legal pages first; robots.txt obeyed; max pages and time budget configurable. Domains show "
    "pages visited, contacts found and the stop reason (crawl_* columns).",
)
def domain_contacts(after):
    return summarize_crawl(crawl_domains(after=after))
