"""The Places client against the fake Places server on loopback, plus its pure parsing helpers."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import socket
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from scrapersky_pipelines.demo.places_server import FakePlacesServer
from scrapersky_pipelines.lib.places import (
    PlaceDetails,
    PlacesClient,
    PlacesError,
    PlacesSettings,
    SearchOutcome,
    build_text_query,
)
from scrapersky_pipelines.lib.places_http import backoff_delay
from scrapersky_pipelines.lib.places_parse import (
    address_parts,
    legacy_details,
    new_summary,
    price_level,
    primary_of,
    timezone_label,
    weekday_hours,
)
from scrapersky_pipelines.lib.places_records import redact

KEY = "sk-5eCr3t-places-key"
T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@pytest.fixture(scope="module")
def server() -> Iterator[FakePlacesServer]:
    with FakePlacesServer(api_key=KEY, token_delay=0.05, quota_failures=2) as srv:
        yield srv


def settings(server: FakePlacesServer, api: str = "new", **overrides: Any) -> PlacesSettings:
    values: dict[str, Any] = {
        "api_key": KEY,
        "base_url": server.base_url,
        "legacy_base_url": server.base_url,
        "api": api,
        "max_attempts": 4,
        "backoff_base": 0.001,
        "backoff_max": 0.005,
        "legacy_token_delay": 0.0,
        "token_retries": 100,
        "token_retry_delay": 0.02,
        "connect_timeout": 2.0,
        "timeout": 5.0,
        "total_timeout": 10.0,
    }
    values.update(overrides)
    return PlacesSettings(**values)


async def _search(s: PlacesSettings, business: str, location: str, **kw: Any) -> SearchOutcome:
    async with PlacesClient(s) as client:
        return await client.search_text(business, location, **kw)


async def _details(s: PlacesSettings, place_id: str) -> PlaceDetails:
    async with PlacesClient(s) as client:
        return await client.place_details(place_id)


def search(s: PlacesSettings, business: str, location: str, **kw: Any) -> SearchOutcome:
    return run(_search(s, business, location, **kw))


def failure(s: PlacesSettings, business: str, location: str, **kw: Any) -> PlacesError:
    with pytest.raises(PlacesError) as info:
        search(s, business, location, **kw)
    return info.value


APIS = pytest.mark.parametrize("api", ["new", "legacy"])


# ----- searching and paging -----------------------------------------------------------------


@APIS
def test_search_follows_pages_to_60(server: FakePlacesServer, api: str) -> None:
    out = search(settings(server, api), "dentist", "Austin, TX", lat=30.27, lng=-97.74, radius_km=5)
    assert (len(out.places), out.pages, out.status) == (60, 3, "OK")
    assert len({p.place_id for p in out.places}) == 60
    assert out.query == "dentist in Austin, TX" and out.location_bias and out.warnings == ()
    first = out.places[0]
    assert first.name and first.formatted_address and first.lat is not None and first.lng is not None
    assert first.types[0] == "dentist" and first.primary_type == "dentist"
    assert first.rating is not None and first.user_ratings_total is not None and first.business_status


def test_new_search_sends_bias_field_mask_and_identical_page_bodies(server: FakePlacesServer) -> None:
    # The server rejects a page token whose body differs in anything but pageToken, and a
    # missing or unknown field mask; three clean pages prove both.
    query = "roofer in Mesa, AZ"
    out = search(settings(server), "roofer", "Mesa, AZ", lat=33.4, lng=-111.8)
    assert out.pages == 3
    assert server.count(query=query, outcome="ok") == 3
    assert server.count(query=query, outcome="token_mismatch") == 0


@APIS
def test_max_results_is_respected(server: FakePlacesServer, api: str) -> None:
    s = settings(server, api)
    out = search(s, "plumber", "Denver, CO", max_results=25)
    assert (len(out.places), out.pages) == (25, 2)
    out = search(s, "plumber", "Denver, CO", max_results=20)
    assert (len(out.places), out.pages) == (20, 1)
    out = search(s, "plumber", "Denver, CO", max_results=5)
    assert (len(out.places), out.pages) == (5, 1)


def test_max_results_validation(server: FakePlacesServer) -> None:
    out = search(settings(server), "plumber", "Denver, CO", max_results=500)
    assert len(out.places) == 60 and any("capped at 60" in w for w in out.warnings)
    with pytest.raises(ValueError):
        search(settings(server), "plumber", "Denver, CO", max_results=0)


@APIS
def test_short_result_lists_stop_without_a_token(server: FakePlacesServer, api: str) -> None:
    server.set_result_count("bakery in Tiny Town", 7)
    out = search(settings(server, api), "bakery", "Tiny Town")
    assert (len(out.places), out.pages, out.status) == (7, 1, "OK")


def test_radius_without_coordinates_is_an_explicit_warning(server: FakePlacesServer) -> None:
    out = search(settings(server), "dentist", "Austin, TX", radius_km=10)
    assert len(out.places) == 60 and not out.location_bias
    assert len(out.warnings) == 1 and "radius_km=10 ignored" in out.warnings[0]
    huge = search(settings(server), "dentist", "Austin, TX", radius_km=80, lat=30.0, lng=-97.0, max_results=1)
    assert huge.location_bias and "capped at 50 km" in huge.warnings[0]
    with pytest.raises(ValueError):
        search(settings(server), "dentist", "Austin, TX", lat=30.0)
    with pytest.raises(ValueError):
        search(settings(server), "dentist", "Austin, TX", lat=95.0, lng=0.0)
    with pytest.raises(ValueError):
        search(settings(server), "  ", "Austin, TX")


@APIS
def test_zero_results_is_success_with_nothing(server: FakePlacesServer, api: str) -> None:
    out = search(settings(server, api), "nothing", "Nowhere")
    assert (out.places, out.pages, out.status) == ([], 1, "ZERO_RESULTS")


# ----- legacy page tokens -------------------------------------------------------------------


def test_legacy_premature_token_is_retried_until_valid(server: FakePlacesServer) -> None:
    server.token_delay = 0.5  # wide enough that the client's immediate use is surely early
    try:
        out = search(settings(server, "legacy"), "electrician", "Tacoma, WA")
    finally:
        server.token_delay = 0.05
    assert (len(out.places), out.pages) == (60, 3)
    assert server.count(query="electrician in Tacoma, WA", outcome="premature_token") >= 2


def test_legacy_token_retries_are_bounded(server: FakePlacesServer) -> None:
    server.token_delay = 60.0
    try:
        err = failure(settings(server, "legacy", token_retries=2), "electrician", "Boise")
    finally:
        server.token_delay = 0.05
    assert err.kind == "invalid_request" and err.api_status == "INVALID_REQUEST"
    assert err.attempts == 3
    assert server.count(query="electrician in Boise", outcome="premature_token") == 3


# ----- failures and retries -----------------------------------------------------------------


@APIS
def test_quota_then_recovery(server: FakePlacesServer, api: str) -> None:
    query = f"dentist quota {api}"
    out = search(settings(server, api), query, "Reno", max_results=20)
    assert len(out.places) == 20
    assert server.count(query=f"{query} in Reno", outcome="quota") == 2
    assert server.count(query=f"{query} in Reno", outcome="ok") == 1


@APIS
def test_quota_exhausted_is_a_quota_error(server: FakePlacesServer, api: str) -> None:
    err = failure(settings(server, api, max_attempts=2), f"vet quota {api}", "Reno")
    assert err.kind == "quota" and err.attempts == 2
    assert err.api_status == ("RESOURCE_EXHAUSTED" if api == "new" else "OVER_QUERY_LIMIT")


@APIS
def test_bad_key_is_not_retried(server: FakePlacesServer, api: str) -> None:
    s = settings(server, api, api_key="bad-key")
    err = failure(s, f"dentist {api}", "Omaha")
    assert err.kind == "denied" and err.attempts == 1
    assert "API key not valid" in str(err)
    assert "bad-key" not in str(err) and "bad-key" not in repr(err)
    assert server.count(query=f"dentist {api} in Omaha") == 1


@APIS
def test_denial_echoing_the_key_is_redacted(server: FakePlacesServer, api: str) -> None:
    # The fake echoes the key it got; the client must strip it from the error.
    err = failure(settings(server, api), "badkey dentist", "Omaha")
    assert err.kind == "denied"
    assert "[REDACTED]" in str(err) and KEY not in str(err) and KEY not in repr(err)


@APIS
def test_malformed_json_is_retried_once(server: FakePlacesServer, api: str) -> None:
    err = failure(settings(server, api, max_attempts=5), f"garbage {api}", "Reno")
    assert err.kind == "malformed_response" and err.attempts == 2
    assert server.count(query=f"garbage {api} in Reno") == 2

    server.fail_next(1, "garbage")
    out = search(settings(server, api), "cafe", "Reno", max_results=3)
    assert len(out.places) == 3


@APIS
def test_server_error_retry_then_success(server: FakePlacesServer, api: str) -> None:
    server.fail_next(1, 500)
    out = search(settings(server, api), f"cafe {api}", "Tulsa", max_results=20)
    assert len(out.places) == 20
    assert server.count(query=f"cafe {api} in Tulsa", outcome="injected") == 1

    if api == "legacy":
        server.fail_next(2, "UNKNOWN_ERROR")
        assert len(search(settings(server, api), "cafe", "Tulsa", max_results=1).places) == 1
        assert server.count(query="cafe in Tulsa", outcome="injected") == 2


@APIS
def test_persistent_server_error_gives_up(server: FakePlacesServer, api: str) -> None:
    err = failure(settings(server, api, max_attempts=3), f"boom {api}", "Reno")
    assert (err.kind, err.http_status, err.attempts) == ("server", 500, 3)
    assert server.count(query=f"boom {api} in Reno") == 3


def test_other_client_errors_are_not_retried(server: FakePlacesServer) -> None:
    server.fail_next(1, 400)
    err = failure(settings(server), "cafe", "Tulsa")
    assert (err.kind, err.http_status, err.attempts) == ("invalid_request", 400, 1)


def test_unreachable_server_is_a_network_error() -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    s = PlacesSettings(api_key=KEY, base_url=f"http://127.0.0.1:{port}", max_attempts=2, backoff_base=0.001)
    err = failure(s, "dentist", "Austin")
    assert err.kind == "network" and err.attempts == 2 and KEY not in str(err)


# ----- details ------------------------------------------------------------------------------


def test_details_parse_every_field(server: FakePlacesServer) -> None:
    expected = server.places_for("dentist in Austin, TX")
    out = search(settings(server), "dentist", "Austin, TX", max_results=20)
    index = next(i for i, p in enumerate(expected) if "websiteUri" in p and "priceLevel" in p)
    raw = expected[index]
    d = run(_details(settings(server), out.places[index].place_id))
    assert d.place_id == raw["id"] and d.name == raw["displayName"]["text"]
    assert d.formatted_address == raw["formattedAddress"]
    number, street = raw["formattedAddress"].split(",")[0].split(" ", 1)
    assert d.street is not None and d.street.startswith(number + " ") and street.split()[0] in d.street
    assert (d.city, d.state, d.country) == ("Austin", "TX", "US")
    assert d.postal_code == raw["formattedAddress"].split(" ")[-2].rstrip(",")
    assert d.national_phone == raw["nationalPhoneNumber"] and d.national_phone.startswith("(512) 555-01")
    assert d.international_phone == raw["internationalPhoneNumber"]
    assert d.international_phone.startswith("+1 512")
    assert d.website == raw["websiteUri"]
    assert d.rating == raw["rating"] and d.reviews_count == raw["userRatingCount"]
    assert d.primary_category == "dentist" and d.categories == tuple(raw["types"])
    assert d.price_level in (1, 2, 3)
    assert (d.lat, d.lng) == (raw["location"]["latitude"], raw["location"]["longitude"])
    assert (d.timezone, d.utc_offset_minutes) == ("America/Chicago", -360)
    week = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    assert list(d.opening_hours) == week
    assert d.opening_hours["sunday"] == "Closed" and " – " in d.opening_hours["monday"]
    assert d.business_status == raw["businessStatus"]
    assert d.raw["id"] == raw["id"]


def test_details_of_an_unknown_place(server: FakePlacesServer) -> None:
    for api in ("new", "legacy"):
        with pytest.raises(PlacesError) as info:
            run(_details(settings(server, api), "ChIJdoesnotexist"))
        assert info.value.kind == "not_found" and info.value.attempts == 1


def test_many_details_concurrently(server: FakePlacesServer) -> None:
    async def main() -> list[PlaceDetails]:
        async with PlacesClient(settings(server, max_concurrency=3)) as client:
            out = await client.search_text("salon", "Atlanta, GA", max_results=30)
            return await asyncio.gather(*(client.place_details(p.place_id) for p in out.places))

    details = run(main())
    assert len(details) == 30 and all(d.city == "Atlanta" for d in details)


# ----- new vs legacy, determinism -----------------------------------------------------------


def test_legacy_adapter_matches_new_api(server: FakePlacesServer) -> None:
    new = search(settings(server), "lawyer", "Chicago, IL")
    old = search(settings(server, "legacy"), "lawyer", "Chicago, IL")
    assert (new.pages, new.status) == (old.pages, old.status)
    assert new.places == old.places  # raw is excluded from comparison

    for summary in (new.places[0], new.places[7], new.places[11]):
        dn = run(_details(settings(server), summary.place_id))
        dl = run(_details(settings(server, "legacy"), summary.place_id))
        assert dn.timezone == "America/Chicago" and dl.timezone == "UTC-06:00"
        assert dataclasses.replace(dl, timezone=dn.timezone) == dn


def test_results_are_deterministic(server: FakePlacesServer) -> None:
    first = search(settings(server), "dentist", "Austin, TX")
    with FakePlacesServer(api_key=KEY) as other:
        second = search(settings(other), "dentist", "Austin,  TX")
    assert first.places == second.places


# ----- the key never leaks ------------------------------------------------------------------


def test_key_is_redacted_everywhere(server: FakePlacesServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    legacy = settings(server, "legacy")
    out = search(legacy, "dentist", "Austin, TX")  # key travels in the URL here
    run(_details(legacy, out.places[0].place_id))
    search(settings(server, "legacy"), "dentist quota redaction", "Austin")  # retries are logged
    errors = [
        failure(settings(server, "legacy"), "badkey", "Austin"),
        failure(settings(server), "badkey", "Austin"),
        failure(settings(server, max_attempts=2), "boom", "Austin"),
    ]
    assert "places legacy textsearch attempt 1 failed (quota" in caplog.text
    assert "HTTP Request: GET" in caplog.text  # httpx's own request log was captured too
    assert KEY not in caplog.text
    for err in errors:
        assert KEY not in str(err) and KEY not in repr(err) and KEY not in str(err.args)
    assert KEY not in repr(legacy) and KEY not in str(legacy)
    assert all(KEY not in repr(p.raw) for p in out.places)


def test_client_must_be_opened(server: FakePlacesServer) -> None:
    client = PlacesClient(settings(server))
    with pytest.raises(RuntimeError):
        run(client.search_text("dentist", "Austin"))
    assert KEY not in repr(client)


# ----- pure helpers (no network) ------------------------------------------------------------


def test_settings_validation() -> None:
    with pytest.raises(ValueError):
        PlacesSettings(api_key="k", api="v2")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        PlacesSettings(api_key="")
    assert build_text_query(" dentist ", "Austin,  TX") == "dentist in Austin, TX"


def test_redact() -> None:
    url = "https://maps.googleapis.com/maps/api/place/textsearch/json?query=x&key=AIzaSECRET&radius=5"
    assert redact(url) == url.replace("AIzaSECRET", "[REDACTED]")
    assert redact("header X-Goog-Api-Key: AIzaSECRET sent") == "header X-Goog-Api-Key: [REDACTED] sent"
    assert redact("oops AIzaSECRET", "AIzaSECRET") == "oops [REDACTED]"


def test_backoff_is_full_jitter_and_capped() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(n, 0.5, 4.0, rng) for n in range(1, 10) for _ in range(50)]
    assert all(0.0 <= d <= 4.0 for d in delays)
    assert max(backoff_delay(1, 0.5, 4.0, rng) for _ in range(200)) <= 0.5
    assert max(delays) > 2.0  # later attempts reach towards the cap


def test_weekday_hours() -> None:
    english = ["Monday: 9:00 AM – 5:00 PM", "Tuesday: Closed"]
    assert weekday_hours(english) == {"monday": "9:00 AM – 5:00 PM", "tuesday": "Closed"}
    french = [f"{d}: 09:00–17:00" for d in ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi")]
    french.append("dimanche: Fermé")
    hours = weekday_hours(french)
    assert hours["monday"] == "09:00–17:00" and hours["sunday"] == "Fermé" and len(hours) == 7


def test_address_parts_outside_the_us() -> None:
    comps = [
        {"long_name": "10", "short_name": "10", "types": ["street_number"]},
        {"long_name": "Downing Street", "short_name": "Downing St", "types": ["route"]},
        {"long_name": "London", "short_name": "London", "types": ["postal_town"]},
        {"long_name": "England", "short_name": "England", "types": ["administrative_area_level_1"]},
        {"long_name": "United Kingdom", "short_name": "gb", "types": ["country", "political"]},
        {"long_name": "SW1A 2AA", "short_name": "SW1A 2AA", "types": ["postal_code"]},
    ]
    parts = address_parts(comps, long_key="long_name", short_key="short_name")
    assert parts == {
        "street": "10 Downing Street", "city": "London", "state": "England",
        "postal_code": "SW1A 2AA", "country": "GB",
    }
    assert address_parts(None, long_key="longText", short_key="shortText")["city"] is None


def test_value_normalisation() -> None:
    values = ("PRICE_LEVEL_MODERATE", 3, 9, None, True, "PRICE_LEVEL_UNSPECIFIED")
    assert [price_level(v) for v in values] == [2, 3, None, None, None, None]
    assert timezone_label(None, 330) == "UTC+05:30" and timezone_label(None, -360) == "UTC-06:00"
    assert timezone_label("Europe/Paris", 60) == "Europe/Paris" and timezone_label(None, None) is None
    assert primary_of(["point_of_interest", "cafe"]) == "cafe" and primary_of([]) is None
    assert new_summary({"displayName": {"text": "no id"}}) is None
    s = new_summary({"name": "places/abc", "priceLevel": "PRICE_LEVEL_FREE", "types": "oops"})
    assert s is not None and s.place_id == "abc" and s.price_level == 0 and s.types == ()
    d = legacy_details({"name": "X", "utc_offset": -300, "types": ["bar"]}, "req-id")
    assert (d.place_id, d.timezone, d.primary_category, d.opening_hours) == ("req-id", "UTC-05:00", "bar", {})
