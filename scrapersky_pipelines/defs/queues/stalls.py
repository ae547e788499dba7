"""Stall visibility: one `queue_not_stalled` asset check per stage asset, and a sensor that reports it.

The original system's sitemap queue stalled silently for 69 days. Here every stage asset carries
a check that fails when its queue holds rows nobody works on (see `db/stalls.py`), and
`queue_stall_sensor` evaluates every stage each minute and records the checks' results itself, so a
stall turns the asset's check red in the UI within a minute or two without launching any run. The
sensor records an evaluation when a stage's state changes and refreshes it hourly (the event log
is not filled with identical results); its tick message lists the stalled queues. Operators can
also execute the checks from the UI, with thresholds editable in the Launchpad.
"""

# No `from __future__ import annotations`: Dagster reads the check's config annotation at definition time.
import json
import time
from collections.abc import Sequence

import dagster as dg

from scrapersky_pipelines.db.stalls import QueueHealth, StallThresholds, queue_health
from scrapersky_pipelines.resources.database import Database

from .stage import StageSpec

CHECK_NAME = "queue_not_stalled"
SENSOR_NAME = "queue_stall_sensor"


def stall_check_key(spec: StageSpec) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(spec.asset_key, CHECK_NAME)


def _evaluation_fields(health: QueueHealth) -> dict:
    return {
        "passed": not health.stalled,
        "severity": dg.AssetCheckSeverity.ERROR,
        "description": health.describe(),
        "metadata": health.as_metadata(),
    }


def _thresholds_config(defaults: StallThresholds) -> type[dg.Config]:
    class StallCheckConfig(dg.Config):
        queued_minutes: float = defaults.queued_seconds / 60
        processing_grace_minutes: float = defaults.processing_grace_seconds / 60

        def thresholds(self) -> StallThresholds:
            return StallThresholds(round(self.queued_minutes * 60), round(self.processing_grace_minutes * 60))

    return StallCheckConfig


def build_stall_checks(
    stages: Sequence[StageSpec], thresholds: StallThresholds | None = None
) -> list[dg.AssetChecksDefinition]:
    """One non-blocking `queue_not_stalled` check per stage asset."""
    defaults = thresholds or StallThresholds.from_env()
    config_type = _thresholds_config(defaults)
    return [_stall_check(spec, config_type) for spec in stages]


def _stall_check(spec: StageSpec, config_type: type[dg.Config]) -> dg.AssetChecksDefinition:
    q = spec.queue

    @dg.asset_check(
        asset=spec.asset_key,
        name=CHECK_NAME,
        blocking=False,
        description=f"Fails when {q.table.name}.{q.prefix}_status holds rows nobody works on: Queued past the "
        f"threshold with no {spec.stage} batch claimed meanwhile, or Processing past lease + grace.",
    )
    def _check(database: Database, config: config_type) -> dg.AssetCheckResult:  # type: ignore[valid-type]
        health = database.run(lambda s: queue_health(s, q, config.thresholds()))
        return dg.AssetCheckResult(**_evaluation_fields(health))

    return _check


def build_stall_sensor(
    stages: Sequence[StageSpec],
    thresholds: StallThresholds | None = None,
    *,
    interval_seconds: int = 60,
    refresh_seconds: int = 3600,
) -> dg.SensorDefinition:
    """Evaluates every stage queue each tick; records `queue_not_stalled` results (pair with the checks)."""
    limits = thresholds or StallThresholds.from_env()
    specs = list(stages)

    @dg.sensor(
        name=SENSOR_NAME,
        minimum_interval_seconds=interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Flags stage queues whose rows stay Queued (no batch claimed) or Processing (past lease + "
        "grace) beyond the thresholds, by recording each stage asset's queue_not_stalled check.",
    )
    def queue_stall_sensor(context: dg.SensorEvaluationContext, database: Database) -> dg.SensorResult:
        cursor = _load_cursor(context.cursor)
        now = time.time()
        events: list[dg.AssetCheckEvaluation] = []
        stalled: list[str] = []
        for spec in specs:
            health = database.run(lambda s: queue_health(s, spec.queue, limits))
            state = [health.queued_stalled, health.processing_stalled]
            previous = cursor.get(spec.stage)
            if previous is None or previous["state"] != state or now - previous["at"] >= refresh_seconds:
                events.append(
                    dg.AssetCheckEvaluation(
                        asset_key=spec.asset_key, check_name=CHECK_NAME, **_evaluation_fields(health)
                    )
                )
                cursor[spec.stage] = {"state": state, "at": now}
            if health.stalled:
                stalled.append(health.describe())
                context.log.warning(health.describe())
        message = (
            f"{len(stalled)} stalled queue(s): " + " | ".join(stalled)
            if stalled
            else f"no stalled queues among {len(specs)} stages"
        )
        return dg.SensorResult(asset_events=events, cursor=json.dumps(cursor), skip_reason=message)

    return queue_stall_sensor


def _load_cursor(raw: str | None) -> dict:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
