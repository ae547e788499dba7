"""A child process tree in its own session, stopped by process group: how the demo runs `dagster dev`.

The child gets its own session so that a terminal's Ctrl-C reaches only the launcher, which forwards a
single interrupt: a second SIGINT arriving while `dagster dev` shuts its webserver and daemon down
would abort that shutdown half-way. The child also asks the kernel for SIGTERM when the launcher dies
(Linux `PR_SET_PDEATHSIG`, set by this module's `__main__` before it execs the real command), so even a
SIGKILLed launcher leaves no UI or daemon behind. Run workers and code servers that outlive
`dagster dev` share its process group and are ended with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes whose process group is `pgid`, from /proc."""
    members = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 2 and fields[0] != b"Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


@dataclass
class ChildGroup:
    """A command started as the leader of a new session and process group."""

    process: subprocess.Popen[bytes]

    @classmethod
    def start(cls, argv: Sequence[str], *, env: dict[str, str], log_path: Path, cwd: Path | None = None) -> ChildGroup:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        shim = [sys.executable, "-m", __name__, str(os.getpid()), "--", *argv]
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                shim, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return cls(process)

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def _wait_group(self, timeout: float, force: threading.Event | None) -> bool:
        """Wait until no member of the group is left; False on timeout or when `force` is set."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.process.poll()  # reap the leader so it does not linger as a zombie
            if not group_members(self.pid):
                return True
            if force is not None and force.is_set():
                return False
            time.sleep(0.2)
        return not group_members(self.pid)

    def stop(self, grace: float = 60.0, force: threading.Event | None = None) -> int | None:
        """Interrupt the leader, give the group `grace` seconds, then SIGTERM and SIGKILL what is left."""
        if self.running():
            self.process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + grace
        while self.running() and time.monotonic() < deadline and not (force and force.is_set()):
            time.sleep(0.2)
        # Whatever outlived the leader (run workers, code servers) or the leader itself if it hung.
        if not self._wait_group(0.5, force):
            _signal_group(self.pid, signal.SIGTERM)
            if not self._wait_group(10.0, force):
                _signal_group(self.pid, signal.SIGKILL)
                self._wait_group(10.0, None)
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        return self.process.returncode


def _exec_with_parent_death_signal(argv: list[str]) -> None:
    """`<launcher pid> -- command...`: arrange SIGTERM on the launcher's death, then become the command."""
    parent, sep, *command = argv
    if sep != "--" or not command:
        raise SystemExit("usage: python -m scrapersky_pipelines.demo.launcher_process PID -- COMMAND...")
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the launcher's own stop() is the only guard
        pass
    if os.getppid() != int(parent):  # the launcher died before the request took effect
        raise SystemExit(1)
    os.execvp(command[0], command)


if __name__ == "__main__":
    _exec_with_parent_death_signal(sys.argv[1:])
