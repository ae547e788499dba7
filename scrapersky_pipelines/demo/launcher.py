"""`scrapersky demo`: the whole pipeline on loopback fakes, from a Places search to contacts, unattended.

This process starts the embedded PostgreSQL, serves the synthetic web and the fake Places API from
threads of its own, points the resources at them through the environment, queues a Places search
(the same code as `scrapersky search places`) and runs `dagster dev` as a child: the servers must stay
alive in this process, so `dagster dev` cannot replace it the way `scrapersky dev` does. The sensors
then carry the search through every stage by themselves (`SCRAPERSKY_AUTO_SELECT=all` stands in for
the person who would select places and businesses), while this terminal prints one progress line per
change. Ctrl-C or SIGTERM stops `dagster dev` (see `launcher_process`) and then the servers.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from scrapersky_pipelines.demo.launcher_process import ChildGroup

CODE_LOCATION_MODULE = "scrapersky_pipelines.definitions"
#: Handed to the fake Places server and the resource alike; it is not a Google key and opens nothing.
FAKE_PLACES_KEY = "demo-fake-places-key"
STARTUP_TIMEOUT = 300.0
_SHORT = {"place_search": "search", "domain_extraction": "extract", "domain_scan": "scan",
          "sitemap_discovery": "discover", "sitemap_import": "import", "page_scrape": "scrape"}


@dataclass(frozen=True, slots=True)
class DemoOptions:
    port: int = 3000
    host: str = "127.0.0.1"
    query: str = "dentist"
    location: str = "Boston, MA"
    max_results: int = 20
    search: bool = True
    progress_interval: float = 5.0


class StopRequest:
    """SIGINT/SIGTERM set `requested`; a second one also sets `force` (skip the graceful waits)."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.force = threading.Event()
        self._previous: dict[int, object] = {}

    def _handle(self, signum: int, frame: object) -> None:
        if self.requested.is_set():
            self.force.set()
        self.requested.set()

    def install(self) -> StopRequest:
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def ui_answers(base_url: str) -> bool:
    """Whether the webserver answers `/server_info` (the UI is served by the same process)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never via a proxy
    try:
        with opener.open(f"{base_url}/server_info", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def demo_environment(resolve_entries: list[str], places_base_url: str) -> dict[str, str]:
    """What points the resources at the loopback fakes (read by `defs/resources.py` at load time)."""
    return {
        "SCRAPERSKY_RESOLVE": ",".join(resolve_entries),
        "SCRAPERSKY_RESOLVE_ONLY": "1",
        "SCRAPERSKY_SCHEMES": "http",
        "SCRAPERSKY_PLACES_BASE_URL": places_base_url,
        "GOOGLE_PLACES_API_KEY": FAKE_PLACES_KEY,
        "SCRAPERSKY_AUTO_SELECT": "all",
    }


def submit_search(query: str, location: str, max_results: int) -> int:
    """Queue the search through `scrapersky search places`' own parser and handler."""
    from scrapersky_pipelines import cli_places

    parser = argparse.ArgumentParser(prog="scrapersky")
    cli_places.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["search", "places", query, location, "--max-results", str(max_results)])
    return int(args.func(args) or 0)


def progress_line() -> str:
    """`stage done/total` for every stage that has rows, then the contacts found so far."""
    import sqlalchemy as sa

    from scrapersky_pipelines.db.engine import transaction
    from scrapersky_pipelines.db.models import Contact
    from scrapersky_pipelines.db.status import all_stages

    with transaction() as session:
        stages = all_stages(session)
        contacts = session.execute(sa.select(sa.func.count()).select_from(Contact)).scalar_one()
    parts = [
        f"{_SHORT.get(s.stage, s.stage.replace('_', ' '))} {s.complete + s.error + s.filtered}/{s.total}"
        + (f" ({s.error} err)" if s.error else "")
        for s in stages
        if s.total
    ]
    return " | ".join([*parts, f"contacts {contacts}"]) if parts else f"nothing queued yet | contacts {contacts}"


def banner(base_url: str, home: Path, log_path: Path, searched: bool) -> str:
    first = "The search flows through every stage by itself; give it a few minutes." if searched else (
        "No search was queued (--no-search): queue one with `scrapersky search places dentist \"Boston, MA\"`.")
    return f"""
Dagster UI: {base_url}
{first}
What to look at:
  - Asset graph {base_url}/asset-groups
      places -> local_businesses -> business_domains -> domain_metadata -> sitemap_files
      -> sitemap_pages -> page_contacts (and domain_contacts); click an asset for its batches.
  - Runs {base_url}/runs
      one run per batch; a finished run shows its metadata (rows, errors, items_per_second).
  - Sensors {base_url}/automation
      one per stage; each tick claims queued rows into a batch and requests its run.
  - An asset's Partitions tab lists its batches; its Events tab plots rows and throughput.
In another terminal (same SCRAPERSKY_HOME): `scrapersky status --follow`, `scrapersky export contacts`.
Data: {home}
dagster dev log: {log_path}
Ctrl-C stops the UI, daemon and fake servers; the embedded PostgreSQL keeps running (`scrapersky db stop`).
"""


def _wait(predicate: Callable[[], bool], stop: StopRequest, child: ChildGroup, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if stop.requested.is_set() or not child.running():
            return False
        time.sleep(0.5)
    return False


def _log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def run_demo(options: DemoOptions) -> int:
    stop = StopRequest().install()
    try:
        return _run(options, stop)
    finally:
        stop.restore()


def _run(options: DemoOptions, stop: StopRequest) -> int:
    from scrapersky_pipelines.db.embedded import project_home
    from scrapersky_pipelines.demo.places_server import FakePlacesServer
    from scrapersky_pipelines.demo.web import SyntheticWeb
    from scrapersky_pipelines.devserver import prepare_dagster_home

    if not port_is_free(options.host, options.port):
        print(f"error: {options.host}:{options.port} is in use; pick another with --port", file=sys.stderr)
        return 2
    if os.environ.pop("SCRAPERSKY_DATABASE_URL", None):
        print("note: the demo uses the embedded PostgreSQL; SCRAPERSKY_DATABASE_URL is ignored", file=sys.stderr)
    os.environ.pop("DAGSTER_HOME", None)  # the demo's instance lives beside its data, never in yours
    print(f"Starting the embedded PostgreSQL in {project_home() / 'pgdata'} ...", flush=True)
    dagster_home = prepare_dagster_home()
    if stop.requested.is_set():
        return 0
    log_path = project_home() / "demo" / "dagster-dev.log"
    base_url = f"http://{options.host}:{options.port}"

    with ExitStack() as stack:
        web = stack.enter_context(SyntheticWeb(seed=0))
        places = stack.enter_context(FakePlacesServer(api_key=FAKE_PLACES_KEY, site_seed=0))
        os.environ.update(demo_environment(web.resolve_entries(), places.base_url))
        print(f"Synthetic web on {web.base_address}, fake Places API on {places.base_url}", flush=True)
        if options.search:
            code = submit_search(options.query, options.location, options.max_results)
            if code:
                return code
        if stop.requested.is_set():
            return 0
        print(f"Starting dagster dev on {base_url} (takes a minute on a small machine) ...", flush=True)
        child = ChildGroup.start(
            [sys.executable, "-m", "dagster", "dev", "-m", CODE_LOCATION_MODULE,
             "-p", str(options.port), "-h", options.host],
            env=dict(os.environ), log_path=log_path, cwd=dagster_home,
        )
        stack.callback(_stop_child, child, stop)
        if not _wait(lambda: ui_answers(base_url), stop, child, STARTUP_TIMEOUT):
            if stop.requested.is_set():
                return 0
            why = "exited" if not child.running() else f"did not answer within {STARTUP_TIMEOUT:.0f}s"
            print(f"error: dagster dev {why}; last lines of {log_path}:\n{_log_tail(log_path)}", file=sys.stderr)
            return 1
        print(banner(base_url, project_home(), log_path, options.search), flush=True)
        return _follow(options, stop, child, log_path)


def _follow(options: DemoOptions, stop: StopRequest, child: ChildGroup, log_path: Path) -> int:
    last = ""
    while not stop.requested.wait(options.progress_interval):
        if not child.running():
            print(f"error: dagster dev exited; last lines of {log_path}:\n{_log_tail(log_path)}", file=sys.stderr)
            return 1
        try:
            line = progress_line()
        except Exception as exc:  # noqa: BLE001 - a progress line is never worth stopping the demo
            line = f"(progress unavailable: {type(exc).__name__})"
        if line != last:
            print(f"{time.strftime('%H:%M:%S')}  {line}", flush=True)
            last = line
    return 0


def _stop_child(child: ChildGroup, stop: StopRequest) -> None:
    print("Stopping dagster dev (Ctrl-C again to force) ...", flush=True)
    child.stop(grace=60.0, force=stop.force)
    print("Stopped. The embedded PostgreSQL keeps the data; `scrapersky db stop` stops it.", flush=True)
