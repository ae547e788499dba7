"""Point 7: the same input submitted twice, or the same batches backfilled twice, leaves the same rows.

A few healthy synthetic sites go through the whole chain (scan, sitemap discovery, import, page
scrape, email crawl); then every stage's batches are backfilled twice as one range per stage (what
a multi-run backfill run executes) and every entity row (ids included) must be what it was. The
policies that queue the next stage are switched off for the backfills (Launchpad config), so each
backfill reprocesses exactly its own batches; anything a stage re-queues itself is drained again.
"""

from __future__ import annotations

import dagster as dg

from scrapersky_pipelines import cli
from scrapersky_pipelines.db import queue
from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.stages import QUEUES
from scrapersky_pipelines.definitions import build_definitions
from scrapersky_pipelines.demo.sites import site_domains

from .conftest import count_duplicates

CHAIN = ("domain_scan", "sitemap_discovery", "sitemap_import", "page_scrape", "email_crawl")
SNAPSHOT = {
    "domains": "id, domain, scan_status, scan_error, title, description, emails, phones, tech_stack, "
               "sitemap_status, sitemap_count, sitemap_url_count, crawl_status",
    "sitemap_files": "id, domain_id, url, kind, url_count, import_status, import_error, pages_imported",
    "pages": "id, domain_id, url, category, scrape_status, scrape_error, contact_status, title",
    "contacts": "id, domain_id, email, email_kind, phone, name",
}


# Small sites without a Crawl-delay (politeness would dominate the time): a gzip sitemap, a
# <link rel="sitemap"> only, and none at all (that one goes to the email crawl instead).
SITES = ("bayview-accounting-0002.com", "stonebridge-bakery-0017.com", "ironwood-florist-0018.com")


STAGE_COLUMNS = {"domains": ("scan_status", "sitemap_status", "crawl_status"),
                 "sitemap_files": ("import_status",), "pages": ("scrape_status",)}


def settled_rows(db) -> int:
    """Rows of the staged tables with no stage column Queued or Processing."""
    total = 0
    for table, columns in STAGE_COLUMNS.items():
        busy = " OR ".join(f"coalesce({c}, '') IN ('Queued', 'Processing')" for c in columns)
        total += db.execute(f"SELECT count(*) FROM {table} WHERE NOT ({busy})")[0][0]
    return total


def snapshot(db) -> dict[str, list[tuple]]:
    return {t: db.execute(f"SELECT {cols} FROM {t} ORDER BY id") for t, cols in SNAPSHOT.items()}


# Two batches for the first stages, so their backfill is a range of several batches in one run.
BATCH_SIZE = {"domain_scan": 2, "sitemap_discovery": 2}


def drain(defs: dg.Definitions, instance) -> int:
    """What the daemon does: claim, add the partition, run; until no stage has Queued rows."""
    runs = 0
    while True:
        progressed = False
        for stage in CHAIN:
            with transaction() as s:
                got = queue.claim(s, QUEUES[stage], BATCH_SIZE.get(stage, 500))
            if got is None:
                continue
            instance.add_dynamic_partitions(f"{stage}_batches", [got.key])
            assert defs.resolve_job_def(f"{stage}_job").execute_in_process(instance=instance, partition_key=got.key).success
            progressed, runs = True, runs + 1
        if not progressed:
            return runs


NO_FOLLOW_UPS = {
    "domain_scan": {"ops": {"domain_metadata": {"ops": {"apply_scan_policies": {
        "config": {"queue_sitemap_discovery": False}}}}}},
    "sitemap_discovery": {"ops": {"sitemap_files": {"ops": {"apply_discovery_policies": {
        "config": {"queue_sitemap_import": False, "queue_email_crawl": "never"}}}}}},
}


def backfill(defs: dg.Definitions, instance, stage: str) -> None:
    keys = instance.get_dynamic_partitions(f"{stage}_batches")
    if not keys:
        return
    tags = {"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]}
    job = defs.resolve_job_def(f"{stage}_job")
    assert job.execute_in_process(instance=instance, tags=tags, run_config=NO_FOLLOW_UPS.get(stage, {})).success


def test_submitting_twice_leaves_the_same_rows(db, capsys):
    domains = site_domains(3)
    urls = [f"https://{d}/contact" for d in domains]
    for argv in (["domains", *domains], ["pages", *urls], ["sitemaps", f"https://{domains[0]}/sitemap.xml"]):
        assert cli.main(["submit", *argv]) == 0
        first = snapshot(db)
        assert cli.main(["submit", *argv]) == 0
        assert "0 queued" in capsys.readouterr().out.splitlines()[-1]
        assert snapshot(db) == first


def test_backfilling_the_same_batches_twice_leaves_the_same_rows(db, web_env, scoreboard):
    with scoreboard.start("7 backfill every stage twice") as row:
        domains = list(SITES)
        assert cli.main(["submit", "domains", *domains]) == 0
        defs = build_definitions()  # after web_env: the HTTP resource reads the resolve entries now
        with dg.instance_for_test() as instance:
            first_runs = drain(defs, instance)
            before = snapshot(db)
            assert before["pages"] and before["contacts"], "the chain produced pages and contacts"
            assert {r[2] for r in before["domains"]} == {"Complete"}
            assert len(instance.get_dynamic_partitions("domain_scan_batches")) == 2
            reruns = 0
            for _ in range(2):
                for stage in CHAIN:
                    backfill(defs, instance, stage)
                reruns += drain(defs, instance)
            after = snapshot(db)
        for table in SNAPSHOT:
            assert after[table] == before[table], table
        assert count_duplicates(db) == 0
        # Rows with a processing status (contacts have none: they are results, compared all the same).
        row.rows_in = sum(len(before[t]) for t in STAGE_COLUMNS)
        row.rows_terminal = settled_rows(db)
        assert row.rows_terminal == row.rows_in
        row.duplicates = count_duplicates(db)
        row.notes = (f"{first_runs} runs, then 2 x {len(CHAIN)} range backfills + {reruns} follow-up runs; "
                     f"{row.rows_in} staged rows and {len(after['contacts'])} contacts identical")
