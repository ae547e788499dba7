"""WF3 domain extraction as a graph-backed asset: a business website becomes a linked domain row."""

import time

import dagster as dg

from scrapersky_pipelines.db.batches import BatchOutcome, BatchSummary, LoadedBatch, RowOutcome, StageReport
from scrapersky_pipelines.db.enums import ProcessingStatus as PS
from scrapersky_pipelines.db.places import DomainLinks
from scrapersky_pipelines.defs.queues.stage import after_input, stage_asset, stage_input, stage_output
from scrapersky_pipelines.defs.places.deep_scan import local_businesses_asset
from scrapersky_pipelines.lib.domain_extraction import ExtractionKind, extract_domain

from .partitions import domain_extraction_batches

STAGE = "domain_extraction"


def extraction_outcome(row_id: int, website: str | None, links: list[tuple[int, str]]) -> RowOutcome:
    """Complete with a domain to link, Complete with the reason there is none, or Error for junk."""
    result = extract_domain(website)
    if result.kind is ExtractionKind.DOMAIN:
        assert result.domain is not None
        links.append((row_id, result.domain))
        return RowOutcome(row_id, PS.COMPLETE, values={"extraction_note": None})
    values = {"domain_id": None, "extraction_note": result.reason}
    if result.kind is ExtractionKind.INVALID:
        return RowOutcome(row_id, PS.ERROR, f"invalid_website: {result.reason}", "invalid_website", values)
    return RowOutcome(row_id, PS.COMPLETE, values=values)


@dg.op(ins={"batch": stage_input(STAGE), "after": after_input()}, out=stage_output(STAGE))
def extract_website_domains(context: dg.OpExecutionContext, batch: LoadedBatch) -> BatchOutcome:
    """Website → registrable domain (offline); new domains are inserted Queued for the metadata scan."""
    started = time.time()
    links: list[tuple[int, str]] = []
    outcomes = [extraction_outcome(r["id"], r["website_url"], links) for r in batch.rows]
    context.log.info(f"{len(outcomes)} websites: {len(links)} domains, {len(outcomes) - len(links)} without one")
    return BatchOutcome(
        STAGE, batch.keys, outcomes, started,
        row_batches={r["id"]: r["batch"] for r in batch.rows},
        side_writes=[DomainLinks(list(batch.keys), links)],
    )


@dg.op(out=stage_output(STAGE))
def report_extraction(extracted: BatchSummary) -> StageReport:
    """No policy: new domains are already queued for the metadata scan by the insert itself."""
    return StageReport(extracted)


@stage_asset(
    "business_domains",
    group="places",
    partitions_def=domain_extraction_batches,
    after=local_businesses_asset,
    description="Each selected local business's website as a registrable domain (public-suffix aware, IDN "
    "as punycode, no www), linked to the existing `domains` row or inserted and queued for the metadata "
    "scan. No website or a hosted-platform page ends Complete with that reason in extraction_note.",
)
def business_domains_asset(after):
    return report_extraction(extract_website_domains(after=after))
