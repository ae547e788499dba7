"""Points 1, 2, 3, 8 and 9 against one real Dagster daemon (sensors, code server, run workers).

The app reaches PostgreSQL as a password-protected role through its own pgbouncer: transaction
mode, SCRAM auth, a pool of 2 server connections for many more concurrent clients. In order:
a stall is flagged by the running daemon; the pooler scenario (runs + a stress process through the
small pool); a run worker SIGKILLed mid-batch (run-failure sensor path); PostgreSQL stopped and
started mid-run with pgbouncer kept; a Places search and failing logins, after which no log, event,
run config, tick, snapshot or stored error may contain the API key or the database password; and
finally every server connection goes away with the pooler.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import dagster as dg
import pytest

from scrapersky_pipelines.demo.places_server import FakePlacesServer
from scrapersky_pipelines.demo.sites import broken_domain, site_domains
from scrapersky_pipelines_tests.support.daemon import running_daemon
from scrapersky_pipelines_tests.support.processes import (
    Pooler,
    PoolSampler,
    ServerControl,
    app_backends,
    cli,
    group_pids,
    peak_rss_mb,
    python_env,
    run_measured,
    run_worker_pid,
    wait_for,
    write_instance,
    write_workspace,
)

from .conftest import count_duplicates

ROLE = "scrapersky_app"
PASSWORD = "pw-Sx9/+%&Zq#1!reliab"
KEY = "AIzaSy-reliability-secret-key-7731"
SECRETS = (PASSWORD, quote(PASSWORD, safe=""), KEY)
TERMINAL = ("Complete", "Error")


@dataclass
class Stack:
    db: object
    control: ServerControl
    pooler: Pooler
    places: FakePlacesServer
    env: dict[str, str]
    home: Path
    log: Path
    proc: object
    rss: "RssSampler"
    baseline_backends: int
    stopped: bool = False
    stop_daemon: object = None

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.from_config(str(self.home))


@dataclass
class RssSampler:
    """Largest resident-set high-water mark of any process in the daemon's group (code server, run workers)."""

    group: int
    peak_mb: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self._stop.wait(0.3):
            for pid in group_pids(self.group):
                if pid != self.group:  # the daemon itself runs no pipeline code
                    self.peak_mb = max(self.peak_mb, peak_rss_mb(pid) or 0.0)

    def start(self) -> "RssSampler":
        threading.Thread(target=self.run, name="rss-sampler", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()


def create_role(db) -> None:
    if db.execute(f"SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}'"):
        drop_role(db)  # left over from an interrupted session
    db.execute(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'")
    db.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {ROLE}")
    db.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {ROLE}")


def drop_role(db) -> None:
    db.execute(f"DROP OWNED BY {ROLE}")
    db.execute(f"DROP ROLE IF EXISTS {ROLE}")


def seed_stall(db) -> None:
    """A page-scrape queue nobody drains (its sensor is not in this location): Queued for 2 hours."""
    db.execute("INSERT INTO domains (domain) VALUES ('stalled-queue-site.com')")
    db.execute("INSERT INTO pages (domain_id, url, scrape_status, scrape_queued_at) SELECT id, "
               "'https://stalled-queue-site.com/p' || g, 'Queued', now() - interval '2 hours' "
               "FROM domains, generate_series(1, 5) g WHERE domain = 'stalled-queue-site.com'")


@pytest.fixture(scope="module")
def stack(test_db, web, tmp_path_factory):
    db = test_db
    db.truncate()
    root = tmp_path_factory.mktemp("daemon")
    control = ServerControl(db)
    baseline = len(app_backends(db))
    create_role(db)
    try:
        with control.hba_rule(f"local scrapersky {ROLE} scram-sha-256"), \
                FakePlacesServer(api_key=KEY, token_delay=0.2, quota_failures=2) as places:
            # under the database root: pgbouncer runs as the unprivileged postgres user and must reach it
            pooler = Pooler(db.root / "reliability-pooler", control.socket_dir, control.port, {ROLE: PASSWORD}, pool_size=2).start()
            home = write_instance(root / "dagster")
            # Create the instance's storage now, so the suite never reads it while the daemon creates it.
            dg.DagsterInstance.from_config(str(home)).dispose()
            workspace = write_workspace(root / "workspace.yaml", "scrapersky_pipelines_tests.reliability.location")
            env = python_env(
                SCRAPERSKY_DATABASE_URL=pooler.url(ROLE),
                GOOGLE_PLACES_API_KEY=KEY,
                SCRAPERSKY_PLACES_BASE_URL=places.base_url,
                SCRAPERSKY_RESOLVE=",".join(web.resolve_entries()),
                SCRAPERSKY_RESOLVE_ONLY="1",
                SCRAPERSKY_SCHEMES="http",
                SCRAPERSKY_HTTP_TOTAL_TIMEOUT="4",
                SCRAPERSKY_TEST_BATCH_SIZE="20",
                DAGSTER_HOME=str(home),
            )
            seed_stall(db)
            log = root / "daemon.log"
            cm = running_daemon(env, log, workspace)
            proc = cm.__enter__()
            rss = RssSampler(proc.pid).start()
            stack = Stack(db, control, pooler, places, env, home, log, proc, rss, baseline)

            def stop_daemon() -> None:
                if not stack.stopped:
                    stack.stopped = True
                    rss.stop()
                    cm.__exit__(None, None, None)

            stack.stop_daemon = stop_daemon
            try:
                yield stack
            finally:
                stop_daemon()
                pooler.stop()
    finally:
        drop_role(db)


def rows_of(db, batch: str) -> list[tuple]:
    return db.execute("SELECT id, domain, scan_status, scan_attempts, scan_batch, scan_error FROM domains "
                      "WHERE submit_batch = %s ORDER BY id", (batch,))


def all_terminal(db, batch: str) -> bool:
    rows = rows_of(db, batch)
    return bool(rows) and all(r[2] in TERMINAL for r in rows)


def submit(stack: Stack, batch: str, domains: list[str]) -> None:
    done = cli(["submit", "domains", *domains, "--batch", batch], stack.env)
    assert done.returncode == 0, done.stderr
    assert f"{len(domains)} queued" in done.stdout


def running_batch(db, batch: str):
    rows = db.execute("SELECT b.key, b.run_id FROM batches b WHERE b.status = 'Running' AND b.run_id IS NOT NULL "
                      "AND EXISTS (SELECT 1 FROM domains d WHERE d.scan_batch = b.key AND d.submit_batch = %s)",
                      (batch,))
    return rows[0] if rows else None


def diagnosis(stack: Stack, *procs) -> str:
    """What the database, the pooler and the daemon were doing, for a scenario that timed out."""
    activity = stack.db.execute("SELECT usename, state, wait_event_type, wait_event, now() - xact_start, "
                                "left(query, 80) FROM pg_stat_activity WHERE datname = 'scrapersky'")
    return "\n".join([
        f"pg_stat_activity: {activity}",
        f"pools: {stack.pooler.show('POOLS')}",
        f"clients: {stack.pooler.show('CLIENTS')}",
        f"servers: {stack.pooler.show('SERVERS')}",
        *(f"process: rc={p.returncode} {p.seconds:.0f}s out={p.stdout[-500:]} err={p.stderr[-1500:]}" for p in procs),
        f"statuses: {stack.db.execute('SELECT scan_status, count(*) FROM domains GROUP BY 1')}",
        "daemon log tail: " + daemon_log(stack)[-3000:],
    ])


def finished_runs(stack: Stack, job: str) -> list | None:
    """The job's runs once none is in progress (rows are written before a run's last step ends)."""
    with stack.instance() as instance:
        runs = list(instance.get_runs(dg.RunsFilter(job_name=job)))
    return runs if runs and all(r.is_finished for r in runs) else None


def daemon_log(stack: Stack) -> str:
    return stack.log.read_text(errors="replace")


def test_a_stalled_queue_is_flagged_by_the_running_daemon(stack, scoreboard):
    with scoreboard.start("9 stall visible (daemon)") as row:
        row.rows_in = 5
        key = dg.AssetCheckKey(dg.AssetKey("page_contacts"), "queue_not_stalled")

        def evaluation():
            with stack.instance() as instance:
                record = instance.event_log_storage.get_latest_asset_check_execution_by_key([key]).get(key)
            return record and record.event and record.event.dagster_event.event_specific_data

        found = wait_for(evaluation, 120, 1.0, "a queue_not_stalled evaluation from the daemon")
        assert found.passed is False and "page_scrape STALLED: 5 rows Queued" in found.description
        row.notes = (f"rows left Queued on purpose (no page_scrape claim sensor); check red "
                     f"{row.done().duration_s:.0f}s after the daemon started: \"{found.description}\"")
        row.rows_terminal = 0


def test_pooler_in_transaction_mode_with_a_pool_smaller_than_the_clients(stack, scoreboard):
    db = stack.db
    with scoreboard.start("1 pooler: pool 2, runs + stress") as row:
        domains = site_domains(60)
        pg_log_start = len(db.pg_log_text())
        with PoolSampler(stack.pooler, db, ROLE) as sampler:
            submit(stack, "pooler", domains)
            stress = run_measured(
                [sys.executable, "-m", "scrapersky_pipelines_tests.reliability.worker", "stress",
                 "--threads", "6", "--tasks", "12", "--rounds", "15"], stack.env, timeout=120)
            try:
                wait_for(lambda: all_terminal(db, "pooler"), 240, 1.0, "pooler rows terminal")
            except TimeoutError as exc:
                raise AssertionError(diagnosis(stack, stress)) from exc
        assert stress.returncode == 0, stress.stderr[-2000:]
        report = json.loads(stress.stdout.splitlines()[-1])
        assert report["error_count"] == 0, report["errors"]
        assert report["done"] == {"sync": 6 * 15, "async": 12 * 15}
        rows = rows_of(db, "pooler")
        assert len(rows) == len(domains) and all(r[2] == "Complete" for r in rows), [r for r in rows if r[2] != "Complete"]
        # More clients than server connections, queued by pgbouncer, never more than the pool on the server.
        assert sampler.samples > 5 and not sampler.errors, sampler.errors
        assert sampler.max_waiting > 0 and sampler.max_server_backends <= 2, sampler
        runs = wait_for(lambda: finished_runs(stack, "domain_scan_job"), 120, 1.0, "the pooler runs finished")
        assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs), [(r.run_id, r.status) for r in runs]
        with stack.instance() as instance:
            events = "\n".join(dg.serialize_value(e) for r in runs for e in instance.all_logs(r.run_id))
        logs = stack.pooler.log_text() + db.pg_log_text()[pg_log_start:] + daemon_log(stack) + stress.stderr + events
        for bad in ("prepared statement", "MissingGreenlet", "greenlet_spawn"):
            assert bad not in logs, bad
        row.rows_in = len(domains)
        row.rows_terminal = len(rows)
        row.duplicates = count_duplicates(db)
        row.peak_rss_mb = max(stack.rss.peak_mb, stress.peak_rss_mb)
        row.notes = (f"{len(runs)} runs + {sum(report['done'].values())} stress transactions (sync+asyncpg); "
                     f"up to {sampler.max_waiting} clients waiting, {sampler.max_server_backends} server conns; "
                     f"0 prepared-statement/MissingGreenlet errors")


SLOW = [broken_domain("timeout", n) for n in (3, 4)] + [broken_domain("slow-drip", n) for n in (3, 4)]


def test_a_run_worker_killed_mid_batch_is_requeued_and_finished(stack, scoreboard):
    db = stack.db
    with scoreboard.start("2a crash: SIGKILL, run-failure path") as row:
        domains = site_domains(76)[60:] + SLOW
        submit(stack, "crash", domains)
        row.rows_in = len(domains)
        key, run_id = wait_for(lambda: running_batch(db, "crash"), 120, 0.2, "the crash batch running")
        with stack.instance() as instance:
            pid = wait_for(lambda: run_worker_pid(instance, run_id), 30, 0.2, "the run worker's pid")
        assert pid in group_pids(stack.proc.pid)  # a run worker the daemon's code server launched
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        killed_ids = {r[0] for r in db.execute("SELECT id FROM domains WHERE scan_batch = %s", (key,))}
        seen_queued = False

        def recovered() -> bool:
            nonlocal seen_queued
            rows = rows_of(db, "crash")
            seen_queued = seen_queued or any(r[2] == "Queued" and r[0] in killed_ids for r in rows)
            return all(r[2] in TERMINAL for r in rows)

        wait_for(recovered, 180, 0.5, "the killed batch's rows terminal")
        recovery = time.monotonic() - killed_at
        wait_for(lambda: finished_runs(stack, "domain_scan_job"), 120, 1.0, "the crash runs finished")
        with stack.instance() as instance:
            assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
        [(status, last_error)] = db.execute("SELECT status, last_error FROM batches WHERE key = %s", (key,))
        assert status == "Requeued" and f"run {run_id} failed" in last_error
        rows = rows_of(db, "crash")
        assert {r[1] for r in rows} == set(domains) and len(rows) == len(domains)
        mine = [r for r in rows if r[0] in killed_ids]
        assert mine and all(r[3] == 2 and r[4] != key for r in mine), mine  # attempts counted, new batch
        assert sum(r[2] == "Complete" for r in rows) == 16
        row.rows_terminal = len(rows)
        row.duplicates = count_duplicates(db)
        row.peak_rss_mb = stack.rss.peak_mb
        row.notes = (f"worker pid {pid} killed; failure sensor requeued {len(mine)} rows "
                     f"({'seen Queued, ' if seen_queued else ''}attempts 2), all terminal {recovery:.0f}s after the kill")


def test_database_restart_mid_run_loses_nothing(stack, scoreboard):
    db = stack.db
    with scoreboard.start("3 PostgreSQL restart mid-run") as row:
        domains = site_domains(92)[76:] + [broken_domain("timeout", n) for n in (5, 6)] + \
            [broken_domain("slow-drip", n) for n in (5, 6)]
        submit(stack, "restart", domains)
        row.rows_in = len(domains)
        bouncer_pid = stack.pooler.process.pid
        key, run_id = wait_for(lambda: running_batch(db, "restart"), 120, 0.2, "the restart batch running")
        earlier = len(retry_messages(stack, run_id))  # a loaded pool may have made the run retry already
        stack.control.stop("fast")
        stopped = time.monotonic()
        # The run's fetches go on without the database; its write meets the stopped server (pgbouncer
        # holds it for query_wait_timeout, then refuses it) and retries with backoff. The server
        # comes back only once the run has logged that first retry.
        try:
            wait_for(lambda: len(retry_messages(stack, run_id)) > earlier, 90, 0.5, "the run's write retrying")
        finally:
            stack.control.start()
        down = time.monotonic() - stopped
        wait_for(lambda: all_terminal(db, "restart"), 180, 1.0, "restart rows terminal")
        wait_for(lambda: finished_runs(stack, "domain_scan_job"), 120, 1.0, "the restart runs finished")
        assert stack.pooler.process.poll() is None and stack.pooler.process.pid == bouncer_pid
        rows = rows_of(db, "restart")
        assert {r[1] for r in rows} == set(domains) and len(rows) == len(domains)
        assert sum(r[2] == "Complete" for r in rows) == 16
        with stack.instance() as instance:
            run = instance.get_run_by_id(run_id)
            messages = [e.user_message for e in instance.all_logs(run_id)]
        retries = retry_messages(stack, run_id)[earlier:]
        # The write waited out the restart and pgbouncer's server_login_retry (15 s) with backoff:
        # the run itself succeeded, nothing had to be requeued.
        assert run.status == dg.DagsterRunStatus.SUCCESS and retries, (run.status, messages[-8:])
        assert db.execute("SELECT status FROM batches WHERE key = %s", (key,)) == [("Complete",)]
        assert all(r[3] == 1 for r in rows)
        row.rows_terminal = len(rows)
        row.duplicates = count_duplicates(db)
        row.peak_rss_mb = stack.rss.peak_mb
        row.notes = (f"server down {down:.0f}s, pgbouncer kept (pid {bouncer_pid}); the run's write retried "
                     f"{len(retries)} times with backoff and succeeded")


def retry_messages(stack: Stack, run_id: str) -> list[str]:
    with stack.instance() as instance:
        return [e.user_message for e in instance.all_logs(run_id) if "database unavailable" in e.user_message]


def secret_free(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def test_secrets_never_leak(stack, scoreboard):
    db = stack.db
    with scoreboard.start("8 secrets (key + DB password)") as row:
        stack.places.fail_next(1, 500, endpoint="search")  # an error path too (retried, logged)
        searched = cli(["search", "places", "dentist", "Boston, MA", "--max-results", "5"], stack.env)
        assert searched.returncode == 0, searched.stderr
        wait_for(lambda: db.execute("SELECT search_status FROM place_searches") in ([("Complete",)], [("Error",)]),
                 120, 1.0, "the places search finished")
        assert db.execute("SELECT search_status FROM place_searches") == [("Complete",)]
        assert db.execute("SELECT count(*) FROM places")[0][0] == 5

        # The secrets were really in play: the key authorised the Places calls, the password the logins.
        assert stack.places.count(outcome="ok") > 0
        assert f"login attempt: db=scrapersky user={ROLE}" in stack.pooler.log_text()
        wrong = {**stack.env, "SCRAPERSKY_DATABASE_URL": stack.pooler.url(ROLE, "Wrong-" + PASSWORD)}
        failed = cli(["submit", "domains", "wrong-password.com"], wrong)
        assert failed.returncode != 0 and "authentication failed" in failed.stderr
        shown = cli(["db", "url"], stack.env)
        assert shown.returncode == 0 and ROLE in shown.stdout and "***" in shown.stdout

        texts: dict[str, str] = {
            "cli": failed.stdout + failed.stderr + shown.stdout + shown.stderr + searched.stdout + searched.stderr,
            "daemon, code server and run worker output": daemon_log(stack),
            "pgbouncer log": stack.pooler.log_text(),
            "postgres log": db.pg_log_text(),
        }
        compute = [p for p in stack.home.rglob("*") if p.is_file() and p.suffix in (".out", ".err", ".complete")]
        texts["compute logs"] = "\n".join(p.read_text(errors="replace") for p in compute)
        with stack.instance() as instance:
            runs = instance.get_runs()
            assert {r.job_name for r in runs} >= {"domain_scan_job", "place_search_job"}
            texts["event logs"] = "\n".join(dg.serialize_value(e) for r in runs for e in instance.all_logs(r.run_id))
            texts["run configs and tags"] = "\n".join(json.dumps(r.run_config) + json.dumps(r.tags) for r in runs)
            ticks = []
            for state in instance.all_instigator_state():
                ticks += instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=500)
            assert ticks
            texts["sensor ticks"] = "\n".join(dg.serialize_value(t) for t in ticks)
        texts["stored errors"] = json.dumps(db.execute(
            "SELECT scan_error, sitemap_error, crawl_error FROM domains UNION ALL "
            "SELECT search_error, NULL, NULL FROM place_searches UNION ALL "
            "SELECT deep_scan_error, NULL, NULL FROM places UNION ALL "
            "SELECT last_error, results::text, error_counts::text FROM batches"), default=str)
        texts["UI snapshot (resources, launchpad defaults)"] = ui_snapshot(stack.env)
        assert "GOOGLE_PLACES_API_KEY" in texts["UI snapshot (resources, launchpad defaults)"]
        leaks = {where: secret_free(text) for where, text in texts.items() if secret_free(text)}
        assert not leaks, leaks
        scanned = sum(len(t) for t in texts.values())
        row.rows_in = len(runs)
        row.rows_terminal = len([r for r in runs if r.is_finished])
        row.duplicates = count_duplicates(db)
        row.notes = f"{len(texts)} sources, {scanned / 1e6:.1f} MB scanned, {len(runs)} runs: 0 occurrences"


def ui_snapshot(env: dict[str, str]) -> str:
    """What the webserver shows for the code location: the repository snapshot the code server serves."""
    code = ("import os, sys, json\n"
            "from dagster._core.remote_representation.external_data import RepositorySnap\n"
            "from dagster import serialize_value\n"
            "from scrapersky_pipelines_tests.reliability.location import defs\n"
            "sys.stdout.write(serialize_value(RepositorySnap.from_def(defs.get_repository_def())))\n")
    done = run_measured([sys.executable, "-c", code], env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_connections_return_to_baseline(stack, scoreboard):
    db = stack.db
    during = len(app_backends(db, ROLE))
    stack.stop_daemon()
    clients = wait_for(lambda: [c for c in stack.pooler.show("CLIENTS") if c["database"] == "scrapersky"] == []
                       or None, 30, 0.5, "pgbouncer clients gone")
    assert clients is not None
    pools = [p for p in stack.pooler.show("POOLS") if p["database"] == "scrapersky"]
    assert all(p["sv_active"] == 0 and p["cl_waiting"] == 0 for p in pools), pools
    assert not [b for b in app_backends(db, ROLE) if b[1] not in ("idle",)]  # nothing idle in transaction
    stack.pooler.stop()
    wait_for(lambda: app_backends(db, ROLE) == [], 30, 0.5, "the role's server connections closed")
    assert len(app_backends(db)) <= stack.baseline_backends + 1  # the session pooler may have reconnected once
    if row := scoreboard.find("1 pooler"):
        row.notes += (f"; after the daemon stopped: 0 clients, 0 active servers, {during} -> 0 server conns "
                      f"with the pooler gone (baseline {stack.baseline_backends})")
