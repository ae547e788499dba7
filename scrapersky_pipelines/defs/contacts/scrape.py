"""WF7 page scrape: each queued page fetched and every contact on it stored, one partition per batch."""

import time

import dagster as dg

from scrapersky_pipelines.db.batches import BatchOutcome, LoadedBatch, RowOutcome
from scrapersky_pipelines.db.bulk import ContactRow
from scrapersky_pipelines.db.contacts import ContactsWrite, domain_context
from scrapersky_pipelines.db.enums import ContactScrapeStatus as CS
from scrapersky_pipelines.db.enums import ProcessingStatus as PS
from scrapersky_pipelines.defs.batching import map_rows
from scrapersky_pipelines.defs.queues.stage import after_input, stage_asset, stage_input, stage_output, summary_op
from scrapersky_pipelines.defs.sitemaps.imports import sitemap_pages
from scrapersky_pipelines.lib.http import FetchError
from scrapersky_pipelines.lib.page_scrape import scrape_page
from scrapersky_pipelines.resources.database import Database
from scrapersky_pipelines.resources.http import HttpResource

from .partitions import page_scrape_batches

STAGE = "page_scrape"


class ScrapeConfig(dg.Config):
    budget_seconds: float = 60.0


@dg.op(ins={"batch": stage_input(STAGE), "after": after_input()}, out=stage_output(STAGE), tags={"kind": "http"})
async def scrape_pages(
    context: dg.OpExecutionContext, batch: LoadedBatch, http: HttpResource, database: Database,
    config: ScrapeConfig,
) -> BatchOutcome:
    """Fetch each page and extract its emails, phones and names; the page ends ContactFound,
    NoContactFound or Error."""
    started = time.time()
    domains = database.run(lambda s: domain_context(s, [r["domain_id"] for r in batch.rows]))
    found: list[ContactRow] = []

    async with http.client(batch) as client:

        async def work(row) -> RowOutcome:
            ctx = domains[row["domain_id"]]
            try:
                result = await client.fetch(row["url"])
            except FetchError as exc:
                return RowOutcome(row["id"], PS.ERROR, str(exc)[:2000], exc.kind, {"contact_status": CS.ERROR.value})
            page = scrape_page(result, ctx.region)
            values = {"http_status": result.status}
            if not page.ok:
                return RowOutcome(row["id"], PS.ERROR, page.error, page.error_kind,
                                  {**values, "contact_status": CS.ERROR.value})
            found.extend(
                ContactRow(row["domain_id"], c.email, c.kind, row["id"], c.source_url, c.phone, c.name, STAGE)
                for c in page.contacts
            )
            status = CS.CONTACT_FOUND if page.contacts else CS.NO_CONTACT_FOUND
            return RowOutcome(row["id"], PS.COMPLETE, values={**values, "title": page.title,
                                                              "contact_status": status.value})

        outcomes = await map_rows(batch.rows, work, concurrency=http.concurrency,
                                  budget_seconds=config.budget_seconds, group=lambda r: r["domain_id"])
    for o in outcomes:  # a row that overran its budget still gets a contact status
        o.values.setdefault("contact_status", CS.ERROR.value)
    context.log.info(f"scraped {len(outcomes)} pages: {len(found)} contacts")
    return batch.outcome(outcomes, started, [ContactsWrite(found)])


summarize_scrape = summary_op(STAGE, "summarize_scrape")


@stage_asset(
    "page_contacts",
    group="contacts",
    partitions_def=page_scrape_batches,
    after=sitemap_pages,
    description="Contacts scraped from queued pages (WF7): every email on the page with its kind, the "
    "page's phone and a person's name where given, unique per domain + email with first/last seen. "
    "Pages end ContactFound, NoContactFound or Error (pages.contact_status, scrape_error).",
)
def page_contacts(after):
    return summarize_scrape(scrape_pages(after=after))
