"""The code location's one composition root."""

from __future__ import annotations

import dagster as dg

from scrapersky_pipelines.defs.domains.assets import domain_metadata
from scrapersky_pipelines.defs.domains.jobs import submit_domains
from scrapersky_pipelines.defs.domains.partitions import domain_scan_batches
from scrapersky_pipelines.defs.queues.sensors import build_failure_sensor, build_queue_sensor, build_reaper_sensor
from scrapersky_pipelines.defs.queues.stage import StageSpec
from scrapersky_pipelines.defs.resources import build_resources

STAGES = (
    StageSpec("domain_scan", domain_scan_batches, domain_metadata.key, batch_size=100),
)


def build_definitions() -> dg.Definitions:
    jobs = {spec.stage: spec.job() for spec in STAGES}
    sensors = [build_queue_sensor(spec, jobs[spec.stage]) for spec in STAGES]
    sensors += [build_reaper_sensor([s.stage for s in STAGES]), build_failure_sensor(list(jobs.values()))]
    return dg.Definitions(
        assets=[domain_metadata],
        jobs=[*jobs.values(), submit_domains],
        sensors=sensors,
        resources=build_resources(),
    )


defs = build_definitions()
