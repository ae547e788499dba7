"""`scrapersky status`: per-stage depth, in flight, done, errors and top reasons; `--batch`; `--follow`."""

from __future__ import annotations

import itertools
import threading
import time

from scrapersky_pipelines.cli import main
from scrapersky_pipelines.cli_status import progress_bar
from scrapersky_pipelines.db.stages import QUEUES
from scrapersky_pipelines.db.status import StageStatus

Row = tuple[int, int, int, int, int, str]
URL_NUMBERS = itertools.count()


def table(out: str) -> dict[str, Row]:
    """The last table in `out`, by stage: queued, in flight, complete, error, filtered, top errors."""
    lines = out.splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("stage "))
    rows: dict[str, Row] = {}
    for line in lines[start + 1:start + 1 + len(QUEUES)]:
        stage, *numbers, top = line.split(None, 6)
        rows[stage] = (*(int(n) for n in numbers), top)  # type: ignore[assignment]
    assert list(rows) == list(QUEUES), out
    return rows


def status(capsys, *args: str) -> str:
    capsys.readouterr()
    assert main(["status", *args]) == 0
    return capsys.readouterr().out


def submit(capsys, what: str, *values: str, batch: str | None = None) -> None:
    assert main(["submit", what, *values, *(["--batch", batch] if batch else [])]) == 0, capsys.readouterr().err


def ids(db, table_name: str = "domains", key: str = "domain") -> dict[str, int]:
    return {k: i for i, k in db.execute(f"SELECT id, {key} FROM {table_name}")}


def set_scan(db, domain: str, status: str, error: str | None = None) -> None:
    db.execute("UPDATE domains SET scan_status = %s, scan_error = %s WHERE domain = %s", (status, error, domain))


def add_rows(db, table_name: str, prefix: str, domain_id: int, statuses: list[tuple[str, str | None]]) -> None:
    for status, error in statuses:
        n = next(URL_NUMBERS)
        db.execute(
            f"INSERT INTO {table_name} (domain_id, url, {prefix}_status, {prefix}_error) VALUES (%s, %s, %s, %s)",
            (domain_id, f"http://x{domain_id}.com/{table_name}/{n}", status, error),
        )


def test_table_has_every_stage_with_depth_in_flight_done_errors_and_top_reasons(db, capsys):
    submit(capsys, "domains", *(f"d{n}.com" for n in range(10)))
    set_scan(db, "d2.com", "Processing")
    for d in ("d3.com", "d4.com"):
        set_scan(db, d, "Complete")
    set_scan(db, "d5.com", "Error", "http_status: 404 Not Found")
    set_scan(db, "d6.com", "Error", "http_status: 500 Internal Server Error")
    set_scan(db, "d7.com", "Error", "timeout: no answer within 4s")
    # A failed run's rows carry its run id; they are one reason, however many runs failed.
    set_scan(db, "d8.com", "Error", "run 0b6a51c2-7f0e-4c39-9d55-1d4e1e0c2b7a failed: boom (gave up after 3 attempts)")
    set_scan(db, "d9.com", "Error", "run 5d1f0e9a-aaaa-4bbb-8ccc-0123456789ab failed: oops (gave up after 3 attempts)")
    db.execute("UPDATE domains SET sitemap_status = 'Queued' WHERE domain = 'd3.com'")
    db.execute("UPDATE domains SET sitemap_status = 'Complete' WHERE domain = 'd4.com'")
    d4 = ids(db)["d4.com"]
    add_rows(db, "sitemap_files", "import", d4, [("Processing", None), ("Error", "invalid_sitemap: DOCTYPE")])
    add_rows(db, "pages", "scrape", d4, [("Complete", None), ("Complete", None), ("Filtered", None)])

    out = status(capsys)
    assert out.splitlines()[0].split() == ["stage", "queued", "in", "flight", "complete", "error", "filtered",
                                           "top", "errors"]
    rows = table(out)
    assert rows["domain_scan"] == (2, 1, 2, 5, 0, "http_status (2), run failed (2), timeout (1)")
    assert rows["sitemap_discovery"] == (1, 0, 1, 0, 0, "-")
    assert rows["sitemap_import"] == (0, 1, 0, 1, 0, "invalid_sitemap (1)")
    assert rows["page_scrape"] == (0, 0, 2, 0, 1, "-")
    for stage in ("place_search", "deep_scan", "domain_extraction", "email_crawl"):
        assert rows[stage] == (0, 0, 0, 0, 0, "-")
    assert "rows terminal" not in out  # the progress bar belongs to --follow


def test_top_reasons_are_the_five_most_frequent_kinds(db, capsys):
    submit(capsys, "domains", "host.com")
    host = ids(db)["host.com"]
    kinds = {"too_large": 1, "http_status": 4, "timeout": 3, "not_html": 2, "robots_disallowed": 2, "tls": 1}
    add_rows(db, "pages", "scrape", host, [("Error", f"{kind}: detail {n}")
                                           for kind, count in kinds.items() for n in range(count)])
    add_rows(db, "pages", "scrape", host, [("Error", None)])  # an Error without a reason still counts
    rows = table(status(capsys))
    assert rows["page_scrape"][:5] == (0, 0, 0, 14, 0)
    assert rows["page_scrape"][5] == "http_status (4), timeout (3), not_html (2), robots_disallowed (2), tls (1)"


def test_batch_restricts_to_the_submission_and_what_its_domains_led_to(db, capsys):
    submit(capsys, "domains", "a1.com", "a2.com", "a3.com", batch="first")
    submit(capsys, "domains", "b1.com", "b2.com", batch="second")
    submit(capsys, "domains", "unnamed.com")
    set_scan(db, "a1.com", "Complete")
    set_scan(db, "a2.com", "Error", "unknown_host: a2.com")
    set_scan(db, "b1.com", "Error", "timeout: slow")
    db.execute("UPDATE domains SET sitemap_status = 'Processing' WHERE domain IN ('a1.com', 'b2.com')")
    by_name = ids(db)
    add_rows(db, "sitemap_files", "import", by_name["a1.com"], [("Queued", None)])
    add_rows(db, "pages", "scrape", by_name["a1.com"], [("Queued", None), ("Error", "http_status: 404")])
    add_rows(db, "sitemap_files", "import", by_name["b1.com"], [("Complete", None)])
    add_rows(db, "pages", "scrape", by_name["b2.com"], [("Processing", None)])

    first = table(status(capsys, "--batch", "first"))
    assert first["domain_scan"] == (1, 0, 1, 1, 0, "unknown_host (1)")
    assert first["sitemap_discovery"] == (0, 1, 0, 0, 0, "-")
    assert first["sitemap_import"] == (1, 0, 0, 0, 0, "-")
    assert first["page_scrape"] == (1, 0, 0, 1, 0, "http_status (1)")

    second = table(status(capsys, "--batch", "second"))
    assert second["domain_scan"] == (1, 0, 0, 1, 0, "timeout (1)")
    assert second["sitemap_discovery"] == (0, 1, 0, 0, 0, "-")
    assert second["sitemap_import"] == (0, 0, 1, 0, 0, "-")
    assert second["page_scrape"] == (0, 1, 0, 0, 0, "-")

    everything = table(status(capsys))
    assert everything["domain_scan"][:4] == (3, 0, 1, 2)  # a3, b2 and the unnamed submission queued
    assert all(r[:5] == (0, 0, 0, 0, 0) for r in table(status(capsys, "--batch", "nope")).values())


def test_a_named_sitemap_or_page_submission_can_be_followed(db, capsys):
    submit(capsys, "sitemaps", "https://maps.example.com/sitemap.xml", batch="maps")
    submit(capsys, "pages", "https://pages.example.org/contact", "https://pages.example.org/about", batch="pages")
    maps = table(status(capsys, "--batch", "maps"))
    assert maps["sitemap_import"] == (1, 0, 0, 0, 0, "-")
    assert maps["domain_scan"] == (0, 0, 0, 0, 0, "-")  # its domain was recorded, not queued for a scan
    assert maps["page_scrape"] == (0, 0, 0, 0, 0, "-")
    pages = table(status(capsys, "--batch", "pages"))
    assert pages["page_scrape"] == (2, 0, 0, 0, 0, "-")
    assert pages["sitemap_import"] == (0, 0, 0, 0, 0, "-")


def test_follow_returns_at_once_when_everything_is_terminal(db, capsys):
    submit(capsys, "domains", "x1.com", "x2.com", "x3.com", batch="done")
    for d in ("x1.com", "x2.com"):
        set_scan(db, d, "Complete")
    set_scan(db, "x3.com", "Error", "http_status: 404")
    out = status(capsys, "--batch", "done", "--follow", "--interval", "30")
    assert out.count("rows terminal") == 1
    assert out.rstrip().splitlines()[-1] == f"[{'#' * 40}] 3/3 rows terminal (100%)"
    assert table(out)["domain_scan"] == (0, 0, 2, 1, 0, "http_status (1)")


def test_follow_refreshes_with_a_progress_bar_until_nothing_is_queued_or_in_flight(db, capsys):
    submit(capsys, "domains", "f1.com", "f2.com", "f3.com", "f4.com", batch="live")
    set_scan(db, "f1.com", "Complete")
    set_scan(db, "f2.com", "Processing")
    submit(capsys, "domains", "elsewhere.com")  # queued, but not part of the followed submission
    capsys.readouterr()

    result: list[int] = []
    follower = threading.Thread(
        target=lambda: result.append(main(["status", "--batch", "live", "--follow", "--interval", "0.05"])),
        daemon=True,
    )
    follower.start()
    out = ""
    deadline = time.monotonic() + 30
    while "rows terminal" not in out and time.monotonic() < deadline:
        out += capsys.readouterr().out
        time.sleep(0.02)
    assert "rows terminal" in out
    first_bar = next(line for line in out.splitlines() if "rows terminal" in line)
    assert first_bar == f"[{'#' * 10}{'.' * 30}] 1/4 rows terminal (25%)"
    assert follower.is_alive() and not result  # two queued and one in flight: it keeps following

    set_scan(db, "f2.com", "Complete")
    set_scan(db, "f3.com", "Processing")
    set_scan(db, "f4.com", "Error", "not_html: image/png")
    assert follower.is_alive() and not result  # f3 is still in flight
    set_scan(db, "f3.com", "Complete")
    follower.join(30)
    assert not follower.is_alive() and result == [0]
    out += capsys.readouterr().out
    bars = [line for line in out.splitlines() if "rows terminal" in line]
    assert bars[-1] == f"[{'#' * 40}] 4/4 rows terminal (100%)"
    assert len(bars) >= 2 and out.count("\nstage ") + out.startswith("stage ") == len(bars)
    assert table(out)["domain_scan"] == (0, 0, 3, 1, 0, "not_html (1)")


def test_progress_bar_counts_terminal_rows_of_every_stage():
    def row(stage: str, *counts: int) -> StageStatus:
        return StageStatus(stage, *counts, top_errors=[])

    rows = [row("domain_scan", 1, 1, 4, 1, 0), row("page_scrape", 0, 2, 0, 0, 1)]
    assert progress_bar(rows, width=10) == "[######....] 6/10 rows terminal (60%)"
    assert progress_bar([], width=4) == "[####] 0/0 rows terminal (100%)"
