"""The homepage metadata scan (WF4) as a graph-backed asset partitioned by batch."""


import time

import dagster as dg

from scrapersky_pipelines.db.batches import BatchOutcome, BatchSummary, FollowUp, LoadedBatch, RowOutcome, StageReport
from scrapersky_pipelines.db.enums import ProcessingStatus as PS
from scrapersky_pipelines.defs.batching import map_rows
from scrapersky_pipelines.defs.queues.stage import after_input, stage_asset, stage_input, stage_output
from scrapersky_pipelines.defs.places.extraction import business_domains_asset
from scrapersky_pipelines.lib.homepage import scan_homepage
from scrapersky_pipelines.resources.http import HttpResource

from .partitions import domain_scan_batches

STAGE = "domain_scan"


class ScanConfig(dg.Config):
    budget_seconds: float = 90.0


class ScanPolicy(dg.Config):
    queue_sitemap_discovery: bool = True


@dg.op(ins={"batch": stage_input(STAGE), "after": after_input()}, out=stage_output(STAGE), tags={"kind": "http"})
async def scan_homepages(
    context: dg.OpExecutionContext, batch: LoadedBatch, http: HttpResource, config: ScanConfig
) -> BatchOutcome:
    """Fetch each domain's homepage and extract title, description, socials, emails, phones, tech."""
    started = time.time()
    schemes = http.scheme_order()

    async with http.client(batch) as client:

        async def work(row) -> RowOutcome:
            scan = await scan_homepage(client, row["domain"], schemes)
            if not scan.ok:
                values = {"http_status": scan.http_status, "final_url": scan.final_url}
                return RowOutcome(row["id"], PS.ERROR, scan.error, scan.error_kind, values)
            return RowOutcome(row["id"], PS.COMPLETE, values={**scan.values, "last_scanned_at": _now()})

        outcomes = await map_rows(batch.rows, work, concurrency=http.concurrency, budget_seconds=config.budget_seconds)
    done = sum(o.status == PS.COMPLETE for o in outcomes)
    context.log.info(f"scanned {len(outcomes)} domains: {done} complete, {len(outcomes) - done} errors")
    return batch.outcome(outcomes, started)


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


@dg.op(out=stage_output(STAGE))
def apply_scan_policies(context: dg.OpExecutionContext, scanned: BatchSummary, config: ScanPolicy) -> StageReport:
    """Queue sitemap discovery for every domain scanned successfully (policy flag, on by default)."""
    follow = []
    if config.queue_sitemap_discovery and scanned.complete_ids:
        follow.append(FollowUp("sitemap_discovery", scanned.complete_ids))
    return StageReport(scanned, follow)


@stage_asset(
    "domain_metadata",
    group="domains",
    partitions_def=domain_scan_batches,
    after=business_domains_asset,
    description="Homepage metadata of each domain (title, description, language, favicon, canonical, "
    "socials, emails, phones, generator, tech stack, HTTP status). One partition per claimed batch; "
    "rows end Complete or Error with a reason in domains.scan_status / scan_error.",
)
def domain_metadata(after):
    return apply_scan_policies(scan_homepages(after=after))
