"""The code location the reliability daemon loads: the product's Definitions, tuned for a short suite.

`build_definitions` wires every asset, stage job, stall check and sensor exactly as the product
does; only the claim sensors are limited to the stages a scenario drives
(`SCRAPERSKY_TEST_SENSOR_STAGES`, default domain_scan and place_search), so a scan does not set off
the whole sitemap chain, batches of the domain scan are smaller (`SCRAPERSKY_TEST_BATCH_SIZE`) so a
few dozen rows make several runs, and the stall sensor ticks every 10 s instead of every minute.
"""

from __future__ import annotations

import dataclasses
import os

from scrapersky_pipelines.definitions import STAGES, build_definitions

SENSOR_STAGES = tuple(
    s.strip() for s in os.environ.get("SCRAPERSKY_TEST_SENSOR_STAGES", "domain_scan,place_search").split(",") if s.strip()
)
BATCH_SIZE = int(os.environ.get("SCRAPERSKY_TEST_BATCH_SIZE", "20"))


def _trimmed(spec):
    return dataclasses.replace(spec, batch_size=BATCH_SIZE) if spec.stage == "domain_scan" else spec


defs = build_definitions([_trimmed(s) for s in STAGES], claim_stages=SENSOR_STAGES, stall_interval_seconds=10)
