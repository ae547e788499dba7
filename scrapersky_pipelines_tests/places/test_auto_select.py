"""The auto-select policy (off by default): a search flows to queued domain scans without a person."""

from __future__ import annotations

from scrapersky_pipelines.resources.places import CurationPolicy, _auto_select_flags

from .conftest import Pipeline, build_defs, cli, execute, places_resource, rows, scalar


def test_policy_off_by_default(pipeline: Pipeline) -> None:
    cli("search", "places", "dentist", "Boston, MA", "--max-results", "5")
    pipeline.drain("place_search")
    assert rows("SELECT DISTINCT curation_status, deep_scan_status FROM places") == [("New", None)]


def test_search_to_domains_unattended(db, places_server, instance, api_key) -> None:
    policy = CurationPolicy(auto_select_places=True, auto_select_businesses=True)
    pipeline = Pipeline(build_defs(places_resource(places_server), policy), instance)
    cli("search", "places", "dentist", "Boston, MA", "--max-results", "20")
    cli("search", "places", "bakery", "Austin, TX", "--max-results", "20")
    execute("INSERT INTO places (place_id, name, curation_status) VALUES (:p, 'x', 'NotAFit')",
            p=places_server.places_for("bakery in Austin, TX")[0]["id"])

    [search_run] = pipeline.drain("place_search")
    meta = search_run.asset_materializations_for_node("places")[0].metadata
    assert meta["auto_selected_places"].value == 39 and meta["queued_deep_scan"].value == 39
    assert scalar("SELECT curation_status FROM places WHERE place_id = :p",
                  p=places_server.places_for("bakery in Austin, TX")[0]["id"]) == "NotAFit"  # a person's choice stays

    pipeline.drain("deep_scan")
    assert scalar("SELECT count(*) FROM local_businesses WHERE curation_status = 'Selected' "
                  "AND extraction_status = 'Queued'") == 39
    pipeline.drain("domain_extraction")
    with_site = scalar("SELECT count(*) FROM local_businesses WHERE domain_id IS NOT NULL")
    assert with_site >= 30  # a few fake places have no website or only a platform page
    assert scalar("SELECT count(*) FROM domains WHERE scan_status = 'Queued' AND source = 'places'") == scalar(
        "SELECT count(DISTINCT domain_id) FROM local_businesses")
    assert all(r.success for r in pipeline.results)


def test_policy_flags_from_the_environment() -> None:
    assert _auto_select_flags(None) == (False, False)
    assert _auto_select_flags("1") == (True, True)
    assert _auto_select_flags("places") == (True, False)
    assert _auto_select_flags("places, businesses") == (True, True)
