"""The real path: CLI submit -> sensor tick in a running daemon -> batch run -> statuses in Postgres.

Everything goes through pgbouncer in transaction mode, against the synthetic web on loopback.
"""

import os
import subprocess
import sys
import time

from scrapersky_pipelines.demo.sites import BROKEN_KINDS, broken_domain, expected, site_domains
from scrapersky_pipelines_tests.support.daemon import dagster_home, running_daemon, runs_in_flight, settled, wait_until

EXPECTED_ERRORS = {
    "404": ("http_status",),
    # RFC 9309: a robots.txt answering 5xx means "disallow everything", which is the reason then.
    "500": ("http_status", "robots_disallowed"),
    "timeout": ("timeout",),
    "redirect-loop": ("redirect_loop", "too_many_redirects"),
    "non-html": ("not_html",),
    "oversize": ("too_large",),
    "unknown-host": ("unknown_host",),
}


def pipeline_env(db, web, home) -> dict[str, str]:
    return {
        **os.environ,
        "SCRAPERSKY_DATABASE_URL": db.url,
        "SCRAPERSKY_RESOLVE": ",".join(web.resolve_entries()),
        "SCRAPERSKY_RESOLVE_ONLY": "1",
        "SCRAPERSKY_SCHEMES": "http",
        # Long enough that a healthy site never times out on a loaded 2-core CI machine; the
        # "timeout" site hangs for good, so it still ends as a timeout.
        "SCRAPERSKY_HTTP_TOTAL_TIMEOUT": "10",
        "DAGSTER_HOME": str(home),
    }


def test_domain_scan_end_to_end_through_a_real_daemon(db, web, tmp_path):
    healthy = site_domains(45)
    broken = {kind: broken_domain(kind) for kind in BROKEN_KINDS}
    domains = healthy + list(broken.values())
    home = dagster_home(tmp_path / "dagster")
    env = pipeline_env(db, web, home)

    submit = subprocess.run(
        [sys.executable, "-m", "scrapersky_pipelines.cli", "submit", "domains", *domains, "--batch", "e2e"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert submit.returncode == 0, submit.stderr
    assert f"{len(domains)} queued" in submit.stdout

    def terminal() -> bool:
        [[open_rows]] = db.execute(
            "SELECT (SELECT count(*) FROM domains WHERE scan_status NOT IN ('Complete', 'Error')"
            "   OR sitemap_status IN ('Queued', 'Processing') OR crawl_status IN ('Queued', 'Processing'))"
            " + (SELECT count(*) FROM sitemap_files WHERE import_status IN ('Queued', 'Processing'))"
            " + (SELECT count(*) FROM pages WHERE scrape_status IN ('Queued', 'Processing'))"
            " + (SELECT count(*) FROM batches WHERE status IN ('Claimed', 'Running'))"
        )
        # Rows settle a moment before the run that queues the next stage ends: wait for the runs too.
        return open_rows == 0 and runs_in_flight(home) == 0

    started = time.monotonic()
    with running_daemon(env, tmp_path / "daemon.log"):
        done = wait_until(settled(terminal), timeout=400)
    elapsed = time.monotonic() - started
    log = (tmp_path / "daemon.log").read_text(errors="replace")
    assert done, f"rows not terminal after {elapsed:.0f}s; daemon log tail:\n{log[-3000:]}"

    rows = {
        r[0]: r[1:]
        for r in db.execute("SELECT domain, scan_status, scan_error, title, sitemap_status FROM domains")
    }
    assert len(rows) == len(domains)
    for d in healthy:
        status, error, title, sitemap_status = rows[d]
        assert status == "Complete", (d, error)
        assert title == expected(d).title
        assert sitemap_status == "Complete"  # the policy queued discovery, whose sensor ran it
    for kind, d in broken.items():
        status, error, _, sitemap_status = rows[d]
        assert status == "Error", (kind, d)
        assert error.split(":", 1)[0] in EXPECTED_ERRORS[kind], (kind, error)
        assert kind not in ("404", "500") or kind in error, (kind, error)
        assert sitemap_status is None
    batches = db.execute("SELECT status, rows_claimed, run_id, stage FROM batches")
    assert batches and all(b[0] == "Complete" and b[2] for b in batches)
    files = db.execute("SELECT kind, left(error, 60), import_status, count(*) FROM sitemap_files GROUP BY 1, 2, 3")
    assert {b[3] for b in batches} >= {"sitemap_import"}, (files, log[-3000:])
    assert {b[3] for b in batches} == {"domain_scan", "sitemap_discovery", "sitemap_import", "page_scrape",
                                       "email_crawl"}  # crawled: the sites without a sitemap
    [[pages, scraped, contacts]] = db.execute(
        "SELECT count(*), count(*) FILTER (WHERE contact_status = 'ContactFound'), (SELECT count(*) FROM contacts)"
        " FROM pages")
    assert pages and scraped and contacts

    logs = db.bouncer.log_text() + db.pg_log_text()
    assert "prepared statement" not in logs
    print(f"\nend-to-end: {len(domains)} domains through scan, discovery, import, scrape and crawl in {elapsed:.1f}s "
          f"({len(domains) / elapsed:.2f} domains/s including daemon start-up); {pages} pages, {contacts} contacts")
