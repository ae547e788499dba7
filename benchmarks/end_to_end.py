"""End-to-end benchmark: N synthetic domains through the domain path, pipeline against the original's way.

The domain path is metadata scan -> sitemap discovery -> sitemap import -> page scrape, on the
synthetic web (its own process, loopback), with the database behind pgbouncer in transaction mode.
Every domain is a healthy generated site, so the set covers all 19 sitemap shapes, 8 platforms,
throttled (429 + Retry-After) and dripped sitemaps, the 60 MiB oversize sitemap and Crawl-delay: 1
sites in the proportions `demo.sites` generates them.

Pipeline, two ways (both run the real stage jobs: sensors' claim, IO manager, assets, policies):

- `in-process`: 4 worker processes (the instance's `max_concurrent_runs`), at most 2 runs per
  stage at a time (its tag limit); each worker imports the definitions once, then claims a batch
  with the stage's own batch size (`queue.claim`, what the sensor calls), adds the partition and
  runs the stage job with `execute_in_process`, batch after batch, on an instance whose storage is
  PostgreSQL behind a session-mode pgbouncer (deploy/'s setup; every event a run writes is a new
  connection). This measures the pipeline's own throughput, without sensor intervals or a process
  start per run. (Threads would be one
  process, but Dagster reconfigures logging for every run, which deadlocks concurrent runs.)
- `daemon`: a real `dagster-daemon` on the project's workspace and dagster.yaml; sensors (5 s
  interval, from the stage specs) claim and launch one run process per batch. Most faithful;
  dominated by tick intervals and run start-up for small N, so it runs on `--daemon-domains`.

Baseline (`original`): the same domains processed the way the original ScraperSky backend did,
implemented here honestly: one domain at a time; each step (scan, discovery, import of each file,
scrape of each page) opens its own session and commits; rows go in one INSERT per row; HTTP is a
synchronous httpx client with keep-alive (one request at a time), through the same pgbouncer. Like
the original it ignores robots.txt rules (no Crawl-delay, no disallow) and does not retry (a 429 is
an error); unlike the original it caps bodies at the pipeline's limits, so the 60 MiB sitemap is
refused from its Content-Length instead of downloaded. All three favour the baseline. The parsing
and extraction code is the project's own (`summarize`, `parse_sitemap`, `import_page`,
`scrape_page`), so both sides do the same CPU work per page.

Every request of both sides waits `--rtt-ms` (default 50) more through a loopback proxy, as on the
web; with 0 both sides are bound by this machine's CPU alone.

    python -m benchmarks.end_to_end [--quick] [--domains N] [--daemon-domains N] [--baseline-domains N]
                                    [--rtt-ms MS] [--repeat N] [--profile STAGE] [--profile-workers DIR]
                                    [--what-if aiohttp,sniffio,fallback,sitemap_import=100 ...]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import tempfile
import time
import warnings
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from benchmarks import common
from scrapersky_pipelines.db import engine
from scrapersky_pipelines.db.enums import ContactScrapeStatus as CS
from scrapersky_pipelines.db.enums import ProcessingStatus as PS
from scrapersky_pipelines.db.submit import insert_domains
from scrapersky_pipelines.demo import sites
from scrapersky_pipelines.lib.homepage import summarize
from scrapersky_pipelines.lib.http import DEFAULT_USER_AGENT, FetchResult
from scrapersky_pipelines.lib.page_import import import_page
from scrapersky_pipelines.lib.page_scrape import is_html, scrape_page
from scrapersky_pipelines.lib.sitemap_discovery_sources import KNOWN_SITEMAP_PATHS, sitemap_links_from_html
from scrapersky_pipelines.lib.sitemaps import parse_sitemap
from scrapersky_pipelines.resources.database import Database

OPEN_ROWS_SQL = (
    "SELECT (SELECT count(*) FROM domains WHERE scan_status NOT IN ('Complete', 'Error')"
    "   OR sitemap_status IN ('Queued', 'Processing'))"
    " + (SELECT count(*) FROM sitemap_files WHERE import_status IN ('Queued', 'Processing'))"
    " + (SELECT count(*) FROM pages WHERE scrape_status IN ('Queued', 'Processing'))"
)
STAGE_ORDER = ("page_scrape", "sitemap_import", "sitemap_discovery", "domain_scan")


def oldest_first(session: Any, queues: Sequence[Any]) -> list[str]:
    """Stages with Queued rows, the one whose oldest row has waited longest first: the order in
    which the daemon's run queue (FIFO) starts the runs the sensors submitted as rows arrived."""
    if not queues:
        return []
    oldest = [sa.select(sa.literal(q.stage).label("stage"), sa.func.min(q.col("queued_at")).label("since"))
              .where(q.col("status") == "Queued") for q in queues]
    rows = session.execute(sa.union_all(*oldest)).all()
    return [r.stage for r in sorted((r for r in rows if r.since is not None), key=lambda r: r.since)]


@dataclass
class Result:
    """One side's run over the domains: time and the work it did."""

    label: str
    domains: int
    wall: float
    cpu: float = 0.0
    work: dict[str, int] = field(default_factory=dict)
    runs: dict[str, int] = field(default_factory=dict)
    note: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return common.per_second(self.domains, self.wall)


def work_done(st: common.Stack) -> dict[str, int]:
    [[complete, errors, files, imported, pages, queued, scraped, contacts]] = st.db.execute(
        "SELECT (SELECT count(*) FROM domains WHERE scan_status = 'Complete'),"
        " (SELECT count(*) FROM domains WHERE scan_status = 'Error'),"
        " (SELECT count(*) FROM sitemap_files),"
        " (SELECT count(*) FROM sitemap_files WHERE import_status = 'Complete'),"
        " (SELECT count(*) FROM pages),"
        " (SELECT count(*) FROM pages WHERE scrape_status IS NOT NULL AND scrape_status <> 'Filtered'),"
        " (SELECT count(*) FROM pages WHERE contact_status IN ('ContactFound', 'NoContactFound')),"
        " (SELECT count(*) FROM contacts)"
    )
    return {"scanned": complete, "scan errors": errors, "sitemap files": files, "files imported": imported,
            "pages": pages, "pages to scrape": queued, "pages scraped": scraped, "contacts": contacts}


def batches_per_stage(st: common.Stack) -> dict[str, tuple[int, int]]:
    """(batches, rows) per stage from the batches table."""
    return {stage: (n, rows or 0) for stage, n, rows in st.db.execute(
        "SELECT stage, count(*), sum(rows_claimed) FROM batches GROUP BY stage")}


def open_rows(st: common.Stack) -> int:
    return st.db.execute(OPEN_ROWS_SQL)[0][0]


def submit(st: common.Stack, domains: Sequence[str]) -> None:
    st.reset()
    Database(url=st.url).run(lambda s: insert_domains(s, list(domains), batch_name="bench"))


# -- pipeline, in process ----------------------------------------------------------------------


WHAT_IFS = ("aiohttp", "sniffio", "fallback")


def apply_what_ifs(what_ifs: Sequence[str]) -> dict[str, Any]:
    """Proposed changes, applied inside a worker process only; returns extra run config per stage.

    aiohttp: the HTTP resource's client uses `lib.http_aiohttp` (the proposed transport switch);
    sniffio: `import sniffio` succeeds (as after adding the package; httpcore tries it per lock);
    fallback: sitemap discovery probes the well-known paths only when robots.txt and the homepage
    name no sitemap (`probe_known_paths="fallback"`, an existing option; the default is "always").
    """
    run_config: dict[str, Any] = {}
    if "aiohttp" in what_ifs:
        from scrapersky_pipelines.lib.http_aiohttp import use_aiohttp
        from scrapersky_pipelines.resources.http import HttpResource

        shipped = HttpResource.client
        HttpResource.client = lambda self, batch=None: use_aiohttp(shipped(self, batch))  # type: ignore[method-assign]
    if "sniffio" in what_ifs:
        import sys
        import types

        stub = types.ModuleType("sniffio")
        stub.current_async_library = lambda: "asyncio"  # type: ignore[attr-defined]
        sys.modules.setdefault("sniffio", stub)
    if "fallback" in what_ifs:
        run_config["sitemap_discovery"] = {"ops": {"sitemap_files": {"ops": {
            "discover_domain_sitemaps": {"config": {"probe_known_paths": "fallback"}}}}}}
    return run_config


def _drive(index: int, env: dict[str, str], counts: Any, lock: Any, go: Any, ready: Any, out: Any,
           what_ifs: Sequence[str] = (), batch_sizes: dict[str, int] | None = None) -> None:
    """One worker process: claim a batch (from the stage whose oldest row has waited longest, at most
    `PER_STAGE` runs of a stage at a time across workers), run its stage job in process, repeat
    until no row is open."""
    import os

    os.environ.update(env)
    extra_config = apply_what_ifs(what_ifs)
    sizes = batch_sizes or {}
    with quiet_dagster():
        import dagster as dg

        from scrapersky_pipelines.db import queue
        from scrapersky_pipelines.definitions import STAGES, build_definitions

        specs = {s.stage: s for s in STAGES if s.stage in STAGE_ORDER}
        database = Database(url=env["SCRAPERSKY_DATABASE_URL"])
        open_sql = sa.text(OPEN_ROWS_SQL)
        runs, failures = 0, []
        with tempfile.TemporaryDirectory(prefix="bench-dagster-") as home, \
                dg.instance_for_test(temp_dir=home, overrides=postgres_storage(env["BENCH_DAGSTER_STORAGE"])) as instance:
            defs = build_definitions()
            jobs = {stage: defs.resolve_job_def(spec.job_name) for stage, spec in specs.items()}
            ready.release()
            go.wait()
            cpu0 = time.process_time()
            profile_to = env.get("BENCH_PROFILE_DIR")
            if profile_to:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            while True:
                claimed = None
                with lock:
                    free = [st for k, st in enumerate(STAGE_ORDER) if counts[k] < PER_STAGE]
                    for stage in database.run(lambda s: oldest_first(s, [specs[st].queue for st in free])):
                        k, spec = STAGE_ORDER.index(stage), specs[stage]
                        size = sizes.get(stage, spec.batch_size)
                        got = database.run(lambda s: queue.claim(s, spec.queue, size))
                        if got is not None:
                            counts[k] += 1
                            claimed = (k, stage, got.key)
                            break
                    busy = sum(counts[:len(STAGE_ORDER)])
                if claimed is None:
                    if busy == 0 and database.run(lambda s: s.execute(open_sql).scalar_one()) == 0:
                        break
                    time.sleep(0.05)
                    continue
                k, stage, key = claimed
                try:
                    instance.add_dynamic_partitions(specs[stage].partitions_def.name, [key])
                    run_config = {"loggers": {"console": {"config": {"log_level": "ERROR"}}},
                                  **extra_config.get(stage, {})}
                    result = jobs[stage].execute_in_process(
                        instance=instance, partition_key=key, raise_on_error=False, run_config=run_config)
                    if not result.success:
                        failures.append(f"{stage} {key}")
                except Exception as exc:  # noqa: BLE001 - reported, the run goes on
                    failures.append(f"{stage} {key}: {type(exc).__name__}: {exc}")
                finally:
                    with lock:
                        counts[k] -= 1
                    runs += 1
            if profile_to:
                profiler.disable()
                profiler.dump_stats(f"{profile_to}/worker-{index}.prof")
    out.put((index, runs, failures, time.process_time() - cpu0))


# Each request waits one round trip, as on the web (small-business hosts answer in 50-300 ms):
# on plain loopback both sides measure only this machine's CPU.
DEFAULT_RTT_MS = 50.0
PER_STAGE = 2  # dagster.yaml: tag_concurrency_limits scrapersky/stage = 2


def postgres_storage(url: str) -> dict[str, Any]:
    """Instance overrides: Dagster's runs and events in PostgreSQL, as in `scrapersky dev` and production."""
    return {"storage": {"postgres": {"postgres_url": url}}}


@contextlib.contextmanager
def quiet_dagster() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        previous = logging.getLogger("dagster").level
        logging.getLogger("dagster").setLevel(logging.ERROR)
        try:
            yield
        finally:
            logging.getLogger("dagster").setLevel(previous)


def run_in_process(st: common.Stack, domains: Sequence[str], *, workers: int = 4, timeout: float = 900,
                   what_ifs: Sequence[str] = (), batch_sizes: dict[str, int] | None = None,
                   resolve: str | None = None, profile_dir: str | None = None) -> Result:
    """Worker processes (Dagster's in-process execution is not thread-safe: each run reconfigures
    logging), each importing the definitions once and then running batch after batch."""
    import multiprocessing as mp

    import dagster as dg

    ctx = mp.get_context("spawn")
    counts, lock = ctx.Array("i", len(STAGE_ORDER), lock=False), ctx.Lock()
    go, ready, out = ctx.Event(), ctx.Semaphore(0), ctx.Queue()
    submit(st, domains)
    storage = st.dagster_storage_url()
    with tempfile.TemporaryDirectory(prefix="bench-dagster-") as home, \
            dg.instance_for_test(temp_dir=home, overrides=postgres_storage(storage)):
        pass  # creates Dagster's schema once, before the workers connect to it
    env = {**st.env, "BENCH_DAGSTER_STORAGE": storage, **({"SCRAPERSKY_RESOLVE": resolve} if resolve else {}),
           **({"BENCH_PROFILE_DIR": profile_dir} if profile_dir else {})}
    procs = [ctx.Process(target=_drive, args=(i, env, counts, lock, go, ready, out, tuple(what_ifs), batch_sizes),
                         name=f"bench-driver-{i}") for i in range(workers)]
    for p in procs:
        p.start()
    try:
        for _ in procs:
            if not ready.acquire(timeout=120):
                raise RuntimeError("a driver process did not start")
        web_cpu0, machine0 = st.web.cpu_seconds(), common.machine_cpu()
        started = time.perf_counter()
        go.set()
        reports = [out.get(timeout=timeout) for _ in procs]
        wall = time.perf_counter() - started
        web_cpu = st.web.cpu_seconds() - web_cpu0
        busy, total = (b - a for a, b in zip(machine0, common.machine_cpu()))
    finally:
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.terminate()
                p.join()
    runs = sum(r[1] for r in reports)
    failures = [f for r in reports for f in r[2]]
    left = open_rows(st)
    note = (f"{runs} runs in {workers} worker processes, {len(failures)} failed; "
            f"web server busy {100 * web_cpu / wall:.0f}%, machine CPU busy {100 * busy / max(total, 1e-9):.0f}%")
    if left:
        note += f"; {left} rows still open"
    if failures:
        note += f"; first failure: {failures[0][:200]}"
    label = "pipeline, in process" + (f" + {', '.join(what_ifs)}" if what_ifs else "")
    if batch_sizes:
        label += " + batches " + ",".join(f"{k}={v}" for k, v in batch_sizes.items())
    return Result(label, len(domains), wall, sum(r[3] for r in reports), work_done(st),
                  {k: v[0] for k, v in batches_per_stage(st).items()}, note)


# -- pipeline, real daemon ---------------------------------------------------------------------


def run_daemon(st: common.Stack, domains: Sequence[str], *, timeout: float = 600, resolve: str | None = None) -> Result:
    from scrapersky_pipelines_tests.support.daemon import dagster_home, running_daemon, wait_until

    import dagster as dg

    submit(st, domains)
    with tempfile.TemporaryDirectory(prefix="bench-daemon-") as tmp:
        home = dagster_home(Path(tmp) / "dagster")
        env = {**st.pipeline_env(home), **({"SCRAPERSKY_RESOLVE": resolve} if resolve else {})}
        started = time.monotonic()
        # The instance (and its SQLite storage) exists before the daemon starts: two processes
        # creating the storage schema at once collide.
        with quiet_dagster(), dg.DagsterInstance.from_config(str(home)) as instance, \
                running_daemon(env, Path(tmp) / "daemon.log"):
            # Rows all terminal is not enough: a scan batch closes before its policy op queues
            # discovery. Done means no open row and no run still alive.
            done = wait_until(lambda: open_rows(st) == 0 and live_runs(instance) == 0, timeout=timeout, interval=1.0)
            wall = time.monotonic() - started
            runs = run_records(instance)
        log_tail = (Path(tmp) / "daemon.log").read_text(errors="replace")[-2000:]
    [[first, last]] = st.db.execute(
        "SELECT extract(epoch FROM min(started_at)), extract(epoch FROM max(finished_at)) FROM batches")
    busy = float(last - first) if first and last else float("nan")
    note = f"{busy:.1f} s from the first run taking its batch to the last batch closed"
    if not done:
        note += f"; NOT DONE after {timeout:.0f}s: {open_rows(st)} rows open; daemon log tail: {log_tail[-500:]}"
    result = Result("pipeline, real daemon", len(domains), wall, 0.0, work_done(st),
                    {k: v[0] for k, v in batches_per_stage(st).items()}, note)
    result.raw = {"runs": runs, **queue_timeline(st)}
    common.CACHE[("daemon", tuple(domains))] = result
    return result


QUEUE_COLUMNS = {  # stage: (table, column prefix)
    "domain_scan": ("domains", "scan"), "sitemap_discovery": ("domains", "sitemap"),
    "sitemap_import": ("sitemap_files", "import"), "page_scrape": ("pages", "scrape"),
}


def queue_timeline(st: common.Stack) -> dict[str, Any]:
    """When each row was queued and which batch took it, and each batch's claim/start times
    (epoch seconds), for the sensor latency figures."""
    rows = {}
    for stage, (table, prefix) in QUEUE_COLUMNS.items():
        rows[stage] = [(key, float(at)) for key, at in st.db.execute(
            f"SELECT {prefix}_batch, extract(epoch FROM {prefix}_queued_at) FROM {table} "
            f"WHERE {prefix}_batch IS NOT NULL AND {prefix}_queued_at IS NOT NULL")]
    batches = {key: (stage, n, float(created), float(started) if started is not None else None)
               for key, stage, n, created, started in st.db.execute(
                   "SELECT key, stage, rows_claimed, extract(epoch FROM created_at), extract(epoch FROM started_at) "
                   "FROM batches")}
    return {"rows": rows, "batches": batches}


LIVE = ("QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING")


def live_runs(instance: Any) -> int:
    import dagster as dg

    return instance.get_runs_count(dg.RunsFilter(statuses=[dg.DagsterRunStatus[s] for s in LIVE]))


def run_records(instance: Any) -> list[dict[str, Any]]:
    """Every run the instance holds: partition (batch key), status, create/start/end times."""
    out = []
    for record in instance.get_run_records():
        run = record.dagster_run
        out.append({"key": run.tags.get("dagster/partition"), "job": run.job_name, "status": run.status.value,
                    "created": record.create_timestamp.timestamp(), "start": record.start_time,
                    "end": record.end_time})
    return out


# -- baseline: the original's way ----------------------------------------------------------------


class LoopbackTransport(httpx.HTTPTransport):
    """Sends every *.com request to the synthetic web (Host header kept); refuses anything else,
    so the baseline can never reach another address."""

    def __init__(self, port: int) -> None:
        super().__init__(retries=0)
        self.port = port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.host.endswith(".com") or request.url.scheme != "http":
            raise httpx.ConnectError(f"baseline refuses {request.url.host!r}", request=request)
        request.url = request.url.copy_with(host="127.0.0.1", port=self.port)
        return super().handle_request(request)


SITEMAP_LINE = re.compile(rb"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
IMPORTABLE = ("urlset", "text", "rss", "atom")
PAGE_CAP = 5 * 1024 * 1024
SITEMAP_CAP = 50 * 1024 * 1024


class Baseline:
    """One domain at a time, a session per step, one INSERT per row, sequential httpx."""

    def __init__(self, url: str, port: int) -> None:
        self.sessions = engine.session_factory(url)
        self.http = httpx.Client(transport=LoopbackTransport(port), follow_redirects=True, max_redirects=5,
                                 timeout=httpx.Timeout(10.0), headers={"User-Agent": DEFAULT_USER_AGENT})
        self.requests = 0

    @contextlib.contextmanager
    def session(self) -> Iterator[Any]:
        with self.sessions() as s, s.begin():
            yield s

    def get(self, url: str, cap: int) -> FetchResult | None:
        """GET with a byte cap (checked on Content-Length and while reading); None on any failure."""
        self.requests += 1
        try:
            with self.http.stream("GET", url) as response:
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > cap:
                    return None
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > cap:
                        return None
                return FetchResult(url, str(response.url), response.status_code, response.headers, bytes(body),
                                   redirects=[str(r.url) for r in response.history])
        except httpx.HTTPError:
            return None

    def run(self, domains: Sequence[str]) -> None:
        for domain in domains:
            self.process(domain)

    def process(self, domain: str) -> None:
        with self.session() as s:
            domain_id = s.execute(sa.text(
                "UPDATE domains SET scan_status = 'Processing' WHERE domain = :d RETURNING id"), {"d": domain}).scalar()
        if not self.scan(domain_id, domain):
            return
        files = self.discover(domain_id, domain)
        for file_id, url in files:
            self.import_file(file_id, domain_id, domain, url)
        with self.session() as s:
            pages = s.execute(sa.text(
                "SELECT id, url FROM pages WHERE domain_id = :d AND scrape_status = 'Queued' ORDER BY id"),
                {"d": domain_id}).all()
        for page_id, url in pages:
            self.scrape(page_id, domain_id, url)

    def scan(self, domain_id: int, domain: str) -> bool:
        result = self.get(f"http://{domain}/", PAGE_CAP)
        ok = result is not None and result.ok and is_html(result)
        values = summarize(result, domain) if ok else {}
        with self.session() as s:
            if not ok:
                s.execute(sa.text("UPDATE domains SET scan_status = 'Error', scan_error = 'fetch failed' "
                                  "WHERE id = :i"), {"i": domain_id})
                return False
            s.execute(sa.text(
                "UPDATE domains SET scan_status = 'Complete', http_status = :st, final_url = :fu, title = :t, "
                "description = :de, language = :l, generator = :g, emails = :e, phones = :p, "
                "sitemap_status = 'Queued', last_scanned_at = now() WHERE id = :i"),
                {"st": values["http_status"], "fu": values["final_url"], "t": values["title"],
                 "de": values["description"], "l": values["language"], "g": values["generator"],
                 "e": values["emails"], "p": values["phones"], "i": domain_id})
        return True

    def discover(self, domain_id: int, domain: str) -> list[tuple[int, str]]:
        with self.session() as s:
            s.execute(sa.text("UPDATE domains SET sitemap_status = 'Processing' WHERE id = :i"), {"i": domain_id})
        base = f"http://{domain}"
        queue: deque[tuple[str, str, int]] = deque()
        robots = self.get(base + "/robots.txt", PAGE_CAP)
        if robots is not None and robots.ok:
            queue += [(m.decode("utf-8", "replace"), "robots", 0) for m in SITEMAP_LINE.findall(robots.content)]
        home = self.get(base + "/", PAGE_CAP)
        if home is not None and home.ok:
            queue += [(u, "html_link", 0) for u in sitemap_links_from_html(home.content, home.final_url)]
        queue += [(base + p, "known_path", 0) for p in KNOWN_SITEMAP_PATHS]
        seen: set[str] = set()
        finals: set[str] = set()
        importable: list[tuple[int, str]] = []
        while queue:
            url, method, depth = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            result = self.get(url, SITEMAP_CAP)
            if result is None or not result.ok or result.final_url in finals:
                if result is None and method != "known_path":
                    self.insert_file(domain_id, url, method, None, "invalid", 0, "fetch failed")
                continue
            parsed = parse_sitemap(result.content, result.final_url, result.content_type, depth=depth)
            if parsed.kind == "invalid" and method == "known_path":
                continue
            finals.add(result.final_url)
            file_id = self.insert_file(domain_id, url, method, result, parsed.kind,
                                       parsed.child_count if parsed.kind == "index" else parsed.entry_count,
                                       parsed.error)
            if parsed.kind == "index" and depth < 5:
                queue += [(c.loc, "index", depth + 1) for c in parsed.children]
            elif parsed.kind in IMPORTABLE and not parsed.error and file_id is not None:
                importable.append((file_id, url))
        with self.session() as s:
            s.execute(sa.text("UPDATE domains SET sitemap_status = 'Complete', sitemap_count = :c WHERE id = :i"),
                      {"c": len(finals), "i": domain_id})
        return importable

    def insert_file(self, domain_id: int, url: str, method: str, result: FetchResult | None, kind: str,
                    count: int, error: str | None) -> int | None:
        with self.session() as s:
            return s.execute(sa.text(
                "INSERT INTO sitemap_files (domain_id, url, kind, discovery_method, http_status, final_url, "
                "size_bytes, url_count, error, import_status) VALUES (:d, :u, :k, :m, :st, :fu, :sz, :c, :e, "
                ":imp) ON CONFLICT (domain_id, url) DO NOTHING RETURNING id"),
                {"d": domain_id, "u": url, "k": kind, "m": method, "st": result.status if result else None,
                 "fu": result.final_url if result else None, "sz": len(result.content) if result else None,
                 "c": count, "e": error, "imp": PS.QUEUED.value if kind in IMPORTABLE and not error else None},
            ).scalar()

    def import_file(self, file_id: int, domain_id: int, domain: str, url: str) -> None:
        result = self.get(url, SITEMAP_CAP)
        with self.session() as s:
            if result is None or not result.ok:
                s.execute(sa.text("UPDATE sitemap_files SET import_status = 'Error' WHERE id = :i"), {"i": file_id})
                return
            parsed = parse_sitemap(result.content, result.final_url, result.content_type)
            imported = 0
            for entry in parsed.entries:
                page = import_page(entry.loc, domain)
                if page is None:
                    continue
                status = PS.FILTERED.value if page.filtered else (PS.QUEUED.value if page.queue_scrape else None)
                imported += s.execute(sa.text(
                    "INSERT INTO pages (domain_id, url, sitemap_file_id, lastmod, category, confidence, depth, "
                    "filter_reason, scrape_status, source) VALUES (:d, :u, :f, :lm, :c, :cf, :dp, :fr, :st, "
                    "'sitemap') ON CONFLICT (domain_id, url) DO NOTHING"),
                    {"d": domain_id, "u": page.url, "f": file_id, "lm": entry.lastmod, "c": page.category,
                     "cf": page.confidence, "dp": page.depth, "fr": page.filter_reason, "st": status},
                ).rowcount
            s.execute(sa.text("UPDATE sitemap_files SET import_status = 'Complete', pages_imported = :n "
                              "WHERE id = :i"), {"n": imported, "i": file_id})

    def scrape(self, page_id: int, domain_id: int, url: str) -> None:
        result = self.get(url, PAGE_CAP)
        page = scrape_page(result) if result is not None else None
        with self.session() as s:
            if page is None or not page.ok:
                s.execute(sa.text("UPDATE pages SET scrape_status = 'Error', contact_status = :cs WHERE id = :i"),
                          {"cs": CS.ERROR.value, "i": page_id})
                return
            for c in page.contacts:
                s.execute(sa.text(
                    "INSERT INTO contacts (domain_id, email, email_kind, page_id, source_url, phone, name, found_by) "
                    "VALUES (:d, :e, :k, :p, :su, :ph, :n, 'page_scrape') ON CONFLICT (domain_id, email) "
                    "DO UPDATE SET last_seen_at = now()"),
                    {"d": domain_id, "e": c.email, "k": c.kind, "p": page_id, "su": c.source_url, "ph": c.phone,
                     "n": c.name})
            status = CS.CONTACT_FOUND if page.contacts else CS.NO_CONTACT_FOUND
            s.execute(sa.text("UPDATE pages SET scrape_status = 'Complete', contact_status = :cs, title = :t "
                              "WHERE id = :i"), {"cs": status.value, "t": page.title, "i": page_id})


def run_baseline(st: common.Stack, domains: Sequence[str], port: int | None = None) -> Result:
    submit(st, domains)
    baseline = Baseline(st.url, port or st.web.port)
    with common.Clock() as clock:
        baseline.run(domains)
    baseline.http.close()
    return Result("original's way (baseline)", len(domains), clock.wall, clock.cpu, work_done(st),
                  note=f"{baseline.requests:,} requests, one at a time")


# -- profile -------------------------------------------------------------------------------------


def profile_stage(st: common.Stack, domains: Sequence[str], target: str, what_ifs: Sequence[str] = (),
                  top: int = 25) -> None:
    """Run the stages up to `target` in this process, one batch each, and profile `target`'s batch
    (pyinstrument when installed, else cProfile)."""
    import cProfile
    import io
    import pstats

    import dagster as dg

    from scrapersky_pipelines.db import queue
    from scrapersky_pipelines.definitions import STAGES, build_definitions

    extra = apply_what_ifs(what_ifs)
    specs = {s.stage: s for s in STAGES}
    submit(st, domains)
    database = Database(url=st.url)
    try:
        import pyinstrument  # type: ignore[import-not-found]
    except ImportError:
        pyinstrument = None
    with quiet_dagster(), tempfile.TemporaryDirectory(prefix="bench-prof-") as home, \
            dg.instance_for_test(temp_dir=home) as instance:
        defs = build_definitions()
        for stage in reversed(STAGE_ORDER):
            spec = specs[stage]
            got = database.run(lambda s: queue.claim(s, spec.queue, 100_000 if stage != target else spec.batch_size))
            if got is None:
                raise SystemExit(f"nothing queued for {stage}")
            instance.add_dynamic_partitions(spec.partitions_def.name, [got.key])
            job = defs.resolve_job_def(spec.job_name)
            config = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}, **extra.get(stage, {})}
            profiler = None
            if stage == target:
                profiler = pyinstrument.Profiler(async_mode="disabled") if pyinstrument else cProfile.Profile()
                profiler.start() if pyinstrument else profiler.enable()
            with common.Clock() as clock:
                job.execute_in_process(instance=instance, partition_key=got.key, run_config=config)
            if profiler is None:
                continue
            print(f"{target}: {len(got.ids)} rows, wall {clock.wall:.2f}s, CPU {clock.cpu:.2f}s"
                  f"{' with ' + ', '.join(what_ifs) if what_ifs else ''}")
            if pyinstrument:
                profiler.stop()
                print(profiler.output_text(unicode=False, color=False, show_all=False))
            else:
                profiler.disable()
                for order in ("cumulative", "tottime"):
                    buffer = io.StringIO()
                    pstats.Stats(profiler, stream=buffer).sort_stats(order).print_stats(top)
                    print(buffer.getvalue())
            return


# -- report --------------------------------------------------------------------------------------


def parse_what_if(text: str) -> tuple[tuple[str, ...], dict[str, int]]:
    names, sizes = [], {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if "=" in part:
            stage, _, size = part.partition("=")
            if stage not in STAGE_ORDER:
                raise SystemExit(f"--what-if: unknown stage {stage!r}")
            sizes[stage] = int(size)
        elif part in WHAT_IFS:
            names.append(part)
        else:
            raise SystemExit(f"--what-if: unknown change {part!r} (known: {', '.join(WHAT_IFS)}, STAGE=N)")
    return tuple(names), sizes


def report(results: Sequence[Result], baseline: Result) -> list[list[Any]]:
    rows = []
    for r in results:
        w = r.work
        rows.append([r.label, r.domains, r.wall, r.rate, r.rate / baseline.rate if baseline.rate else float("nan"),
                     1000 * r.cpu / r.domains if r.cpu else float("nan"),
                     w.get("scanned"), w.get("sitemap files"), w.get("pages"), w.get("pages scraped"),
                     w.get("contacts"), sum(r.runs.values()) or "-"])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="20 domains, no daemon (seconds)")
    parser.add_argument("--domains", type=int, help="domains for the pipeline in process (default 500; 20 quick)")
    parser.add_argument("--baseline-domains", type=int,
                        help="domains for the baseline: the first of the same domains (default 20, 60 with "
                             "--rtt-ms 0, all with --quick); its rate does not depend on N (one domain after another)")
    parser.add_argument("--daemon-domains", type=int,
                        help="domains through the real daemon (default 20; 0 skips; 0 with --quick)")
    parser.add_argument("--repeat", type=int,
                        help="in-process pipeline runs, the fastest reported (default 2, 1 with --quick): the "
                             "first run after start-up pays for cold caches (PostgreSQL, the synthetic web)")
    parser.add_argument("--workers", type=int, default=4, help="in-process worker processes (runs at a time)")
    parser.add_argument("--what-if", action="append", default=[], metavar="CHANGES",
                        help=f"also run the pipeline in process with proposed changes, comma-separated from "
                             f"{', '.join(WHAT_IFS)} and STAGE=BATCH_SIZE (repeatable)")
    parser.add_argument("--profile-workers", metavar="DIR",
                        help="cProfile each in-process worker into DIR/worker-N.prof (read with pstats)")
    parser.add_argument("--profile", choices=STAGE_ORDER, metavar="STAGE",
                        help="instead: profile one batch of STAGE (default 50 domains, --what-if applies)")
    parser.add_argument("--rtt-ms", type=float,
                        help=f"add this round-trip time to every connection and response (a loopback proxy "
                             f"in front of the synthetic web; default {DEFAULT_RTT_MS:g}, 0 with --quick; "
                             f"0 is plain loopback, where both sides only measure this machine's CPU)")
    args = parser.parse_args(argv)
    args.repeat = args.repeat or (1 if args.quick else 2)
    profile_dir = None
    if args.profile_workers:
        Path(args.profile_workers).mkdir(parents=True, exist_ok=True)
        profile_dir = str(Path(args.profile_workers).resolve())
    n = args.domains or (20 if args.quick else 500)
    rtt_ms = args.rtt_ms if args.rtt_ms is not None else (0.0 if args.quick else DEFAULT_RTT_MS)
    n_base = args.baseline_domains or (n if args.quick else min(n, 20 if rtt_ms else 60))
    n_daemon = args.daemon_domains if args.daemon_domains is not None else (0 if args.quick else 20)
    variants = [parse_what_if(v) for v in args.what_if]
    if args.profile:
        with common.stack() as st:
            what_ifs = tuple(w for v, _ in variants for w in v)
            profile_stage(st, sites.site_domains(args.domains or 50), args.profile, what_ifs)
        return 0
    domains = sites.site_domains(max(n, n_base, n_daemon))

    with common.stack() as st, contextlib.ExitStack() as cleanup:
        resolve, port, where = None, None, "plain loopback"
        if rtt_ms > 0:
            proxy = common.start_latency_proxy(st.web.port, rtt_ms)
            cleanup.callback(proxy.stop)
            resolve, port, where = proxy.resolve, proxy.port, f"{rtt_ms:g} ms round trip added by a proxy"
        print(f"end to end: domain path (scan, discovery, import, scrape) on the synthetic web ({where}); "
              f"{common.machine_line()}", flush=True)
        baseline = run_baseline(st, domains[:n_base], port)
        print(f"  baseline: {n_base} domains in {baseline.wall:.1f}s ({baseline.note})", flush=True)
        tries = []
        for i in range(args.repeat):
            tries.append(run_in_process(st, domains[:n], workers=args.workers, resolve=resolve,
                                        profile_dir=profile_dir))
            print(f"  in process ({i + 1}/{args.repeat}): {n} domains in {tries[-1].wall:.1f}s ({tries[-1].note})",
                  flush=True)
        pipeline = min(tries, key=lambda r: r.wall)
        if len(tries) > 1:
            pipeline.label += f" (best of {len(tries)}: " + ", ".join(f"{r.wall:.1f}" for r in tries) + " s)"
        results = [baseline, pipeline]
        for what_ifs, sizes in variants:
            variant = run_in_process(st, domains[:n], workers=args.workers, what_ifs=what_ifs, batch_sizes=sizes,
                                     resolve=resolve)
            print(f"  {variant.label}: {n} domains in {variant.wall:.1f}s ({variant.note})", flush=True)
            results.append(variant)
        if n_daemon:
            daemon = run_daemon(st, domains[:n_daemon], resolve=resolve)
            print(f"  daemon: {n_daemon} domains in {daemon.wall:.1f}s ({daemon.note})", flush=True)
            results.append(daemon)
    print()
    common.print_table(["way", "domains", "wall s", "domains/s", "x baseline", "CPU ms/domain", "scanned",
                        "sitemap files", "pages",
                        "pages scraped", "contacts", "runs"], report(results, baseline))
    print()
    runs = [[r.label, *(r.runs.get(s, 0) for s in reversed(STAGE_ORDER))] for r in results[1:]]
    # email_crawl runs (queued by discovery for domains without a usable sitemap) only happen under
    # the daemon, whose sensors serve every stage; the in-process driver runs the four above.
    common.print_table(["runs per stage", *reversed(STAGE_ORDER)], runs)
    print()
    ratio = pipeline.rate / baseline.rate
    verdict = "meets" if ratio >= 20 else "MISSES"
    network = f"{rtt_ms:g} ms RTT" if rtt_ms > 0 else "plain loopback"
    extra = ""
    if n_daemon:
        extra = f"; real daemon {results[-1].rate / baseline.rate:.1f}x on {n_daemon} domains incl. start-up"
    common.ratio_line(f"pipeline (in process, {n} domains)/baseline domains/s: {ratio:.1f}x "
                      f"({pipeline.rate:.2f} vs {baseline.rate:.2f} domains/s, {network}; {verdict} the 20x target){extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
