"""WF1 places search as a graph-backed asset: run each queued search, upsert the places it finds."""

import time

import dagster as dg

from scrapersky_pipelines.db.batches import BatchOutcome, BatchSummary, LoadedBatch, RowOutcome
from scrapersky_pipelines.db.curation import AutoSelectPlaces, PolicyReport
from scrapersky_pipelines.db.enums import ProcessingStatus as PS
from scrapersky_pipelines.db.places import PlaceRow, PlaceUpsert
from scrapersky_pipelines.defs.batching import map_rows
from scrapersky_pipelines.defs.queues.stage import stage_asset, stage_input, stage_output
from scrapersky_pipelines.lib.places import MAX_RESULTS, PlacesError
from scrapersky_pipelines.resources.places import CurationPolicy, PlacesResource

from .partitions import place_search_batches
from .records import place_row

STAGE = "place_search"


class SearchConfig(dg.Config):
    concurrency: int = 2
    #: One search is at most 3 pages; legacy page tokens add a few seconds each.
    budget_seconds: float = 300.0


class SearchPolicy(dg.Config):
    #: Select the places found (queues their deep scans). None: the `curation_policy` resource decides.
    auto_select_places: bool | None = None


@dg.op(ins={"batch": stage_input(STAGE)}, out=stage_output(STAGE), tags={"kind": "http"})
async def run_place_searches(
    context: dg.OpExecutionContext, batch: LoadedBatch, places: PlacesResource, config: SearchConfig
) -> BatchOutcome:
    """Text Search "<business type> in <location>" per row, following page tokens up to its max results."""
    started = time.time()
    found: dict[int, list[PlaceRow]] = {}

    async with places.client() as client:

        async def work(row) -> RowOutcome:
            try:
                outcome = await client.search_text(
                    row["business_type"],
                    row["location"],
                    radius_km=row["radius_km"],
                    lat=row["lat"],
                    lng=row["lng"],
                    max_results=row["max_results"] or MAX_RESULTS,
                )
            except PlacesError as exc:
                return RowOutcome.failed(row["id"], exc.kind, exc.message)
            except ValueError as exc:
                return RowOutcome.failed(row["id"], "invalid_search", str(exc))
            found[row["id"]] = [place_row(p, row, outcome.query) for p in outcome.places]
            values = {
                "places_found": len(outcome.places),
                "pages_fetched": outcome.pages,
                "warnings": list(outcome.warnings) or None,
            }
            return RowOutcome(row["id"], PS.COMPLETE, values=values)

        outcomes = await map_rows(
            batch.rows, work, concurrency=config.concurrency, budget_seconds=config.budget_seconds
        )
    complete = [o.id for o in outcomes if o.status == PS.COMPLETE]
    rows = [p for sid in sorted(complete) for p in found.get(sid, [])]
    context.log.info(
        f"{len(outcomes)} searches: {len(complete)} complete, {len(outcomes) - len(complete)} errors, "
        f"{len(rows)} places"
    )
    return BatchOutcome(
        STAGE, batch.keys, outcomes, started,
        row_batches={r["id"]: r["batch"] for r in batch.rows},
        side_writes=[PlaceUpsert(rows)],
    )


@dg.op(out=stage_output(STAGE))
def apply_search_policies(
    context: dg.OpExecutionContext,
    searched: BatchSummary,
    config: SearchPolicy,
    curation_policy: CurationPolicy,
) -> PolicyReport:
    """Optionally select the places of every completed search (auto-select policy, off by default)."""
    auto = config.auto_select_places
    if auto is None:
        auto = curation_policy.auto_select_places
    selections = [AutoSelectPlaces(searched.complete_ids)] if auto and searched.complete_ids else []
    return PolicyReport(searched, [], selections)


@stage_asset(
    "places",
    group="places",
    partitions_def=place_search_batches,
    description="Google Places text-search results, upserted by place id into `places` (search fields and "
    "raw JSON refreshed, curation kept). One partition per claimed batch of `place_searches`; each search "
    "ends Complete with places_found / pages_fetched, or Error with the reason in search_error.",
)
def places_asset():
    return apply_search_policies(run_place_searches())
