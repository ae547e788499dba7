"""WF2: selecting places queues their deep scan; Place Details become local businesses; re-scans keep curation."""

from __future__ import annotations

from scrapersky_pipelines.demo.places_server import FakePlacesServer

from .conftest import Pipeline, build_defs, cli, execute, places_resource, rows, scalar

BUSINESS_COLUMNS = (
    "place_id, business_name, full_address, street_address, city, state, postal_code, country, national_phone, "
    "international_phone, website_url, rating, reviews_count, primary_category, categories, price_level, lat, lng, "
    "timezone, utc_offset_minutes, opening_hours, business_status"
)


def searched(pipeline: Pipeline, business: str = "dentist", location: str = "Boston, MA", n: int = 10) -> None:
    assert cli("search", "places", business, location, "--max-results", str(n)) == 0
    pipeline.drain("place_search")


def business(place_id: str):
    return rows(f"SELECT {BUSINESS_COLUMNS} FROM local_businesses WHERE place_id = :p", p=place_id)[0]


def test_selected_places_are_deep_scanned_into_local_businesses(
    pipeline: Pipeline, places_server: FakePlacesServer, capsys
) -> None:
    searched(pipeline)
    assert cli("curate", "places", "--ids", "1,2", "3", "--set", "Selected") == 0
    assert "places: 3 matched, 3 changed to Selected, 3 queued for deep_scan" in capsys.readouterr().out
    [run] = pipeline.drain("deep_scan")
    assert run.success
    assert [r[0] for r in rows("SELECT deep_scan_status FROM places WHERE id <= 3")] == ["Complete"] * 3
    assert scalar("SELECT count(*) FROM places WHERE deep_scan_status IS NULL") == 7
    assert scalar("SELECT count(*) FROM local_businesses") == 3

    place = places_server.places_for("dentist in Boston, MA")[0]
    got = business(place["id"])
    hours = dict(line.split(": ", 1) for line in place["regularOpeningHours"]["weekdayDescriptions"])
    expected = (
        place["id"], place["displayName"]["text"], place["formattedAddress"],
        " ".join(c["longText"] for c in place["addressComponents"][:2]), "Boston", "MA",
        place["addressComponents"][6]["longText"], "US", place["nationalPhoneNumber"],
        place["internationalPhoneNumber"], place.get("websiteUri"), place["rating"], place["userRatingCount"],
        "dentist", ["health", "point_of_interest", "establishment"],
        ["PRICE_LEVEL_FREE", "PRICE_LEVEL_INEXPENSIVE", "PRICE_LEVEL_MODERATE", "PRICE_LEVEL_EXPENSIVE",
         "PRICE_LEVEL_VERY_EXPENSIVE"].index(place["priceLevel"]) if "priceLevel" in place else None,
        place["location"]["latitude"], place["location"]["longitude"], "America/New_York", -300,
        {day.lower(): text for day, text in hours.items()}, "OPERATIONAL",
    )
    assert got == expected
    assert set(got[20]) == {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
    assert rows("SELECT curation_status, extraction_status FROM local_businesses LIMIT 1")[0] == ("New", None)


def test_selecting_again_only_queues_places_never_scanned_or_in_error(pipeline: Pipeline, capsys) -> None:
    searched(pipeline, n=4)
    cli("curate", "places", "--ids", "1", "2", "--set", "Selected")
    pipeline.drain("deep_scan")
    execute("UPDATE places SET deep_scan_status = 'Error', deep_scan_error = 'x' WHERE id = 2")
    capsys.readouterr()
    assert cli("curate", "places", "--ids", "1", "2", "3", "--set", "Selected") == 0
    # 1 is done (not re-queued), 2 errored (queued again), 3 was never scanned (queued).
    assert "3 matched, 1 changed to Selected, 2 queued for deep_scan" in capsys.readouterr().out
    assert [r[0] for r in rows("SELECT deep_scan_status FROM places WHERE id <= 3 ORDER BY id")] == [
        "Complete", "Queued", "Queued"]


def test_rescan_refreshes_data_and_keeps_curation(pipeline: Pipeline, capsys) -> None:
    searched(pipeline, n=3)
    cli("curate", "places", "--where", "curation_status=New", "--set", "Selected")
    pipeline.drain("deep_scan")
    first = rows("SELECT id, place_id FROM local_businesses ORDER BY id")
    execute(
        "UPDATE local_businesses SET business_name = 'stale', city = NULL, opening_hours = NULL, "
        "curation_status = 'NotAFit', extraction_status = 'Complete', extraction_note = 'kept' WHERE id = 1"
    )
    capsys.readouterr()
    assert cli("curate", "places", "--ids", "1", "--set", "Selected", "--requeue") == 0
    assert "1 queued for deep_scan" in capsys.readouterr().out
    pipeline.drain("deep_scan")
    assert rows("SELECT id, place_id FROM local_businesses ORDER BY id") == first  # no duplicate
    name, city, hours, curation, extraction, note = rows(
        "SELECT business_name, city, opening_hours, curation_status, extraction_status, extraction_note "
        "FROM local_businesses WHERE id = 1"
    )[0]
    assert name != "stale" and city == "Boston" and len(hours) == 7
    assert (curation, extraction, note) == ("NotAFit", "Complete", "kept")


def test_unknown_places_and_flaky_details(pipeline: Pipeline, places_server: FakePlacesServer) -> None:
    searched(pipeline, n=2)
    execute("INSERT INTO places (place_id, name) VALUES ('ChIJdoesnotexist', 'gone')")
    places_server.fail_next(2, 503, endpoint="details")
    cli("curate", "places", "--where", "curation_status=New", "--set", "Selected")
    [run] = pipeline.drain("deep_scan")
    assert run.success
    statuses = dict(rows("SELECT place_id, deep_scan_status || ':' || coalesce(deep_scan_error, '') FROM places"))
    assert statuses.pop("ChIJdoesnotexist").startswith("Error:not_found: ")
    assert set(statuses.values()) == {"Complete:"}  # the 503s were retried
    assert scalar("SELECT count(*) FROM local_businesses") == 2


def test_legacy_details_fill_the_same_columns(db, places_server, instance, api_key) -> None:
    new = Pipeline(build_defs(places_resource(places_server)), instance)
    searched(new, n=2)
    cli("curate", "places", "--ids", "1", "--set", "Selected")
    new.drain("deep_scan")
    place_id = scalar("SELECT place_id FROM places WHERE id = 1")
    from_new = business(place_id)
    legacy = Pipeline(build_defs(places_resource(places_server, api="legacy")), instance)
    cli("curate", "places", "--ids", "1", "--set", "Selected", "--requeue")
    legacy.drain("deep_scan")
    from_legacy = business(place_id)
    # Legacy has no IANA zone (only the offset) and no primaryType; everything else matches.
    differing = {BUSINESS_COLUMNS.split(", ")[i] for i, (a, b) in enumerate(zip(from_new, from_legacy)) if a != b}
    assert differing == {"timezone"}
    assert from_legacy[18] == "UTC-05:00"


def test_a_rescan_that_finds_a_new_website_queues_domain_extraction_again(pipeline: Pipeline, capsys) -> None:
    searched(pipeline, n=3)
    cli("curate", "places", "--where", "curation_status=New", "--set", "Selected")
    pipeline.drain("deep_scan")
    # As after an earlier extraction: 1 and 2 were Selected and extracted from a website that 1 has since
    # changed (the old one is in the row); 3 changed too but was judged not a fit.
    execute("UPDATE local_businesses SET curation_status = 'Selected', extraction_status = 'Complete' WHERE id IN (1, 2)")
    execute("UPDATE local_businesses SET curation_status = 'NotAFit', extraction_status = 'Complete' WHERE id = 3")
    execute("UPDATE local_businesses SET website_url = 'https://old-site.example/' WHERE id IN (1, 3)")
    assert cli("curate", "places", "--ids", "1", "2", "3", "--set", "Selected", "--requeue") == 0
    [run] = pipeline.drain("deep_scan")
    statuses = rows("SELECT id, extraction_status, website_url <> 'https://old-site.example/' "
                    "FROM local_businesses ORDER BY id")
    assert statuses == [(1, "Queued", True), (2, "Complete", True), (3, "Complete", True)]
    writes = run.get_asset_materialization_events()[0].materialization.metadata
    assert writes["extraction_requeued_website_changed"].value == 1
