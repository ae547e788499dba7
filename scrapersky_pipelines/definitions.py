"""The code location's one composition root: every stage group's assets, jobs and sensors."""

from __future__ import annotations

import dagster as dg

from scrapersky_pipelines.defs import contacts, domains, places, sitemaps
from scrapersky_pipelines.defs.queues.group import StageGroup
from scrapersky_pipelines.defs.queues.sensors import build_failure_sensor, build_queue_sensor, build_reaper_sensor
from scrapersky_pipelines.defs.queues.stage import requires_io_manager
from scrapersky_pipelines.defs.resources import build_resources

GROUPS: tuple[StageGroup, ...] = (places.GROUP, domains.GROUP, sitemaps.GROUP, contacts.GROUP)
STAGES = tuple(spec for group in GROUPS for spec in group.stages)


def build_definitions() -> dg.Definitions:
    stage_jobs = {spec.stage: spec.job() for spec in STAGES}
    sensors = [build_queue_sensor(spec, stage_jobs[spec.stage]) for spec in STAGES]
    sensors += [build_reaper_sensor([s.stage for s in STAGES]), build_failure_sensor()]
    return dg.Definitions(
        assets=[a.with_hooks({requires_io_manager}) for g in GROUPS for a in g.assets],
        asset_checks=[c for g in GROUPS for c in g.asset_checks],
        jobs=[*stage_jobs.values(), *(j for g in GROUPS for j in g.jobs)],
        sensors=[*sensors, *(s for g in GROUPS for s in g.sensors)],
        resources=build_resources(),
        # Runs of the implicit asset job (asset backfills, Materialize in the UI) run a batch's ops
        # in one process, like the stage jobs, instead of one subprocess per op.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
