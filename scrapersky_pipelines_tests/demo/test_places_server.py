"""The fake Google Places server keeps Google's rules: keys, field masks, bound page tokens, faults."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from scrapersky_pipelines.demo.places_data import decode_place_id, encode_place_id, site_pool
from scrapersky_pipelines.demo.places_server import FakePlacesServer

KEY = "srv-test-key-123"
SEARCH = "/v1/places:searchText"
LEGACY_SEARCH = "/maps/api/place/textsearch/json"
LEGACY_DETAILS = "/maps/api/place/details/json"


@pytest.fixture(scope="module")
def server() -> Iterator[FakePlacesServer]:
    with FakePlacesServer(api_key=KEY, token_delay=0.05, quota_failures=2) as srv:
        yield srv


@pytest.fixture()
def http(server: FakePlacesServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, trust_env=False, timeout=10) as client:
        yield client


def search(
    http: httpx.Client, body: dict[str, Any], mask: str | None = "*", key: str | None = KEY
) -> httpx.Response:
    headers = {}
    if mask is not None:
        headers["X-Goog-FieldMask"] = mask
    if key is not None:
        headers["X-Goog-Api-Key"] = key
    return http.post(SEARCH, json=body, headers=headers)


def legacy(http: httpx.Client, path: str, **params: str) -> dict[str, Any]:
    resp = http.get(path, params={"key": KEY, **params})
    assert resp.status_code == 200
    return resp.json()


def wait_for_legacy_page(http: httpx.Client, token: str) -> dict[str, Any]:
    for _ in range(200):
        data = legacy(http, LEGACY_SEARCH, pagetoken=token)
        if data["status"] != "INVALID_REQUEST":
            return data
        time.sleep(0.02)
    raise AssertionError("token never became valid")


# ----- field masks --------------------------------------------------------------------------


def test_missing_field_mask_is_400_like_google(http: httpx.Client) -> None:
    resp = search(http, {"textQuery": "dentist in Austin, TX"}, mask=None)
    assert resp.status_code == 400
    assert resp.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert "FieldMask" in resp.json()["error"]["message"]

    pid = search(http, {"textQuery": "dentist in Austin, TX"}, mask="places.id").json()["places"][0]["id"]
    resp = http.get(f"/v1/places/{pid}", headers={"X-Goog-Api-Key": KEY})
    assert resp.status_code == 400


def test_only_masked_fields_come_back(http: httpx.Client) -> None:
    resp = search(http, {"textQuery": "dentist in Austin, TX"}, mask="places.id,places.displayName")
    data = resp.json()
    assert resp.status_code == 200
    assert set(data) == {"places"}  # nextPageToken not asked for
    assert all(set(p) == {"id", "displayName"} for p in data["places"])

    mask = "places.location.latitude,nextPageToken"
    nested = search(http, {"textQuery": "dentist in Austin, TX"}, mask=mask).json()
    assert set(nested) == {"places", "nextPageToken"}
    assert all(set(p) == {"location"} and set(p["location"]) == {"latitude"} for p in nested["places"])


def test_star_mask_and_fields_param(http: httpx.Client) -> None:
    full = search(http, {"textQuery": "dentist in Austin, TX"}, mask="*").json()
    assert "nextPageToken" in full and "addressComponents" in full["places"][0]
    pid = full["places"][0]["id"]
    resp = http.get(
        f"/v1/places/{pid}", params={"fields": "id,websiteUri,timeZone"}, headers={"X-Goog-Api-Key": KEY}
    )
    assert resp.status_code == 200
    assert set(resp.json()) <= {"id", "websiteUri", "timeZone"} and "id" in resp.json()


def test_unknown_mask_field_is_400(http: httpx.Client) -> None:
    resp = search(http, {"textQuery": "dentist in Austin, TX"}, mask="places.id,places.shoeSize")
    assert resp.status_code == 400
    assert "places.shoeSize" in resp.json()["error"]["message"]


# ----- pagination and page tokens -----------------------------------------------------------


def test_three_pages_of_twenty_then_stop(server: FakePlacesServer, http: httpx.Client) -> None:
    server.set_result_count("bakery in Springfield, IL", 100)  # still capped at 60
    body = {"textQuery": "bakery in Springfield, IL"}
    ids: list[str] = []
    token = None
    for page in range(3):
        data = search(http, body if token is None else {**body, "pageToken": token}).json()
        assert len(data["places"]) == 20
        ids += [p["id"] for p in data["places"]]
        token = data.get("nextPageToken")
        assert (token is None) == (page == 2)
    assert len(set(ids)) == 60


def test_page_token_is_bound_to_the_request(http: httpx.Client) -> None:
    body = {"textQuery": "plumber in Denver, CO", "pageSize": 20}
    token = search(http, body).json()["nextPageToken"]

    other_query = search(http, {**body, "textQuery": "lawyer in Denver, CO", "pageToken": token})
    assert other_query.status_code == 400
    assert other_query.json()["error"]["status"] == "INVALID_ARGUMENT"

    other_size = search(http, {**body, "pageSize": 10, "pageToken": token})
    assert other_size.status_code == 400

    bogus = search(http, {**body, "pageToken": "not-a-token"})
    assert bogus.status_code == 400

    ok = search(http, {**body, "pageToken": token})
    assert ok.status_code == 200 and len(ok.json()["places"]) == 20


def test_page_size_and_partial_last_page(server: FakePlacesServer, http: httpx.Client) -> None:
    server.set_result_count("florist in Tempe, AZ", 27)
    body = {"textQuery": "florist in Tempe, AZ", "pageSize": 50}  # coerced to 20
    first = search(http, body).json()
    second = search(http, {**body, "pageToken": first["nextPageToken"]}).json()
    assert (len(first["places"]), len(second["places"])) == (20, 7)
    assert "nextPageToken" not in second


def test_legacy_token_not_valid_at_once(server: FakePlacesServer, http: httpx.Client) -> None:
    server.token_delay = 60.0  # read when the token is issued
    try:
        first = legacy(http, LEGACY_SEARCH, query="dentist in Seattle, WA")
    finally:
        server.token_delay = 0.05
    assert first["status"] == "OK" and len(first["results"]) == 20
    early = legacy(http, LEGACY_SEARCH, pagetoken=first["next_page_token"])
    assert early["status"] == "INVALID_REQUEST" and early["results"] == []
    assert server.count(outcome="premature_token", query="dentist in Seattle, WA") >= 1

    fresh = legacy(http, LEGACY_SEARCH, query="dentist in Seattle, WA")
    page2 = wait_for_legacy_page(http, fresh["next_page_token"])
    assert page2["status"] == "OK" and len(page2["results"]) == 20
    assert {r["place_id"] for r in page2["results"]}.isdisjoint({r["place_id"] for r in fresh["results"]})


def test_legacy_token_with_other_query_is_rejected(http: httpx.Client) -> None:
    first = legacy(http, LEGACY_SEARCH, query="dentist in Boston, MA")
    wait_for_legacy_page(http, first["next_page_token"])  # valid by now
    mixed = legacy(http, LEGACY_SEARCH, query="plumber in Boston, MA", pagetoken=first["next_page_token"])
    assert mixed["status"] == "INVALID_REQUEST"
    same = legacy(http, LEGACY_SEARCH, query="dentist in Boston, MA", pagetoken=first["next_page_token"])
    assert same["status"] == "OK"


# ----- keys and faults ----------------------------------------------------------------------


def test_keys(http: httpx.Client) -> None:
    missing = search(http, {"textQuery": "dentist in Austin, TX"}, key=None)
    assert missing.status_code == 403 and missing.json()["error"]["status"] == "PERMISSION_DENIED"
    wrong = search(http, {"textQuery": "dentist in Austin, TX"}, key="bad-key")
    assert wrong.status_code == 403
    by_query = search(http, {"textQuery": "dentist badkey in Austin, TX"})
    assert by_query.status_code == 403
    denied = http.get(LEGACY_SEARCH, params={"query": "dentist in Austin", "key": "bad-key"}).json()
    assert denied["status"] == "REQUEST_DENIED" and denied["error_message"]


def test_query_triggered_faults(server: FakePlacesServer, http: httpx.Client) -> None:
    codes = [search(http, {"textQuery": "dentist quota in Reno"}).status_code for _ in range(3)]
    assert codes == [429, 429, 200]
    statuses = [legacy(http, LEGACY_SEARCH, query="vet quota in Reno")["status"] for _ in range(3)]
    assert statuses == ["OVER_QUERY_LIMIT", "OVER_QUERY_LIMIT", "OK"]

    boom = search(http, {"textQuery": "boom in Reno"})
    assert boom.status_code == 500 and boom.json()["error"]["status"] == "INTERNAL"
    assert http.get(LEGACY_SEARCH, params={"query": "boom in Reno", "key": KEY}).status_code == 500

    garbage = search(http, {"textQuery": "garbage in Reno"})
    assert garbage.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(garbage.text)

    assert search(http, {"textQuery": "nothing in Reno"}).json() == {}
    zero = legacy(http, LEGACY_SEARCH, query="nothing in Reno")
    assert zero["status"] == "ZERO_RESULTS" and zero["results"] == []


def test_fail_next(server: FakePlacesServer, http: httpx.Client) -> None:
    server.fail_next(2, 503)
    assert [search(http, {"textQuery": "cafe in Miami, FL"}).status_code for _ in range(3)] == [503, 503, 200]

    server.fail_next(1, "OVER_QUERY_LIMIT")
    assert search(http, {"textQuery": "cafe in Miami, FL"}).status_code == 429
    server.fail_next(1, "UNKNOWN_ERROR")
    assert legacy(http, LEGACY_SEARCH, query="cafe in Miami, FL")["status"] == "UNKNOWN_ERROR"
    server.fail_next(1, 429)
    assert legacy(http, LEGACY_SEARCH, query="cafe in Miami, FL")["status"] == "OVER_QUERY_LIMIT"

    # An injection aimed at details leaves searches alone.
    server.fail_next(1, "garbage", endpoint="details")
    data = search(http, {"textQuery": "cafe in Miami, FL"}, mask="places.id").json()
    pid = data["places"][0]["id"]
    bad = http.get(f"/v1/places/{pid}", headers={"X-Goog-Api-Key": KEY, "X-Goog-FieldMask": "id"})
    with pytest.raises(json.JSONDecodeError):
        json.loads(bad.text)
    good = http.get(f"/v1/places/{pid}", headers={"X-Goog-Api-Key": KEY, "X-Goog-FieldMask": "id"})
    assert good.json() == {"id": pid}


# ----- data ---------------------------------------------------------------------------------


def test_places_are_deterministic_across_servers(server: FakePlacesServer, http: httpx.Client) -> None:
    body = {"textQuery": "Dentist  in austin, tx"}  # same query, other spelling
    here = search(http, body).json()["places"]
    with FakePlacesServer(api_key=KEY) as other, httpx.Client(base_url=other.base_url, trust_env=False) as c:
        there = search(c, {"textQuery": "dentist in Austin, TX"}).json()["places"]
    assert here == there
    assert decode_place_id(here[3]["id"]) == ("dentist in austin, tx", 3)


def test_websites_point_at_the_synthetic_web(server: FakePlacesServer) -> None:
    places = server.places_for("dentist in Austin, TX")
    assert len(places) == 60
    websites = [p.get("websiteUri") for p in places]
    pool = set(site_pool(server.site_count, server.site_seed))
    own = [w for w in websites if w and w.startswith("http://")]
    assert websites.count(None) >= 3
    assert any(w and "facebook.com/" in w for w in websites)
    assert any(w and w.startswith("https://sites.google.com/") for w in websites)
    assert len(own) >= 40
    for w in own:
        m = re.fullmatch(r"http://([a-z0-9.-]+)/", w)
        assert m and m.group(1) in pool


def test_details_match_search_and_unknown_ids_are_404(http: httpx.Client) -> None:
    place = search(http, {"textQuery": "dentist in Austin, TX"}).json()["places"][4]
    headers = {"X-Goog-Api-Key": KEY, "X-Goog-FieldMask": "*"}
    details = http.get(f"/v1/places/{place['id']}", headers=headers).json()
    assert details == place
    for bogus in ("ChIJnot-base64!", "nonsense", encode_place_id("dentist in austin, tx", 99)):
        resp = http.get(f"/v1/places/{bogus}", headers={"X-Goog-Api-Key": KEY, "X-Goog-FieldMask": "id"})
        assert resp.status_code == 404 and resp.json()["error"]["status"] == "NOT_FOUND"
    assert legacy(http, LEGACY_DETAILS, place_id="nonsense")["status"] == "NOT_FOUND"


def test_legacy_shapes_and_fields_filter(http: httpx.Client) -> None:
    new = search(http, {"textQuery": "dentist in Austin, TX"}).json()["places"][0]
    hit = legacy(http, LEGACY_SEARCH, query="dentist in Austin, TX")["results"][0]
    assert hit["place_id"] == new["id"] and hit["name"] == new["displayName"]["text"]
    latlng = {"lat": new["location"]["latitude"], "lng": new["location"]["longitude"]}
    assert hit["geometry"]["location"] == latlng
    assert "website" not in hit  # Text Search results carry no contact data

    full = legacy(http, LEGACY_DETAILS, place_id=new["id"])
    assert full["status"] == "OK" and full["result"]["utc_offset"] == new["utcOffsetMinutes"]
    assert len(full["result"]["opening_hours"]["weekday_text"]) == 7

    some = legacy(http, LEGACY_DETAILS, place_id=new["id"], fields="name,geometry/location,address_component")
    assert set(some["result"]) == {"name", "geometry", "address_components"}
    assert set(some["result"]["geometry"]) == {"location"}

    bad = legacy(http, LEGACY_DETAILS, place_id=new["id"], fields="name,shoe_size")
    assert bad["status"] == "INVALID_REQUEST" and "shoe_size" in bad["error_message"]


# ----- running it ---------------------------------------------------------------------------


def test_async_start_stop_inside_a_loop() -> None:
    async def main() -> int:
        async with FakePlacesServer(api_key=KEY) as srv:
            async with httpx.AsyncClient(base_url=srv.base_url, trust_env=False) as client:
                resp = await client.get(LEGACY_SEARCH, params={"query": "dentist in Austin", "key": KEY})
                return len(resp.json()["results"])

    assert asyncio.run(main()) == 20


def test_command_line_server() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "scrapersky_pipelines.demo.places_server", "--port", "0", "--api-key", KEY]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            m = re.search(r"(http://127\.0\.0\.1:\d+)", line)
            assert m, f"no address in {line!r}"
            with httpx.Client(base_url=m.group(1), trust_env=False, timeout=10) as client:
                body = {"textQuery": "dentist in Austin, TX"}
                resp = client.post(SEARCH, json=body, headers={"X-Goog-Api-Key": KEY})
                assert resp.status_code == 400  # no field mask
        finally:
            proc.terminate()
            proc.wait(10)
