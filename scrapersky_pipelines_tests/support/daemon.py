"""Run a real Dagster daemon (sensors fire by themselves, runs launch through the instance)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def dagster_home(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "dagster.yaml").write_text((ROOT / "dagster.yaml").read_text())
    return path


@contextmanager
def running_daemon(env: Mapping[str, str], log_path: Path, workspace: Path = ROOT / "workspace.yaml"):
    """`dagster-daemon run` on `workspace` (the project's by default), in its own process group."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dagster._daemon", "run", "-w", str(workspace)],
            cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            yield proc
        finally:
            stop_group(proc)


def stop_group(proc: subprocess.Popen, grace: float = 20) -> None:
    """SIGTERM the process group (a daemon's or webserver's code server and run workers too), then SIGKILL."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(grace)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        except ProcessLookupError:
            pass


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


IN_FLIGHT = ("QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING")


def runs_in_flight(home: Path) -> int:
    """Runs of the instance at `home` not finished yet (a stage's policy op may still be queueing)."""
    import dagster as dg

    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    try:
        with dg.DagsterInstance.get() as instance:
            statuses = [dg.DagsterRunStatus[s] for s in IN_FLIGHT]
            return instance.get_runs_count(dg.RunsFilter(statuses=statuses))
    finally:
        if previous is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = previous


def settled(predicate: Callable[[], bool], polls: int = 3) -> Callable[[], bool]:
    """True once `predicate` held on `polls` consecutive polls: a stage's rows can look finished for
    the moment between its results commit and its policy op queueing the next stage."""
    streak = 0

    def check() -> bool:
        nonlocal streak
        streak = streak + 1 if predicate() else 0
        return streak >= polls

    return check
