"""The Places group composes with the rest of the code location exactly as definitions.py would wire it."""

from __future__ import annotations

import dagster as dg

from scrapersky_pipelines.defs import domains, places
from scrapersky_pipelines.defs.queues.sensors import build_failure_sensor, build_queue_sensor, build_reaper_sensor
from scrapersky_pipelines.defs.resources import build_resources
from scrapersky_pipelines.resources.places import build_places_resources


def composed() -> dg.Definitions:
    groups = (domains.GROUP, places.GROUP)
    stages = [spec for g in groups for spec in g.stages]
    jobs = {spec.stage: spec.job() for spec in stages}
    sensors = [build_queue_sensor(spec, jobs[spec.stage]) for spec in stages]
    sensors += [build_reaper_sensor([s.stage for s in stages]), build_failure_sensor(list(jobs.values()))]
    return dg.Definitions(
        assets=[a for g in groups for a in g.assets],
        jobs=[*jobs.values(), *(j for g in groups for j in g.jobs)],
        sensors=sensors,
        resources={**build_resources(), **build_places_resources()},
    )


def test_places_group_composes_and_validates(monkeypatch) -> None:
    monkeypatch.delenv("GOOGLE_PLACES_API_KEY", raising=False)  # loading must not need the key
    defs = composed()
    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"places", "local_businesses", "business_domains", "domain_metadata"} <= keys
    for name in ("place_search_job", "deep_scan_job", "domain_extraction_job", "search_places", "curate"):
        assert defs.resolve_job_def(name)
    names = {s.name for s in defs.sensors}
    assert {"place_search_sensor", "deep_scan_sensor", "domain_extraction_sensor"} <= names
    assert all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in defs.sensors)
    group = {spec.stage: spec for spec in places.GROUP.stages}
    assert group["place_search"].batch_size == 5 and group["domain_extraction"].batch_size == 200
