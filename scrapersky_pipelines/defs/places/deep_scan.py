"""WF2 deep scan as a graph-backed asset: Place Details per selected place, upserted as a local business."""

import time

import dagster as dg

from scrapersky_pipelines.db.batches import BatchOutcome, BatchSummary, LoadedBatch, RowOutcome
from scrapersky_pipelines.db.curation import AutoSelectBusinesses, PolicyReport
from scrapersky_pipelines.db.enums import ProcessingStatus as PS
from scrapersky_pipelines.db.places import BusinessRow, BusinessUpsert
from scrapersky_pipelines.defs.batching import map_rows
from scrapersky_pipelines.defs.queues.stage import after_input, stage_asset, stage_input, stage_output
from scrapersky_pipelines.defs.places.search import places_asset
from scrapersky_pipelines.lib.places import PlacesError
from scrapersky_pipelines.resources.places import CurationPolicy, PlacesResource

from .partitions import deep_scan_batches
from .records import business_row

STAGE = "deep_scan"


class DeepScanConfig(dg.Config):
    concurrency: int = 8
    budget_seconds: float = 120.0


class DeepScanPolicy(dg.Config):
    #: Select the businesses scanned (queues domain extraction). None: the `curation_policy` resource decides.
    auto_select_businesses: bool | None = None


@dg.op(ins={"batch": stage_input(STAGE), "after": after_input()}, out=stage_output(STAGE), tags={"kind": "http"})
async def scan_place_details(
    context: dg.OpExecutionContext, batch: LoadedBatch, places: PlacesResource, config: DeepScanConfig
) -> BatchOutcome:
    """Fetch Place Details (address parts, phones, website, hours, categories...) for each place."""
    started = time.time()
    businesses: dict[int, BusinessRow] = {}

    async with places.client() as client:

        async def work(row) -> RowOutcome:
            try:
                details = await client.place_details(row["place_id"])
            except PlacesError as exc:
                return RowOutcome.failed(row["id"], exc.kind, exc.message)
            except ValueError as exc:
                return RowOutcome.failed(row["id"], "invalid_place", str(exc))
            businesses[row["id"]] = business_row(details, row["place_id"])
            return RowOutcome(row["id"], PS.COMPLETE)

        outcomes = await map_rows(
            batch.rows, work, concurrency=config.concurrency, budget_seconds=config.budget_seconds
        )
    complete = sorted(o.id for o in outcomes if o.status == PS.COMPLETE)
    errors = len(outcomes) - len(complete)
    context.log.info(f"{len(outcomes)} places scanned: {len(complete)} complete, {errors} errors")
    return BatchOutcome(
        STAGE, batch.keys, outcomes, started,
        row_batches={r["id"]: r["batch"] for r in batch.rows},
        side_writes=[BusinessUpsert([businesses[i] for i in complete if i in businesses])],
    )


@dg.op(out=stage_output(STAGE))
def apply_deep_scan_policies(
    context: dg.OpExecutionContext,
    scanned: BatchSummary,
    config: DeepScanPolicy,
    curation_policy: CurationPolicy,
) -> PolicyReport:
    """Optionally select the businesses of every scanned place (auto-select policy, off by default)."""
    auto = (
        curation_policy.auto_select_businesses
        if config.auto_select_businesses is None
        else config.auto_select_businesses
    )
    selections = [AutoSelectBusinesses(scanned.complete_ids)] if auto and scanned.complete_ids else []
    return PolicyReport(scanned, [], selections)


@stage_asset(
    "local_businesses",
    group="places",
    partitions_def=deep_scan_batches,
    after=places_asset,
    description="Local businesses from Google Place Details (name, address and its parts, phones, website, "
    "rating, reviews, categories, price level, location, time zone, weekday hours, business status), "
    "upserted by place id; a re-scan refreshes data and keeps curation. One partition per claimed batch "
    "of selected places (places.deep_scan_status).",
)
def local_businesses_asset(after):
    return apply_deep_scan_policies(scan_place_details(after=after))
