"""WF3: selected local businesses get their website's domain linked (existing row) or inserted and queued."""

from __future__ import annotations

from .conftest import Pipeline, cli, execute, rows, scalar
from .websites import WEBSITES


def add_businesses(websites: list[str | None]) -> None:
    for i, website in enumerate(websites, start=1):
        execute(
            "INSERT INTO local_businesses (place_id, business_name, website_url) VALUES (:p, :n, :w)",
            p=f"place-{i:03d}", n=f"Business {i}", w=website,
        )


def test_websites_become_linked_domains(pipeline: Pipeline, capsys) -> None:
    websites = [w for w, _, _ in WEBSITES] + ["https://www.acme-dental.com/other-page", "https://already-known.com/"]
    add_businesses(websites)
    execute("INSERT INTO domains (domain, source, scan_status) VALUES ('already-known.com', 'submitted', 'Complete')")
    known_id = scalar("SELECT id FROM domains")

    assert cli("curate", "local_businesses", "--where", "curation_status=New", "--set", "Selected") == 0
    assert f"{len(websites)} queued for domain_extraction" in capsys.readouterr().out
    [run] = pipeline.drain("domain_extraction")
    assert run.success

    got = {
        r.place_id: r
        for r in rows(
            "SELECT lb.id, lb.place_id, lb.extraction_status, lb.extraction_error, lb.extraction_note, d.domain "
            "FROM local_businesses lb LEFT JOIN domains d ON d.id = lb.domain_id"
        )
    }
    for i, (website, domain, kind) in enumerate(WEBSITES, start=1):
        r = got[f"place-{i:03d}"]
        assert r.domain == domain, website
        if kind == "domain":
            assert (r.extraction_status, r.extraction_note) == ("Complete", None), website
        elif kind == "invalid":
            assert r.extraction_status == "Error" and r.extraction_error.startswith("invalid_website: "), website
        else:
            assert r.extraction_status == "Complete" and r.extraction_note, website
    assert got[f"place-{len(WEBSITES) + 1:03d}"].domain == "acme-dental.com"  # two businesses, one domain row

    domains = {r.domain: r for r in rows("SELECT id, domain, source, scan_status, local_business_id FROM domains")}
    expected = {d for _, d, k in WEBSITES if k == "domain"} | {"already-known.com"}
    assert set(domains) == expected
    known = domains["already-known.com"]
    assert (known.id, known.source, known.scan_status) == (known_id, "submitted", "Complete")  # linked, not re-queued
    assert known.local_business_id == got[f"place-{len(websites):03d}"].id  # adopted by its business
    new = [d for d in domains.values() if d.domain != "already-known.com"]
    assert {(d.source, d.scan_status) for d in new} == {("places", "Queued")}  # queued for the metadata scan
    assert domains["acme-dental.com"].local_business_id == got["place-002"].id  # the first business owns it

    [mat] = run.asset_materializations_for_node("business_domains")
    invalid = sum(1 for _, _, k in WEBSITES if k == "invalid")
    assert mat.metadata["rows_error"].value == invalid
    assert mat.metadata["errors_invalid_website"].value == invalid


def test_reextraction_follows_a_changed_website(pipeline: Pipeline) -> None:
    add_businesses(["https://first-site.com"])
    cli("curate", "local_businesses", "--ids", "1", "--set", "Selected")
    pipeline.drain("domain_extraction")
    execute("UPDATE local_businesses SET website_url = 'https://www.facebook.com/x'")
    cli("curate", "local_businesses", "--ids", "1", "--set", "Selected")  # re-selecting always re-queues
    pipeline.drain("domain_extraction")
    assert rows("SELECT extraction_status, extraction_note, domain_id FROM local_businesses") == [
        ("Complete", "hosted platform page: facebook.com", None)]
    assert scalar("SELECT count(*) FROM domains") == 1  # the earlier domain stays
