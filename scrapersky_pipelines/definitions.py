"""The code location's one composition root: every stage group's assets, jobs, sensors and stall checks."""

from __future__ import annotations

import gc
from collections.abc import Collection, Sequence

import dagster as dg

from scrapersky_pipelines.defs import contacts, domains, places, sitemaps
from scrapersky_pipelines.defs.queues.group import StageGroup
from scrapersky_pipelines.defs.queues.sensors import build_failure_sensor, build_queue_sensor, build_reaper_sensor
from scrapersky_pipelines.defs.queues.stage import StageSpec, requires_io_manager
from scrapersky_pipelines.defs.queues.stalls import build_stall_checks, build_stall_sensor
from scrapersky_pipelines.defs.resources import build_resources

GROUPS: tuple[StageGroup, ...] = (places.GROUP, domains.GROUP, sitemaps.GROUP, contacts.GROUP)
STAGES = tuple(spec for group in GROUPS for spec in group.stages)


def build_definitions(
    stages: Sequence[StageSpec] = STAGES,
    *,
    claim_stages: Collection[str] | None = None,
    stall_interval_seconds: int = 60,
) -> dg.Definitions:
    """`stages` may be tuned copies of STAGES (batch size, tick interval) and `claim_stages` may
    limit which stages get a claim sensor: the reliability suite's daemon location uses both."""
    stage_jobs = {spec.stage: spec.job() for spec in stages}
    sensors = [
        build_queue_sensor(spec, stage_jobs[spec.stage])
        for spec in stages
        if claim_stages is None or spec.stage in claim_stages
    ]
    sensors += [
        build_reaper_sensor([s.stage for s in stages]),
        build_failure_sensor(),
        build_stall_sensor(stages, interval_seconds=stall_interval_seconds),
    ]
    return dg.Definitions(
        assets=[a.with_hooks({requires_io_manager}) for g in GROUPS for a in g.assets],
        asset_checks=[*(c for g in GROUPS for c in g.asset_checks), *build_stall_checks(stages)],
        jobs=[*stage_jobs.values(), *(j for g in GROUPS for j in g.jobs)],
        sensors=[*sensors, *(s for g in GROUPS for s in g.sensors)],
        resources=build_resources(),
        # Runs of the implicit asset job (asset backfills, Materialize in the UI) run a batch's ops
        # in one process, like the stage jobs, instead of one subprocess per op.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
# Dagster and these definitions leave ~280k long-lived objects that every full collection in a run
# walked again (0.2-0.26 s a run); frozen, collections visit only what the run itself allocates.
gc.freeze()
