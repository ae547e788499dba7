"""WF1: a search queued by the CLI or the launchpad job, run by its sensor against the fake Places API."""

from __future__ import annotations

import dagster as dg
import httpx
import pytest

from scrapersky_pipelines.demo.places_server import FakePlacesServer

from .conftest import KEY, Pipeline, build_defs, cli, execute, places_resource, rows, scalar


def search_row(search_id: int = 1):
    return rows(
        "SELECT search_status, search_error, places_found, pages_fetched, warnings FROM place_searches WHERE id = :i",
        i=search_id,
    )[0]


def test_search_paginates_to_60_and_completes(pipeline: Pipeline, places_server: FakePlacesServer, capsys) -> None:
    assert cli("search", "places", "dentist", "Boston, MA") == 0
    assert 'search 1 queued: "dentist in Boston, MA"' in capsys.readouterr().out
    assert scalar("SELECT search_status FROM place_searches") == "Queued"

    [run] = pipeline.drain("place_search")
    assert run.success
    status, error, found, pages, warnings = search_row()
    assert (status, error, found, pages, warnings) == ("Complete", None, 60, 3, None)
    places = rows("SELECT place_id, name, business_type, search_id, search_query, search_location, raw->>'id', "
                  "curation_status, deep_scan_status FROM places ORDER BY id")
    expected = places_server.places_for("dentist in Boston, MA")
    assert [p[0] for p in places] == [e["id"] for e in expected]
    assert places[0][1:] == (expected[0]["displayName"]["text"], "dentist", 1, "dentist in Boston, MA",
                             "Boston, MA", expected[0]["id"], "New", None)
    assert places_server.count(endpoint="search", outcome="ok") == 3
    meta = run.asset_materializations_for_node("places")[0].metadata
    assert meta["rows_complete"].value == 1 and meta["rows_error"].value == 0


def test_legacy_api_waits_out_the_page_token_window(db, places_server, instance, api_key) -> None:
    pipeline = Pipeline(build_defs(places_resource(places_server, api="legacy")), instance)
    assert cli("search", "places", "plumber", "Austin, TX") == 0
    pipeline.drain("place_search")
    assert search_row()[:4] == ("Complete", None, 60, 3)
    # The fake server's tokens are not valid for 0.2 s; the client waited and retried instead of failing.
    assert places_server.count(outcome="premature_token") >= 1
    assert scalar("SELECT count(DISTINCT place_id) FROM places") == 60


def test_max_results_bias_and_radius_warning(pipeline: Pipeline, places_server: FakePlacesServer) -> None:
    assert cli("search", "places", "bakery", "Denver, CO", "--max-results", "25", "--radius-km", "5",
               "--lat", "39.74", "--lng", "-104.99") == 0
    assert cli("search", "places", "bakery", "Denver, CO", "--max-results", "5", "--radius-km", "5") == 0
    pipeline.drain("place_search")
    assert search_row(1)[:5] == ("Complete", None, 25, 2, None)
    status, _, found, pages, warnings = search_row(2)
    assert (status, found, pages) == ("Complete", 5, 1)
    assert warnings and "radius_km=5.0 ignored" in warnings[0]


def test_invalid_cli_searches_are_refused(db, capsys) -> None:
    assert cli("search", "places", "  ", "Boston, MA") == 2
    assert cli("search", "places", "dentist", "Boston, MA", "--max-results", "61") == 2
    assert cli("search", "places", "dentist", "Boston, MA", "--radius-km", "0") == 2
    assert cli("search", "places", "dentist", "Boston, MA", "--lat", "42") == 2
    err = capsys.readouterr().err
    assert "business type is empty" in err and "between 1 and 60" in err and "lat and lng together" in err
    assert scalar("SELECT count(*) FROM place_searches") == 0


def test_launchpad_job_queues_a_search(pipeline: Pipeline) -> None:
    result = pipeline.launch("search_places", {"queue_place_search": {"config": {
        "business_type": "florist", "location": "Seattle, WA", "max_results": 20}}})
    assert result.success
    assert rows("SELECT business_type, location, max_results, search_status FROM place_searches") == [
        ("florist", "Seattle, WA", 20, "Queued")]
    bad = pipeline.launch("search_places", {"queue_place_search": {"config": {
        "business_type": "florist", "location": "", "max_results": 20}}})
    assert not bad.success
    assert scalar("SELECT count(*) FROM place_searches") == 1


def test_quota_then_recovery(pipeline: Pipeline, places_server: FakePlacesServer) -> None:
    cli("search", "places", "quota dentist", "Chicago, IL")
    pipeline.drain("place_search")
    assert search_row()[:4] == ("Complete", None, 60, 3)
    assert places_server.count(outcome="quota") == 2  # two 429s, then the retries got through


def test_quota_exhausted_is_an_error_with_the_reason(pipeline: Pipeline, places_server: FakePlacesServer) -> None:
    cli("search", "places", "dentist", "Miami, FL")
    places_server.fail_next(10, 429, endpoint="search")
    pipeline.drain("place_search")
    status, error, found, _, _ = search_row()
    assert status == "Error" and error.startswith("quota: ") and "HTTP 429" in error and found is None
    assert places_server.count(outcome="injected") == 4  # max_attempts, then gave up
    assert scalar("SELECT count(*) FROM places") == 0


@pytest.mark.parametrize(
    ("business", "kind", "calls"),
    [("garbage dentist", "malformed_response", 2), ("boom dentist", "server", 4), ("badkey dentist", "denied", 1)],
)
def test_failing_searches_end_in_error(pipeline: Pipeline, places_server: FakePlacesServer, business, kind, calls) -> None:
    cli("search", "places", business, "Phoenix, AZ")
    [run] = pipeline.drain("place_search")
    assert run.success  # a failed search is a row outcome, not a failed run
    status, error, *_ = search_row()
    assert status == "Error" and error.split(":", 1)[0] == kind
    assert places_server.count(endpoint="search") == calls  # malformed retried once, 5xx to the cap, 403 never


def test_zero_results_is_complete_with_nothing(pipeline: Pipeline) -> None:
    cli("search", "places", "nothing here", "Nowhere, TX")
    pipeline.drain("place_search")
    assert search_row()[:4] == ("Complete", None, 0, 1)
    assert scalar("SELECT count(*) FROM places") == 0


def test_research_refreshes_without_duplicates_and_keeps_curation(pipeline: Pipeline) -> None:
    cli("search", "places", "dentist", "Boston, MA")
    pipeline.drain("place_search")
    assert cli("curate", "places", "--ids", "1", "2", "--set", "Selected") == 0
    assert cli("curate", "places", "--ids", "3", "--set", "NotAFit") == 0
    execute("UPDATE places SET name = 'stale', raw = '{}'::jsonb, rating = NULL WHERE id = 4")
    before = rows("SELECT id, place_id FROM places ORDER BY id")

    # The same search twice more, both in one batch: no duplicates, no ON CONFLICT clash.
    cli("search", "places", "dentist", "Boston, MA")
    cli("search", "places", "Dentist ", " Boston,  MA")
    pipeline.drain("place_search")
    assert [r[0] for r in rows("SELECT search_status FROM place_searches ORDER BY id")] == ["Complete"] * 3
    assert rows("SELECT id, place_id FROM places ORDER BY id") == before
    assert scalar("SELECT count(*) FROM places WHERE search_id = 1") == 0  # every place now points at a newer search
    name, raw_id, rating = rows("SELECT name, raw->>'id', rating FROM places WHERE id = 4")[0]
    assert name != "stale" and raw_id and rating is not None
    curation = rows("SELECT id, curation_status, deep_scan_status FROM places WHERE id <= 4 ORDER BY id")
    assert curation == [(1, "Selected", "Queued"), (2, "Selected", "Queued"), (3, "NotAFit", None), (4, "New", None)]


def test_page_tokens_are_bound_to_their_request(places_server: FakePlacesServer) -> None:
    """Token misuse against the fake API: only an identical body may carry the token, and only once valid."""
    url = f"{places_server.base_url}/v1/places:searchText"
    headers = {"X-Goog-Api-Key": KEY, "X-Goog-FieldMask": "places.id,nextPageToken"}
    body = {"textQuery": "dentist in Boston, MA", "pageSize": 20}
    with httpx.Client(timeout=5) as http:
        first = http.post(url, json=body, headers=headers).json()
        token = first["nextPageToken"]
        changed = http.post(url, json={**body, "textQuery": "dentist in Austin, TX", "pageToken": token}, headers=headers)
        assert changed.status_code == 400 and "only the page token may change" in changed.text
        forged = http.post(url, json={**body, "pageToken": "forged"}, headers=headers)
        assert forged.status_code == 400
        second = http.post(url, json={**body, "pageToken": token}, headers=headers)
        assert second.status_code == 200 and len(second.json()["places"]) == 20
        legacy = f"{places_server.base_url}/maps/api/place/textsearch/json"
        page1 = http.get(legacy, params={"query": "dentist in Boston, MA", "key": KEY}).json()
        early = http.get(legacy, params={"pagetoken": page1["next_page_token"], "key": KEY}).json()
        assert early["status"] == "INVALID_REQUEST"  # not valid yet
    assert places_server.count(outcome="token_mismatch") == 1
    assert places_server.count(outcome="premature_token") == 1


def test_search_stage_metadata_lists_batches(pipeline: Pipeline) -> None:
    for city in ("Austin, TX", "Dallas, TX"):
        cli("search", "places", "roofer", city, "--max-results", "3")
    [run] = pipeline.drain("place_search")
    [mat] = run.asset_materializations_for_node("places")
    assert mat.metadata["rows"].value == 2 and mat.partition
    assert scalar("SELECT count(*) FROM places") == 6
    assert isinstance(mat.metadata["items_per_second"], dg.FloatMetadataValue)


def test_fake_server_stops_after_three_pages_whatever_the_page_size(places_server: FakePlacesServer) -> None:
    url = f"{places_server.base_url}/v1/places:searchText"
    headers = {"X-Goog-Api-Key": KEY, "X-Goog-FieldMask": "places.id,nextPageToken"}
    body = {"textQuery": "cafe in Tampa, FL", "pageSize": 5}
    pages, token = [], None
    with httpx.Client(timeout=5) as http:
        while True:
            data = http.post(url, json=body if token is None else {**body, "pageToken": token}, headers=headers).json()
            pages.append(len(data["places"]))
            token = data.get("nextPageToken")
            if not token:
                break
    assert pages == [5, 5, 5]
