"""WF5/WF6 sitemap import: each queued sitemap file streamed into pages, one partition per batch."""

import asyncio
import time

import dagster as dg

from scrapersky_pipelines.db.batches import BatchOutcome, LoadedBatch, RowOutcome, WrittenAlready
from scrapersky_pipelines.db.bulk import upsert_pages
from scrapersky_pipelines.db.enums import ProcessingStatus as PS
from scrapersky_pipelines.db.sitemaps import ChildSitemaps, domain_names
from scrapersky_pipelines.defs.batching import map_rows
from scrapersky_pipelines.defs.queues.stage import after_input, stage_asset, stage_input, stage_output, summary_op
from scrapersky_pipelines.defs.sitemaps.discovery import sitemap_files
from scrapersky_pipelines.lib.http import FetchError
from scrapersky_pipelines.lib.page_import import PagePolicy
from scrapersky_pipelines.lib.sitemaps import SitemapLimits
from scrapersky_pipelines.resources.database import Database
from scrapersky_pipelines.resources.http import HttpResource

from .importer import SitemapImporter
from .partitions import sitemap_import_batches

STAGE = "sitemap_import"


class ImportConfig(dg.Config):
    budget_seconds: float = 300.0
    # Files stream into chunked writes, so memory does not grow with this; most of a file's time is
    # waiting on its host (round trips, Retry-After, slow bodies), which 4 at a time left idle.
    files_in_parallel: int = 16
    max_file_bytes: int = 50 * 1024 * 1024
    max_decompressed_bytes: int = 200 * 1024 * 1024
    max_entries: int = 500_000
    chunk_rows: int = 5_000
    queue_contact_pages: bool = True
    contact_min_confidence: float = PagePolicy().min_confidence
    queue_child_sitemaps: bool = True


@dg.op(ins={"batch": stage_input(STAGE), "after": after_input()}, out=stage_output(STAGE), tags={"kind": "http"})
async def import_sitemap_files(
    context: dg.OpExecutionContext, batch: LoadedBatch, http: HttpResource, database: Database,
    config: ImportConfig,
) -> BatchOutcome:
    """Fetch each file, parse it streaming and upsert its URLs as pages in chunked transactions."""
    started = time.time()
    names = database.run(lambda s: domain_names(s, [r["domain_id"] for r in batch.rows]))
    policy = PagePolicy(config.queue_contact_pages, config.contact_min_confidence)
    limits = SitemapLimits(
        max_compressed_bytes=config.max_file_bytes, max_decompressed_bytes=config.max_decompressed_bytes,
        max_entries=config.max_entries,
    )
    side_writes = []
    importers: list[SitemapImporter] = []

    async def write(rows):
        return await asyncio.to_thread(database.run, lambda s: upsert_pages(s, rows))

    async with http.client(batch) as client:

        async def work(row) -> RowOutcome:
            importer = SitemapImporter(row["id"], row["domain_id"], names[row["domain_id"]], row["url"], write,
                                       policy, limits, config.chunk_rows)
            importers.append(importer)
            try:
                result = await client.fetch(row["url"], max_bytes=config.max_file_bytes,
                                            max_decompressed_bytes=config.max_decompressed_bytes,
                                            sink=importer.open)
            except FetchError as exc:
                await importer.flush()
                note = f" after {importer.pages} pages" if importer.pages else ""
                return RowOutcome.failed(row["id"], exc.kind, f"{exc.message}{note}")
            values = {"http_status": result.status, "final_url": result.final_url}
            if importer.parser is None:
                return RowOutcome(row["id"], PS.ERROR, f"http_status: HTTP {result.status} for {row['url']}",
                                  "http_status", values)
            await importer.finish()
            values.update(importer.file_values())
            if importer.children:
                side_writes.append(ChildSitemaps(row["domain_id"], row["id"], importer.children,
                                                 config.queue_child_sitemaps))
            if values["kind"] == "invalid":
                return RowOutcome(row["id"], PS.ERROR, f"invalid_sitemap: {importer.parser.error}",
                                  "invalid_sitemap", values)
            return RowOutcome(row["id"], PS.COMPLETE, values=values)

        outcomes = await map_rows(batch.rows, work, concurrency=config.files_in_parallel,
                                  budget_seconds=config.budget_seconds)
    counts = {
        "pages_new": sum(i.inserted for i in importers), "pages_seen_again": sum(i.updated for i in importers),
        "pages_filtered": sum(i.filtered for i in importers), "pages_queued_for_scrape": sum(i.queued for i in importers),
    }
    context.log.info(f"imported {len(outcomes)} sitemap files: {counts}")
    return batch.outcome(outcomes, started, [*side_writes, WrittenAlready(counts)])


summarize_import = summary_op(STAGE, "summarize_import")


@stage_asset(
    "sitemap_pages",
    group="sitemaps",
    partitions_def=sitemap_import_batches,
    after=sitemap_files,
    description="Pages imported from sitemap files (WF5/WF6): URL, lastmod, source file, category, "
    "confidence, depth; assets, feeds and off-site URLs stored as Filtered with a reason; contact-like "
    "pages queued for scraping. Rows of sitemap_files end Complete (pages_imported) or Error.",
)
def sitemap_pages(after):
    return summarize_import(import_sitemap_files(after=after))
