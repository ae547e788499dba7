"""Point 6: malformed submissions through `scrapersky submit` (domains, sitemaps, pages; values and CSV).

Each bad entry gets its own clear error with its row number, the valid ones are inserted and queued,
and nothing else in the database changes: every table is fingerprinted before and after. The
100,000-row CSV runs in its own process (and is submitted twice: the second time changes nothing).
"""

from __future__ import annotations

import random
import re
import sys

import pytest

from scrapersky_pipelines import cli
from scrapersky_pipelines_tests.support.processes import run_measured

from .conftest import count_duplicates

TABLES = ("domains", "sitemap_files", "pages", "contacts", "places", "local_businesses", "place_searches", "batches")

BAD_DOMAINS = [
    "", "   ", "a" * 5000 + ".com", "a" * 64 + ".com", ".".join(["abcdefghij"] * 26) + ".com",
    "example.com'; DROP TABLE domains;--", "x.com' OR '1'='1", "exa\x00mple.com", "exa\nmple.com",
    "\x1b[31mred.com", "ex ample.com", "-bad-.com", "exa_mple.com", "*.example.com", ".com", "com", "co.uk",
    "example", "http://", "javascript:alert(1)", "mailto:bob@example.com", "ftp://example.com", "%00.com",
    "<script>alert(1)</script>.com", "=cmd|' /C calc'!A0", "../../etc/passwd", "example..com",
    "\u202eexample.com", "e\u200bxample.com", "xn--.com", "exa$mple.com", "\ufffd.com", "192.168.1.1",
]
GOOD_DOMAINS = ["good-one.com", "https://www.Good-Two.org/path?q=1", "bücher.de", "sub.domain.example.co.uk"]
BAD_URLS = [
    "", "not a url", "ftp://example.com/sitemap.xml", "http://", "https://", "file:///etc/passwd",
    "data:text/html,<b>x</b>", "javascript:alert(1)", "http://example.com/" + "a" * 3000, "http://exa mple.com/x",
    "http://example.com:99999/", "http://co.uk/sitemap.xml", "http://localhost:8080/x", "//example.com/x",
    "http://exa\x00mple.com/", "http://[zz::1]/",
]
GOOD_URLS = ["https://good-one.com/sitemap.xml", "good-two.org/page",
             "http://example.com/s.xml'); DROP TABLE pages;--"]


def fingerprint(db) -> dict[str, tuple[int, str]]:
    out = {}
    for table in TABLES:
        [[n, digest]] = db.execute(f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t.id)), '') FROM {table} t")
        out[table] = (n, digest)
    return out


def seed(db) -> None:
    """Some earlier work that a bad submission must leave exactly as it is."""
    db.execute("INSERT INTO domains (domain, scan_status, title) VALUES ('existing.com', 'Complete', 'Existing'),"
               " ('good-one.com', 'Error', 'Was here first')")
    db.execute("INSERT INTO pages (domain_id, url, scrape_status) VALUES (1, 'https://existing.com/contact', 'Complete')")
    db.execute("INSERT INTO contacts (domain_id, page_id, email) VALUES (1, 1, 'info@existing.com')")


def submit(capsys, *argv: str) -> tuple[int, str, str]:
    """`scrapersky submit ...`; values go after `--` so one starting with '-' is a value, not an option."""
    code = cli.main(["submit", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def invalid_rows(err: str) -> dict[int, str]:
    return {int(m[1]): m[2] for m in re.finditer(r"^invalid  row (\d+): .*?: (.+)$", err, re.M)}


def test_bad_values_get_per_row_errors_and_change_nothing_else(db, capsys, scoreboard):
    seed(db)
    with scoreboard.start("6 bad submissions (values + CSV)") as row:
        before = fingerprint(db)
        code, out, err = submit(capsys, "domains", "--", *BAD_DOMAINS)
        assert code == 2 and "no valid domain" in err
        assert sorted(invalid_rows(err)) == list(range(1, len(BAD_DOMAINS) + 1))
        assert all(reason.strip() for reason in invalid_rows(err).values())
        assert fingerprint(db) == before

        code, out, err = submit(capsys, "domains", "--", *BAD_DOMAINS, *GOOD_DOMAINS, "GOOD-TWO.org")
        assert code == 0, err
        assert len(invalid_rows(err)) == len(BAD_DOMAINS)
        assert "3 queued, 1 already present" in out and "1 duplicates" in out
        new = db.execute("SELECT domain, scan_status FROM domains WHERE id > 2 ORDER BY id")
        assert new == [("good-two.org", "Queued"), ("xn--bcher-kva.de", "Queued"), ("sub.domain.example.co.uk", "Queued")]
        # the row that was already there keeps its status and title (no --rescan asked)
        assert db.execute("SELECT scan_status, title FROM domains WHERE domain = 'good-one.com'") == [("Error", "Was here first")]

        for kind, table in (("sitemaps", "sitemap_files"), ("pages", "pages")):
            before = fingerprint(db)
            code, out, err = submit(capsys, kind, "--", *BAD_URLS)
            assert code == 2 and len(invalid_rows(err)) == len(BAD_URLS), err
            assert fingerprint(db) == before
            code, out, err = submit(capsys, kind, "--", *BAD_URLS, *GOOD_URLS)
            assert code == 0 and len(invalid_rows(err)) == len(BAD_URLS)
        stored = db.execute("SELECT url FROM pages WHERE url LIKE '%DROP%'")
        assert stored == [("http://example.com/s.xml');%20DROP%20TABLE%20pages;--",)]  # data, not SQL
        row.rows_in = len(BAD_DOMAINS) * 2 + len(GOOD_DOMAINS) + 1 + 4 * len(BAD_URLS) + 2 * len(GOOD_URLS)
        row.rows_terminal = row.rows_in  # every entry inserted, reported present/duplicate, or refused with a reason
        row.duplicates = count_duplicates(db)
        row.notes = f"{len(BAD_DOMAINS)} bad domains, {len(BAD_URLS)} bad URLs x2 kinds"


CSV_CASES = {
    "empty": (b"", "CSV is empty"),
    "blank": (b"  \n\n \n", "CSV is empty"),
    "not-utf8": ("domain\ncafé.com\n".encode("latin-1"), "not UTF-8"),
    "utf16": ("domain\nexample.com\n".encode("utf-16"), "not UTF-8"),
    "binary": (random.Random(7).randbytes(4096), "not UTF-8"),
    "no-column": (b"name,phone\nAcme,555-0100\n", "no column named"),
    "unclosed-quote": (b'domain\n"a.com\nb.com\n', "could not be parsed"),
    "too-big": (None, "the limit is"),
}


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_unreadable_csv_is_one_clear_error_and_changes_nothing(db, capsys, tmp_path, case):
    seed(db)
    data, message = CSV_CASES[case]
    path = tmp_path / f"{case}.csv"
    if data is None:  # just over 50 MB, written without holding it twice
        with open(path, "wb") as fh:
            fh.write(b"domain\n")
            line = b"filler-domain-name-that-is-valid.com\n"
            for _ in range(50 * 1024 * 1024 // len(line) + 2):
                fh.write(line)
    else:
        path.write_bytes(data)
    before = fingerprint(db)
    code, out, err = submit(capsys, "domains", "--csv", str(path))
    assert code == 2 and message in err, err
    assert err.count("\n") == 1 and str(path) in err  # one line naming the file, no traceback
    assert fingerprint(db) == before


def test_malformed_csv_rows_are_reported_by_row_and_the_rest_kept(db, capsys, tmp_path):
    seed(db)
    text = (
        "Name, Website ,phone\n"                        # 1 header (column matched despite case and spaces)
        "Acme,acme-tools.com,555\n"                     # 2 ok
        "Beta,beta-bakery.com,555,extra,fields\n"       # 3 ok: extra fields do not shift anything
        "Gamma\n"                                       # 4 too short: no website value
        "\n"                                            # 5 blank record
        "Delta,\"delta\nshop.com\",1\n"                 # 6 a newline inside a quoted field
        "Eps,=HYPERLINK(\"http://evil.com\"),1\n"       # 7 spreadsheet formula
        "Zeta,'; DELETE FROM domains; --,1\n"           # 8 SQL
        "Eta,ACME-TOOLS.com,1\n"                        # 9 duplicate of row 2
        "Theta,ok\x00nul.com,1\n"                       # 10 NUL byte
        "Iota,existing.com,1\n"                         # 11 already present
        "Kappa,kappa-cafe.com,\n"                       # 12 ok (trailing empty field)
    )
    path = tmp_path / "leads.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())  # with a UTF-8 BOM, as Excel writes it
    code, out, err = submit(capsys, "domains", "--csv", str(path))
    assert code == 0, err
    assert sorted(invalid_rows(err)) == [4, 5, 6, 7, 8, 10]
    assert "duplicate row 9: acme-tools.com" in err
    assert "3 queued, 1 already present, 6 invalid, 1 duplicates" in out
    assert [r[0] for r in db.execute("SELECT domain FROM domains WHERE id > 2 ORDER BY id")] == [
        "acme-tools.com", "beta-bakery.com", "kappa-cafe.com"]
    assert db.execute("SELECT count(*) FROM contacts") == [(1,)]


def test_a_100k_row_csv_in_its_own_process_twice(db, tmp_path, pipeline_env, scoreboard):
    with scoreboard.start("6+7 100k-row CSV submitted twice") as row:
        rng = random.Random(3)
        lines = ["domain,notes"]
        bad = 0
        for i in range(100_000):
            if i % 997 == 0:
                lines.append(f"bad domain {i},x")
                bad += 1
            elif i % 1009 == 0:
                lines.append(f"LEAD-{i - 1:06d}.com,dup")  # a duplicate of the previous row
            else:
                lines.append(f"lead-{i:06d}.com,{rng.randint(0, 9)}")
        path = tmp_path / "big.csv"
        path.write_text("\n".join(lines) + "\n")
        cmd = [sys.executable, "-m", "scrapersky_pipelines.cli", "submit", "domains", "--csv", str(path)]
        first = run_measured(cmd, pipeline_env, timeout=180)
        assert first.returncode == 0, first.stderr[-2000:]
        [[count, queued]] = db.execute("SELECT count(*), count(*) FILTER (WHERE scan_status = 'Queued') FROM domains")
        dups = first.stderr.count("duplicate row")
        assert first.stderr.count("invalid  row") == bad and dups > 0
        assert count == queued == 100_000 - bad - dups
        assert f"{count} queued, 0 already present, {bad} invalid, {dups} duplicates" in first.stdout
        before = fingerprint(db)
        second = run_measured(cmd, pipeline_env, timeout=180)
        assert second.returncode == 0 and f"0 queued, {count} already present" in second.stdout
        assert fingerprint(db) == before  # the same input twice leaves the same rows
        row.rows_in = 2 * 100_000
        row.rows_terminal = 2 * 100_000  # inserted, already present, duplicate or invalid: each reported
        row.duplicates = count_duplicates(db)
        row.peak_rss_mb = max(first.peak_rss_mb, second.peak_rss_mb)
        row.notes = f"{count} inserted once; {bad} invalid + {dups} duplicate rows reported by row; 2nd run changed nothing"
