"""What the benchmarks share: the database stack, the synthetic web, tables, timing and peak RSS.

`stack()` starts (once per process, shared by nested users) an embedded PostgreSQL migrated through
pgbouncer in transaction mode (the test harness's `start_test_database`) and the synthetic web in
its own process (so serving pages does not compete with the pipeline for this process's GIL), and
points the environment at both the way the end-to-end test does.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WEB_SLOW_SECONDS = 8.0  # "timeout" hosts answer after this; clients here give up sooner


@dataclass
class WebProcess:
    """`python -m scrapersky_pipelines.demo.web` on a free loopback port, in its own process."""

    process: subprocess.Popen
    resolve: str

    @property
    def port(self) -> int:
        return int(self.resolve.rsplit(":", 1)[1])

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User + system CPU the web process has used so far (from /proc)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_web(seed: int = 0, slow_seconds: float = WEB_SLOW_SECONDS) -> WebProcess:
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapersky_pipelines.demo.web", "--port", "0", "--seed", str(seed),
         "--slow-seconds", str(slow_seconds)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    line = proc.stdout.readline().strip() if proc.stdout else ""
    if not line.startswith("*.com:80:"):
        proc.kill()
        raise RuntimeError(f"synthetic web did not start (said {line!r})")
    return WebProcess(proc, line)


def start_latency_proxy(target_port: int, rtt_ms: float) -> WebProcess:
    """A loopback TCP proxy in front of the synthetic web that adds one round trip of `rtt_ms` to
    every connection set-up and to every response (the first bytes after each request wait one
    RTT; the rest of the body flows at once). Its own process, like the web."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.common", "--proxy", str(target_port), str(rtt_ms)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    port = proc.stdout.readline().strip() if proc.stdout else ""
    if not port.isdigit():
        proc.kill()
        raise RuntimeError(f"latency proxy did not start (said {port!r})")
    return WebProcess(proc, f"*.com:80:127.0.0.1:{port}")


def _serve_proxy(target_port: int, rtt: float) -> None:
    import asyncio

    async def pipe_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, sent: list[float]) -> None:
        while data := await reader.read(65536):
            sent.append(time.monotonic())  # a request (or part of one) went out
            writer.write(data)
            await writer.drain()
        writer.close()

    async def pipe_down(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, sent: list[float]) -> None:
        while data := await reader.read(65536):
            if sent:  # first bytes of the answer to the latest request: one round trip after it
                wait = sent[-1] + rtt - time.monotonic()
                sent.clear()
                if wait > 0:
                    await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        await asyncio.sleep(rtt)  # the TCP handshake
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", target_port)
        except OSError:
            client_w.close()
            return
        sent: list[float] = []
        try:
            await asyncio.gather(pipe_up(client_r, server_w, sent), pipe_down(server_r, client_w, sent))
        except (ConnectionError, OSError):
            pass
        finally:
            for w in (client_w, server_w):
                with contextlib.suppress(Exception):
                    w.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
        print(server.sockets[0].getsockname()[1], flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


@dataclass
class Stack:
    """The shared benchmark environment: database (direct and pooled URLs) and synthetic web."""

    db: Any  # scrapersky_pipelines_tests.support.database.TestDatabase
    web: WebProcess
    env: dict[str, str] = field(default_factory=dict)
    dagster_bouncer: Any = None

    @property
    def url(self) -> str:
        """Through pgbouncer (transaction mode): what the app uses."""
        return self.db.url

    @property
    def direct_url(self) -> str:
        return self.db.direct_url

    def reset(self) -> None:
        """Empty every app table and forget pooled connections."""
        from scrapersky_pipelines.db import engine

        self.db.truncate()
        engine.dispose_all()

    def dagster_storage_url(self) -> str:
        """Dagster's own storage (runs, events) in a `dagster` database on the stack's PostgreSQL,
        behind a session-mode pgbouncer, as deploy/ sets it up: dagster-postgres connects anew
        for every event, which the pooler answers from warm server connections."""
        if self.dagster_bouncer is None:
            from scrapersky_pipelines_tests.support.pgbouncer import PgBouncer

            if not self.db.execute("SELECT 1 FROM pg_database WHERE datname = 'dagster'"):
                self.db.execute("CREATE DATABASE dagster")
            server = self.db.server
            self.dagster_bouncer = PgBouncer(self.db.root / "pgbouncer-dagster", server.socket_dir, server.port,
                                             ("dagster",), pool_size=8, pool_mode="session").start()
        return self.dagster_bouncer.url("dagster")

    def pipeline_env(self, dagster_home: Path | None = None) -> dict[str, str]:
        env = {**os.environ, **self.env}
        if dagster_home is not None:
            env["DAGSTER_HOME"] = str(dagster_home)
        return env


_shared: Stack | None = None
_users = 0
# Results one benchmark leaves for another run in the same process (the sensors benchmark reads
# the end-to-end benchmark's daemon run instead of starting a second one).
CACHE: dict[Any, Any] = {}


@contextlib.contextmanager
def stack() -> Iterator[Stack]:
    """The stack, started by the outermost user and stopped when it leaves."""
    global _shared, _users
    if _shared is None:
        _shared = _start_stack()
    _users += 1
    try:
        yield _shared
    finally:
        _users -= 1
        if _users == 0:
            _stop_stack(_shared)
            _shared = None


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through stack(), which stops what it started


def _start_stack() -> Stack:
    from scrapersky_pipelines.db import engine

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    from scrapersky_pipelines_tests.support.database import start_test_database
    from scrapersky_pipelines_tests.support.pgbouncer import find_pgbouncer

    if find_pgbouncer() is None:
        raise SystemExit("pgbouncer is required (apt-get install pgbouncer)")
    web = start_web()
    try:
        db = start_test_database()
    except BaseException:
        web.stop()
        raise
    env = {
        "SCRAPERSKY_DATABASE_URL": db.url,
        "SCRAPERSKY_RESOLVE": web.resolve,
        "SCRAPERSKY_RESOLVE_ONLY": "1",
        "SCRAPERSKY_SCHEMES": "http",
        "SCRAPERSKY_HTTP_TOTAL_TIMEOUT": "30",
        "DAGSTER_TELEMETRY_DISABLED": "1",
    }
    os.environ.update(env)
    engine.dispose_all()
    return Stack(db, web, env)


def _stop_stack(s: Stack) -> None:
    from scrapersky_pipelines.db import engine
    from scrapersky_pipelines_tests.support.database import stop_test_database

    engine.dispose_all()
    try:
        if s.dagster_bouncer is not None:
            s.dagster_bouncer.stop()
        stop_test_database(s.db)
    finally:
        s.web.stop()


# -- measuring --------------------------------------------------------------------------------


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat (in clock ticks)."""
    with open("/proc/stat") as f:
        fields = [float(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


@dataclass
class Clock:
    """Wall and process-CPU time of a block (`with Clock() as c: ...; c.wall, c.cpu`)."""

    wall: float = 0.0
    cpu: float = 0.0
    _wall0: float = 0.0
    _cpu0: float = 0.0

    def __enter__(self) -> Clock:
        self._wall0, self._cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall0
        self.cpu = time.process_time() - self._cpu0


def _status_mib(field_name: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_rss_mib() -> float:
    """This process's peak resident set size so far.

    VmHWM, not `ru_maxrss`: Linux carries a parent's `ru_maxrss` over fork+exec into the child's
    figure, so a worker started by a big parent would report the parent's peak.
    """
    hwm = _status_mib("VmHWM")
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    """This process's current resident set size."""
    return _status_mib("VmRSS") or 0.0


def per_second(count: float, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


# -- printing ---------------------------------------------------------------------------------


def fmt(value: Any) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 100:
            return f"{value:.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if value is None:
        return "-"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> str:
    """A plain-text table: first column left-aligned, the rest right-aligned."""
    cells = [[fmt(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(values, widths)))

    out = [title] if title else []
    out += [line(headers), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    return "\n".join(out)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    print(table(headers, rows, title), flush=True)


def ratio_line(text: str) -> None:
    """Every benchmark ends with one line starting "ratio"."""
    print(f"ratio {text}", flush=True)


def machine_line() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {load:.2f}"


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--proxy":
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        _serve_proxy(int(sys.argv[2]), float(sys.argv[3]) / 1000)
