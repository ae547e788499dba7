"""`scrapersky submit domains`: normalisation, per-entry errors, duplicates, CSV, exit codes."""

import sqlalchemy as sa

from scrapersky_pipelines.cli import main
from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.models import Domain


def domains() -> dict[str, tuple[str, str | None]]:
    with transaction() as s:
        rows = s.execute(sa.select(Domain.domain, Domain.scan_status, Domain.submit_batch)).all()
    return {r.domain: (r.scan_status, r.submit_batch) for r in rows}


def test_arguments_are_normalised_and_queued(db, capsys):
    code = main(["submit", "domains", "HTTPS://WWW.Acme-Dental.com:443/about?x=1", "bücher.de", "plain.org",
                 "--batch", "first"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "3 queued" in out.out and "[batch first]" in out.out
    assert domains() == {
        "acme-dental.com": ("Queued", "first"),
        "xn--bcher-kva.de": ("Queued", "first"),
        "plain.org": ("Queued", "first"),
    }


def test_invalid_entries_are_reported_and_the_valid_rest_inserted(db, capsys):
    code = main(["submit", "domains", "good.com", "not a domain", "localhost", "10.0.0.1", "good.com",
                 "x" * 300 + ".com", "'; DROP TABLE domains; --"])
    out = capsys.readouterr()
    assert code == 0
    assert "1 queued" in out.out and "5 invalid" in out.out and "1 duplicates" in out.out
    assert out.err.count("invalid  row") == 5
    assert "duplicate row 5: good.com" in out.err
    assert set(domains()) == {"good.com"}


def test_nothing_valid_exits_non_zero(db, capsys):
    assert main(["submit", "domains", "nope", "also nope"]) == 2
    assert "no valid domain among 2 entries" in capsys.readouterr().err
    assert main(["submit", "domains"]) == 2
    assert domains() == {}


def test_resubmission_reports_existing_and_rescan_requeues(db, capsys):
    assert main(["submit", "domains", "again.com"]) == 0
    with transaction() as s:
        s.execute(sa.update(Domain).values(scan_status="Complete"))
    assert main(["submit", "domains", "again.com"]) == 0
    assert "0 queued, 1 already present" in capsys.readouterr().out
    assert domains()["again.com"][0] == "Complete"
    assert main(["submit", "domains", "again.com", "--rescan"]) == 0
    assert "(1 requeued)" in capsys.readouterr().out
    assert domains()["again.com"][0] == "Queued"


def test_csv_rows_are_numbered_like_a_spreadsheet(db, capsys, tmp_path):
    csv = tmp_path / "leads.csv"
    csv.write_text("name,Website\nAcme,https://acme.com/\nBad,::::\nDup,www.acme.com\nB,beta.co.uk\n")
    assert main(["submit", "domains", "--csv", str(csv)]) == 0
    out = capsys.readouterr()
    assert "2 queued" in out.out
    assert "invalid  row 3: '::::'" in out.err and "duplicate row 4: acme.com" in out.err
    assert set(domains()) == {"acme.com", "beta.co.uk"}


def test_unreadable_csv_is_one_clear_error(db, capsys, tmp_path):
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("domain\ncaf\xe9.com\n".encode("latin-1"))
    assert main(["submit", "domains", "--csv", str(latin)]) == 2
    assert "not UTF-8" in capsys.readouterr().err
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n")
    assert main(["submit", "domains", "--csv", str(wrong)]) == 2
    assert "no column named" in capsys.readouterr().err
    assert main(["submit", "domains", "--csv", str(tmp_path / "missing.csv")]) == 2
    assert domains() == {}


def test_sitemap_and_page_urls_are_queued_under_their_domains(db, capsys, tmp_path):
    from scrapersky_pipelines.db.models import Page, SitemapFile

    assert main(["submit", "sitemaps", "https://Acme.com:443/sitemap.xml", "shop.acme.com/sitemap_index.xml",
                 "ftp://acme.com/x", "https://acme.com/sitemap.xml"]) == 0
    out = capsys.readouterr()
    assert "2 queued" in out.out and "1 invalid" in out.out and "1 duplicates" in out.out
    csv = tmp_path / "pages.csv"
    csv.write_text("page_url\nhttps://beta.org/contact\nhttps://beta.org/contact#form\nnot a url at all\n")
    assert main(["submit", "pages", "--csv", str(csv), "--batch", "p"]) == 0
    out = capsys.readouterr()
    assert "1 queued" in out.out and "duplicate row 3" in out.err and "invalid  row 4" in out.err
    with transaction() as s:
        files = s.execute(sa.select(SitemapFile.url, SitemapFile.import_status, SitemapFile.discovery_method)).all()
        pages = s.execute(sa.select(Page.url, Page.scrape_status, Page.source)).all()
        known = s.execute(sa.select(Domain.domain, Domain.scan_status, Domain.submit_batch)).all()
    assert sorted(files) == [("https://acme.com/sitemap.xml", "Queued", "submitted"),
                             ("https://shop.acme.com/sitemap_index.xml", "Queued", "submitted")]
    assert pages == [("https://beta.org/contact", "Queued", "submitted")]
    assert sorted(known) == [("acme.com", None, None), ("beta.org", None, "p")]  # not queued for a scan
    assert main(["submit", "pages", "https://beta.org/contact"]) == 0  # Queued already: left alone
    assert "0 queued, 1 already present" in capsys.readouterr().out


def test_database_unavailable_is_one_clear_error_after_retries(db, capsys, monkeypatch):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("SCRAPERSKY_DATABASE_URL", f"postgresql://app:secret-pw@127.0.0.1:{port}/app")
    monkeypatch.setenv("SCRAPERSKY_DB_ATTEMPTS", "2")
    code = main(["submit", "domains", "acme.com"])
    err = capsys.readouterr().err
    assert code == 3
    assert "retry 1" in err and "error: database unavailable" in err and "Traceback" not in err
    assert "secret-pw" not in err
