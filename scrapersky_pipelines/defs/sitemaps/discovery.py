"""WF4 sitemap discovery: each queued domain's sitemap files found, walked and stored, per batch."""

import time
from datetime import UTC, datetime, timedelta

import dagster as dg

from scrapersky_pipelines.db.batches import BatchOutcome, BatchSummary, LoadedBatch, RowOutcome, StageReport
from scrapersky_pipelines.db.contacts import QueueCrawls
from scrapersky_pipelines.db.enums import ProcessingStatus as PS
from scrapersky_pipelines.db.sitemaps import DiscoveredSitemaps, QueueImports
from scrapersky_pipelines.defs.batching import map_rows
from scrapersky_pipelines.defs.queues.stage import after_input, stage_asset, stage_input, stage_output
from scrapersky_pipelines.defs.domains.assets import domain_metadata
from scrapersky_pipelines.lib.sitemap_discovery import SitemapFileRecord, discover_sitemaps
from scrapersky_pipelines.resources.http import HttpResource

from .partitions import sitemap_discovery_batches

STAGE = "sitemap_discovery"


class DiscoveryConfig(dg.Config):
    budget_seconds: float = 180.0
    max_depth: int = 5
    max_files: int = 500
    probe_known_paths: str = "always"  # or "fallback" / "never"
    # The homepage's <link rel="sitemap"> URLs from a scan at most this old are used instead of
    # fetching the homepage again (0: always fetch it).
    reuse_scan_seconds: float = 86400.0


class DiscoveryPolicy(dg.Config):
    queue_sitemap_import: bool = True
    # "no_sitemap": crawl only domains whose pages no import will bring; "always" or "never".
    queue_email_crawl: str = "no_sitemap"


def scanned_links(row: dict, max_age_seconds: float) -> list[str] | None:
    """The homepage's sitemap links as a recent enough metadata scan read them, else None."""
    meta, scanned_at = row.get("meta") or {}, row.get("last_scanned_at")
    if max_age_seconds <= 0 or scanned_at is None or not row.get("final_url") or "sitemap_links" not in meta:
        return None
    if datetime.now(UTC) - scanned_at > timedelta(seconds=max_age_seconds):
        return None
    return [str(u) for u in meta["sitemap_links"]]


def file_values(record: SitemapFileRecord) -> dict:
    error = f"{record.error_kind}: {record.error}" if record.error and record.error_kind else record.error
    return {
        "url": record.url, "final_url": record.final_url, "parent_url": record.parent_url,
        "kind": record.kind, "discovery_method": record.method, "http_status": record.http_status,
        "size_bytes": record.byte_count, "is_gzip": record.is_gzip,
        "url_count": record.child_count if record.kind == "index" else record.url_count,
        "has_images": record.has_images, "has_videos": record.has_videos, "has_news": record.has_news,
        "has_lastmod": record.has_lastmod, "has_priority": record.has_priority,
        "has_changefreq": record.has_changefreq,
        "generator": record.generator[:80] if record.generator else None,
        "error": error[:2000] if error else None,
    }


@dg.op(ins={"batch": stage_input(STAGE), "after": after_input()}, out=stage_output(STAGE), tags={"kind": "http"})
async def discover_domain_sitemaps(
    context: dg.OpExecutionContext, batch: LoadedBatch, http: HttpResource, config: DiscoveryConfig
) -> BatchOutcome:
    """robots.txt, <link rel="sitemap"> and the well-known paths; index trees walked with a depth cap."""
    started = time.time()
    side_writes = []

    async with http.client(batch) as client:

        async def work(row) -> RowOutcome:
            found = await discover_sitemaps(
                client, row["domain"], schemes=http.scheme_order(), max_depth=config.max_depth,
                max_files=config.max_files, homepage_url=row.get("final_url"),
                homepage_links=scanned_links(row, config.reuse_scan_seconds),
                probe_known_paths=config.probe_known_paths, time_budget=config.budget_seconds * 0.9,
            )
            if not found.ok:
                return RowOutcome(row["id"], PS.ERROR, f"{found.error_kind}: {found.error}"[:2000], found.error_kind)
            side_writes.append(DiscoveredSitemaps(row["id"], [file_values(f) for f in found.files]))
            return RowOutcome(row["id"], PS.COMPLETE, values={
                "sitemap_count": found.files_found - found.file_errors, "sitemap_url_count": found.urls_total,
            })

        outcomes = await map_rows(batch.rows, work, concurrency=http.concurrency, budget_seconds=config.budget_seconds)
    context.log.info(f"discovered sitemaps of {len(outcomes)} domains")
    return batch.outcome(outcomes, started, side_writes)


@dg.op(out=stage_output(STAGE))
def apply_discovery_policies(discovered: BatchSummary, config: DiscoveryPolicy) -> StageReport:
    """Queue the import of every usable urlset, text or feed sitemap found, and the email crawl of
    domains without one (policy flags)."""
    follow = [QueueImports(discovered.complete_ids)] if config.queue_sitemap_import else []
    if config.queue_email_crawl != "never":
        follow.append(QueueCrawls(discovered.complete_ids, always=config.queue_email_crawl == "always"))
    return StageReport(discovered, follow)


@stage_asset(
    "sitemap_files",
    group="sitemaps",
    partitions_def=sitemap_discovery_batches,
    after=domain_metadata,
    description="Sitemap files of each domain (WF4): found via robots.txt, <link rel=\"sitemap\"> and "
    "well-known paths, index trees walked; kind, flags, method, parent, HTTP status, bytes, gzip, URL "
    "count, generator or error per file. Domains end Complete (sitemap_count, sitemap_url_count) or Error.",
)
def sitemap_files(after):
    return apply_discovery_policies(discover_domain_sitemaps(after=after))
