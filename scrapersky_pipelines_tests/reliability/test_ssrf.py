"""Point 5: private, loopback, link-local and oddly written addresses are refused by default.

At the door (the `scrapersky submit` command) and, for rows that got into the database some other
way, at fetch time in the real stage jobs: IP literals in every spelling, names that resolve to
private addresses, redirects to them, and a name that resolves public and later private (DNS
rebinding). The connector under the HTTP client is a safety net (`ssrf_net.py`): it refuses and
records anything the guard would have let through, so a failure here never leaves the machine.
"""

from __future__ import annotations

import asyncio

import dagster as dg
import pytest

from scrapersky_pipelines import cli
from scrapersky_pipelines.db import queue
from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.stages import QUEUES
from scrapersky_pipelines.definitions import GROUPS, STAGES
from scrapersky_pipelines.demo import sites
from scrapersky_pipelines.defs.resources import build_resources
from scrapersky_pipelines.lib.http import FetchError, HttpClient, HttpSettings
from scrapersky_pipelines.lib.netguard import Resolver

from . import ssrf_net
from .conftest import count_duplicates
from .ssrf_net import PUBLIC, FakeDns, SafetyNet, ScenarioHttp

SPECS = {s.stage: s for s in STAGES}

PRIVATE_DOMAINS = [
    "127.0.0.1", "[::1]", "::1", "10.0.0.1", "172.16.5.4", "172.31.255.254", "192.168.1.1", "169.254.169.254",
    "0.0.0.0", "::ffff:127.0.0.1", "[::ffff:a9fe:a9fe]", "2130706433", "0177.0.0.1", "0x7f000001",
    "0x7f.0.0.1", "127.1", "localhost", "metadata.google.internal", "router.lan",
    "http://user@10.0.0.1/", "https://192.168.0.1:8443/admin",
]
PRIVATE_URLS = [
    "http://127.0.0.1/sitemap.xml", "http://[::1]/", "http://10.1.1.1/s.xml", "http://172.20.0.1/",
    "http://192.168.0.10/page", "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/", "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/",
    "http://127.1/", "http://localhost/", "https://localhost:8443/x",
]


def submit(*argv: str, capsys) -> tuple[int, str, str]:
    code = cli.main(["submit", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_submissions_refuse_private_addresses_in_every_spelling(db, capsys):
    code, _, err = submit("domains", *PRIVATE_DOMAINS, capsys=capsys)
    assert code == 2 and "no valid domain" in err
    lines = [line for line in err.splitlines() if line.startswith("invalid")]
    assert len(lines) == len(PRIVATE_DOMAINS)
    assert all(("IP addresses are not domains" in line or "public" in line) for line in lines), lines
    for kind in ("sitemaps", "pages"):
        code, _, err = submit(kind, *PRIVATE_URLS, capsys=capsys)
        lines = [line for line in err.splitlines() if line.startswith("invalid")]
        assert code == 2 and len(lines) == len(PRIVATE_URLS), err
        assert all(("no public registrable domain" in line or "not an http(s) URL" in line) for line in lines)
    assert db.execute("SELECT (SELECT count(*) FROM domains) + (SELECT count(*) FROM sitemap_files)"
                      " + (SELECT count(*) FROM pages)") == [(0,)]


@pytest.fixture
def net(web):
    """The scenario's DNS and connector; synthetic site names resolve to the stand-in public address."""

    def synthetic(host: str):
        bare = host.removeprefix("www.")
        if sites.parse_broken_domain(bare) or sites.parse_site_domain(bare):
            return [PUBLIC]
        return None

    dns = FakeDns(default=synthetic)
    safety = SafetyNet(web.port)
    ssrf_net.CURRENT.update(dns=dns, net=safety)
    yield dns, safety
    ssrf_net.CURRENT.clear()


def scenario_defs() -> dg.Definitions:
    http = ScenarioHttp(schemes="http", total_timeout=6.0, max_retries=0, resolve="", resolve_only=False)
    return dg.Definitions(
        assets=[a for g in GROUPS for a in g.assets],
        jobs=[SPECS[s].job() for s in ("domain_scan", "sitemap_import", "page_scrape")],
        resources={**build_resources(), "http": http},
    )


def run_stage(defs: dg.Definitions, instance, stage: str) -> dg.ExecuteInProcessResult:
    with transaction() as s:
        got = queue.claim(s, QUEUES[stage], 500)
    assert got is not None, f"nothing queued for {stage}"
    instance.add_dynamic_partitions(SPECS[stage].partitions_def.name, [got.key])
    result = defs.resolve_job_def(SPECS[stage].job_name).execute_in_process(instance=instance, partition_key=got.key)
    assert result.success
    return result


def insert_raw_domains(db, names: list[str]) -> None:
    """Rows that bypassed submission checks (an old import, a hand-written INSERT)."""
    for name in names:
        db.execute("INSERT INTO domains (domain, scan_status, scan_queued_at) VALUES (%s, 'Queued', now())", (name,))


def test_stage_fetches_refuse_private_targets_literals_names_and_redirects(db, web, net, scoreboard):
    dns, safety = net
    with scoreboard.start("5 SSRF (scan, import, scrape)") as row:
        literals = ["127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.0.1", "169.254.169.254", "0.0.0.0",
                    "[::1]", "[::ffff:127.0.0.1]", "[::ffff:a9fe:a9fe]", "2130706433", "0177.0.0.1",
                    "0x7f000001", "0x7f.0.0.1", "127.1"]
        resolving_private = {
            "127.0.0.1.nip.io": ["127.0.0.1"], "intranet-wiki.com": ["10.1.2.3"], "printer.home.arpa": ["192.168.1.20"],
            "cloud-meta.com": ["169.254.169.254"], "mapped-v6.com": ["::ffff:192.168.0.10"],
            "v6-loopback.com": ["::1"], "mixed-answers.com": ["10.0.0.5", "fd00::5"], "localhost": ["127.0.0.1"],
        }
        dns.answers.update(resolving_private)
        redirects = [sites.broken_domain("redirect-loopback", n) for n in (1, 2, 3, 4)]
        redirects += [sites.broken_domain("redirect-metadata"), sites.broken_domain("redirect-localhost")]
        insert_raw_domains(db, literals + list(resolving_private) + redirects)

        port = web.port  # URLs aimed at the synthetic web's real port: a guard failure would be served
        urls = [f"http://127.0.0.1:{port}/sitemap.xml", f"http://0.0.0.0:{port}/", f"http://2130706433:{port}/",
                f"http://0x7f000001:{port}/", f"http://[::ffff:127.0.0.1]:{port}/", f"http://127.1:{port}/",
                "http://169.254.169.254/latest/meta-data/", "http://intranet-wiki.com/",
                f"http://{sites.broken_domain('redirect-loopback', 1)}/",
                f"http://{sites.broken_domain('redirect-metadata')}/"]
        [[domain_id]] = db.execute("SELECT id FROM domains ORDER BY id LIMIT 1")
        for i, url in enumerate(urls):
            db.execute("INSERT INTO sitemap_files (domain_id, url, import_status, import_queued_at) "
                       "VALUES (%s, %s, 'Queued', now())", (domain_id, url))
            db.execute("INSERT INTO pages (domain_id, url, scrape_status, scrape_queued_at) "
                       "VALUES (%s, %s, 'Queued', now())", (domain_id, url + f"?p={i}"))
        row.rows_in = len(literals) + len(resolving_private) + len(redirects) + 2 * len(urls)

        defs = scenario_defs()
        with dg.instance_for_test() as instance:
            for stage in ("domain_scan", "sitemap_import", "page_scrape"):
                run_stage(defs, instance, stage)

        outcomes = db.execute(
            "SELECT domain, scan_status, scan_error FROM domains UNION ALL "
            "SELECT url, import_status, import_error FROM sitemap_files UNION ALL "
            "SELECT url, scrape_status, scrape_error FROM pages")
        wrong = []
        for target, status, error in outcomes:
            kind = (error or "").split(":", 1)[0]
            # localhost-style names may also end unknown_host; everything else must say blocked_address
            if status != "Error" or kind not in ("blocked_address", "unknown_host"):
                wrong.append((target, status, error))
            elif kind == "unknown_host" and "localhost" not in target:
                wrong.append((target, status, error))
            elif kind == "blocked_address" and "refusing to connect" not in error:
                wrong.append((target, status, error))
        assert not wrong, wrong
        assert safety.refused == [], safety.refused  # nothing ever got past the guard to the connector
        assert not [e for e in web.request_log if sites.parse_broken_domain(e.host) is None
                    and sites.parse_site_domain(e.host.removeprefix("www.")) is None]
        for domain in redirects:  # the first hop was fetched (publicly); the redirect target was not
            assert web.requests_for(domain), domain
        row.rows_terminal = len([o for o in outcomes if o[1] in ("Complete", "Error")])
        row.duplicates = count_duplicates(db)
        row.notes = (f"{len(literals)} IP spellings, {len(resolving_private)} names resolving private, "
                     f"{len(redirects)} redirects; 0 connections past the guard")


def test_dns_rebinding_public_then_private_is_refused_at_the_next_fetch(db, web, net):
    dns, safety = net
    site = sites.site_domains(1)[0]
    answers = [PUBLIC]
    dns.answers[site] = lambda: answers
    dns.answers[f"www.{site}"] = lambda: answers
    insert_raw_domains(db, [site])
    defs = scenario_defs()
    with dg.instance_for_test() as instance:
        run_stage(defs, instance, "domain_scan")
        [(status, error)] = db.execute("SELECT scan_status, scan_error FROM domains")
        assert status == "Complete", error
        answers[:] = ["127.0.0.1"]  # the attacker's DNS now answers with loopback
        with transaction() as s:
            queue.enqueue(s, QUEUES["domain_scan"], [1])
        run_stage(defs, instance, "domain_scan")
    [(status, error)] = db.execute("SELECT scan_status, scan_error FROM domains")
    assert status == "Error" and error.startswith("blocked_address:") and "127.0.0.1" in error
    assert safety.refused == [] and set(safety.connects) == {(PUBLIC, 80)}


def test_each_connection_goes_to_the_address_checked_for_it(web):
    """A DNS that alternates public/private on every query cannot slip a private address between a
    check and a connect: the client resolves once per connection and connects to that answer."""
    site = sites.site_domains(2)[1]
    flips = iter([PUBLIC, "127.0.0.1"] * 20)
    dns = FakeDns(answers={site: lambda: [next(flips)]})
    safety = SafetyNet(web.port)
    settings = HttpSettings(total_timeout=5, max_retries=0, obey_robots=False)

    async def scenario() -> list[str]:
        outcomes = []
        for _ in range(6):  # a fresh client each time: a new connection, a new DNS answer
            async with HttpClient(settings, resolver=Resolver(lookup=dns.lookup), connector=safety) as client:
                try:
                    result = await client.fetch(f"http://{site}/")
                    outcomes.append(f"ok {result.status}")
                except FetchError as exc:
                    outcomes.append(exc.kind)
        return outcomes

    outcomes = asyncio.run(scenario())
    assert outcomes == ["ok 200", "blocked_address"] * 3
    assert len(dns.calls) == 6 and len(safety.connects) == 3 and safety.refused == []
