"""Curation (dual status) by ids and by filter, for every entity; Selected queues the next stage atomically."""

from __future__ import annotations

import dagster as dg
import pytest

from scrapersky_pipelines.db.curation import CurationError, parse_filters, parse_status, set_curation
from scrapersky_pipelines.db.engine import transaction

from .conftest import Pipeline, cli, execute, rows, scalar


@pytest.fixture
def graph(db) -> None:
    """Two domains, each with two sitemap files and three pages, plus places and businesses."""
    for d in ("alpha.com", "beta.com"):
        execute("INSERT INTO domains (domain, source) VALUES (:d, 'submitted')", d=d)
    for dom in (1, 2):
        for n in (1, 2):
            execute("INSERT INTO sitemap_files (domain_id, url, kind) VALUES (:d, :u, :k)",
                    d=dom, u=f"http://d{dom}.com/sitemap{n}.xml", k="index" if n == 1 else "standard")
        for path, category in (("/contact", "contact_root"), ("/about", "unknown"), ("/blog/x", "unknown")):
            execute("INSERT INTO pages (domain_id, url, category) VALUES (:d, :u, :c)",
                    d=dom, u=f"http://d{dom}.com{path}", c=category)
    for i in range(1, 5):
        execute("INSERT INTO places (place_id, name, business_type) VALUES (:p, :n, 'dentist')", p=f"gp-{i}", n=f"P{i}")
        execute("INSERT INTO local_businesses (place_id, city, website_url) VALUES (:p, :c, 'x.com')",
                p=f"gp-{i}", c="Boston" if i % 2 else "Austin")


def statuses(table: str, prefix: str) -> list[tuple]:
    return rows(f"SELECT id, curation_status, {prefix}_status FROM {table} ORDER BY id")


def test_every_entity_queues_its_next_stage(graph, capsys) -> None:
    assert cli("curate", "domains", "--where", "domain=beta.com", "--set", "Selected") == 0
    assert cli("curate", "sitemap_files", "--where", "kind=index", "--set", "Selected") == 0
    assert cli("curate", "pages", "--where", "category=contact_root", "domain_id=2", "--set", "Selected") == 0
    assert cli("curate", "places", "--ids", "gp-1", "4", "--set", "Selected") == 0
    assert cli("curate", "local_businesses", "--where", "city=Austin", "--set", "Selected") == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "domains: 1 matched, 1 changed to Selected, 1 queued for domain_scan",
        "sitemap_files: 2 matched, 2 changed to Selected, 2 queued for sitemap_import",
        "pages: 1 matched, 1 changed to Selected, 1 queued for page_scrape",
        "places: 2 matched, 2 changed to Selected, 2 queued for deep_scan",
        "local_businesses: 2 matched, 2 changed to Selected, 2 queued for domain_extraction",
    ]
    assert statuses("domains", "scan") == [(1, "New", None), (2, "Selected", "Queued")]
    assert [s[2] for s in statuses("sitemap_files", "import")] == ["Queued", None, "Queued", None]
    assert [s[2] for s in statuses("pages", "scrape")] == [None, None, None, "Queued", None, None]
    assert [s[2] for s in statuses("places", "deep_scan")] == ["Queued", None, None, "Queued"]
    assert [s[2] for s in statuses("local_businesses", "extraction")] == [None, "Queued", None, "Queued"]


def test_other_statuses_never_queue(graph, capsys) -> None:
    for status in ("Maybe", "not a fit", "ARCHIVED", "New"):
        assert cli("curate", "pages", "--where", "domain_id=1", "--set", status) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "pages: 3 matched, 3 changed to Maybe"
    assert out[1] == "pages: 3 matched, 3 changed to NotAFit"
    assert scalar("SELECT count(*) FROM pages WHERE scrape_status IS NOT NULL") == 0
    assert [r[1] for r in statuses("pages", "scrape")[:3]] == ["New"] * 3


def test_unchanged_rows_are_counted_apart_and_processing_rows_are_left_alone(graph, capsys) -> None:
    execute("UPDATE sitemap_files SET import_status = 'Processing' WHERE id = 1")
    cli("curate", "sitemap_files", "--ids", "1", "2", "--set", "Selected")
    cli("curate", "sitemap_files", "--ids", "1", "2", "3", "--set", "Selected")
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "sitemap_files: 2 matched, 2 changed to Selected, 1 queued for sitemap_import",
        "sitemap_files: 3 matched, 1 changed to Selected, 1 queued for sitemap_import",
    ]
    assert [s[2] for s in statuses("sitemap_files", "import")] == ["Processing", "Queued", "Queued", None]


def test_filters_are_whitelisted_typed_and_never_interpolated(graph, capsys) -> None:
    assert cli("curate", "domains", "--where", "title=alpha", "--set", "Selected") == 2
    assert cli("curate", "pages", "--where", "1=1", "--set", "Selected") == 2
    assert cli("curate", "pages", "--where", "domain_id=1 OR 1=1", "--set", "Selected") == 2
    assert cli("curate", "pages", "--where", "scrape_status=Bogus", "--set", "Selected") == 2
    assert cli("curate", "pages", "--where", "category", "--set", "Selected") == 2
    assert cli("curate", "pages", "--ids", "1", "--set", "Wanted") == 2
    assert cli("curate", "planets", "--ids", "1", "--set", "Selected") == 2
    err = capsys.readouterr().err
    assert "cannot filter domains on 'title'" in err and "domain_id must be an integer" in err
    assert "scrape_status must be one of" in err and "unknown status 'Wanted'" in err and "unknown entity" in err
    # A quote-laden value is just a value: it matches nothing and breaks nothing.
    assert cli("curate", "local_businesses", "--where", "city=Boston' OR '1'='1", "--set", "Selected") == 0
    assert "0 matched" in capsys.readouterr().out
    assert scalar("SELECT count(*) FROM pages WHERE curation_status <> 'New'") == 0
    # "null" means IS NULL, and several filters AND together.
    assert cli("curate", "pages", "--where", "scrape_status=null", "category=unknown", "--set", "Maybe") == 0
    assert "pages: 4 matched" in capsys.readouterr().out


def test_library_api(graph) -> None:
    assert parse_status("not_a_fit").value == "NotAFit"
    assert parse_filters("pages", ["depth=null", "domain_id=2"])[1].value == 2
    with pytest.raises(CurationError, match="refusing to curate every row"):
        with transaction() as s:
            set_curation(s, "pages", "Selected")
    with pytest.raises(CurationError, match="not both"):
        with transaction() as s:
            set_curation(s, "pages", "Selected", ids=[1], filters=parse_filters("pages", ["domain_id=1"]))
    with transaction() as s:
        result = set_curation(s, "page", "selected", ids=["http://d1.com/about", 6])
    assert (result.entity, result.matched, result.queued) == ("pages", 2, 2)


def test_launchpad_curation_job(pipeline: Pipeline, graph) -> None:
    ok = pipeline.launch("curate", {"curate_rows": {"config": {
        "entity": "local_businesses", "status": "Selected", "where": ["city=Boston"]}}})
    assert ok.success
    handled = [e for e in ok.all_events if e.event_type == dg.DagsterEventType.HANDLED_OUTPUT]
    meta = handled[0].event_specific_data.metadata
    assert (meta["matched"].value, meta["changed"].value, meta["queued"].value) == (2, 2, 2)
    assert [s[2] for s in statuses("local_businesses", "extraction")] == ["Queued", None, "Queued", None]
    bad = pipeline.launch("curate", {"curate_rows": {"config": {
        "entity": "local_businesses", "status": "Selected", "where": ["website_url=x.com"]}}})
    assert not bad.success
    both = pipeline.launch("curate", {"curate_rows": {"config": {
        "entity": "pages", "status": "Selected", "ids": ["1"], "where": ["domain_id=1"]}}})
    assert not both.success
    assert scalar("SELECT count(*) FROM pages WHERE curation_status <> 'New'") == 0
