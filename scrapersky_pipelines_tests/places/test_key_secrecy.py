"""The API key never reaches the event log, run config, stored errors or Python logs, even when echoed back."""

from __future__ import annotations

import logging

import dagster as dg
import pytest

from scrapersky_pipelines.resources.places import API_KEY_ENV, build_places_resources

from .conftest import KEY, Pipeline, build_defs, cli, places_resource, rows

WRONG_KEY = "AIzaSy-wrong-but-still-secret-9913"


def run_text(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> str:
    entries = instance.all_logs(result.run_id)
    run = instance.get_run_by_id(result.run_id)
    return "\n".join([dg.serialize_value(e) for e in entries] + [repr(run.run_config), repr(run.tags)])


def test_key_stays_secret_through_retries_errors_and_scans(
    db, places_server, instance, api_key, caplog: pytest.LogCaptureFixture, capsys
) -> None:
    caplog.set_level(logging.DEBUG)
    pipeline = Pipeline(build_defs(places_resource(places_server)), instance)
    cli("search", "places", "quota dentist", "Boston, MA", "--max-results", "3")  # 429s, retried (logged)
    places_server.fail_next(1, "garbage", endpoint="search")
    pipeline.drain("place_search")
    cli("curate", "places", "--ids", "1", "2", "--set", "Selected")
    places_server.fail_next(1, 500, endpoint="details")
    pipeline.drain("deep_scan")
    # The legacy API carries the key as a query parameter: the riskiest path for URL logging.
    legacy = Pipeline(build_defs(places_resource(places_server, api="legacy")), instance)
    cli("search", "places", "lawyer", "Austin, TX", "--max-results", "25")
    legacy.drain("place_search")
    cli("curate", "places", "--where", "search_id=2", "--set", "Selected")
    legacy.drain("deep_scan")
    pipeline.results += legacy.results
    assert rows("SELECT DISTINCT search_status FROM place_searches") == [("Complete",)]
    assert rows("SELECT DISTINCT deep_scan_status FROM places WHERE curation_status = 'Selected'") == [("Complete",)]
    assert places_server.count(outcome="ok", endpoint="details") == 27

    text = "\n".join(run_text(instance, r) for r in pipeline.results)
    assert "1 searches: 1 complete" in text and "rows_complete" in text  # the real event log was read
    assert "failed (quota, HTTP 429)" in caplog.text  # the retries were logged ...
    assert KEY not in text and KEY not in caplog.text and KEY not in capsys.readouterr().out  # ... without the key


@pytest.mark.parametrize("api", ["new", "legacy"])
def test_rejected_key_echoed_by_the_server_is_redacted(
    db, places_server, instance, monkeypatch, caplog: pytest.LogCaptureFixture, api: str
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(API_KEY_ENV, WRONG_KEY)
    pipeline = Pipeline(build_defs(places_resource(places_server, api=api)), instance)
    cli("search", "places", "dentist", "Boston, MA")
    [run] = pipeline.drain("place_search")
    status, error = rows("SELECT search_status, search_error FROM place_searches")[0]
    assert status == "Error" and error.startswith("denied: ") and "API key not valid" in error
    assert "[REDACTED]" in error and WRONG_KEY not in error
    assert places_server.count(outcome="denied") == 1  # never retried
    assert WRONG_KEY not in run_text(instance, run) and WRONG_KEY not in caplog.text


def test_resource_reads_the_key_from_an_env_var(monkeypatch) -> None:
    monkeypatch.setenv(API_KEY_ENV, KEY)
    monkeypatch.setenv("SCRAPERSKY_PLACES_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("SCRAPERSKY_PLACES_API", "legacy")
    places = build_places_resources()["places"]
    assert places.api == "legacy" and places.legacy_base_url == "http://127.0.0.1:9"
    # Dagster keeps the variable's name, not its value, in the resource's config.
    assert isinstance(places.api_key, dg.EnvVar)
    assert places.get_resource_definition().config_schema.default_value["api_key"] == {"env": API_KEY_ENV}
    monkeypatch.delenv(API_KEY_ENV)
    unset = build_places_resources()["places"]
    with pytest.raises(dg.Failure, match="GOOGLE_PLACES_API_KEY"):
        unset.settings()
