"""The demo's child-process handling: a stop ends the whole group, and a killed launcher leaves no child behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from scrapersky_pipelines.demo.launcher_process import ChildGroup, group_members
from scrapersky_pipelines_tests.support.daemon import wait_until

# A leader that ignores SIGINT with two children of its own: the graceful step cannot work, so stop()
# must escalate, and must reach the children too.
STUBBORN = ["sh", "-c", "trap '' INT; sleep 60 & sleep 60 & wait"]


def test_stop_escalates_and_ends_every_member_of_the_group(tmp_path):
    child = ChildGroup.start(STUBBORN, env=dict(os.environ), log_path=tmp_path / "child.log")
    assert wait_until(lambda: len(group_members(child.pid)) == 3, timeout=10, interval=0.1)

    child.stop(grace=0.5)

    assert not child.running()
    assert group_members(child.pid) == []


def test_the_child_group_dies_with_a_killed_launcher(tmp_path):
    launcher = textwrap.dedent(f"""
        import os, sys, time
        from pathlib import Path
        from scrapersky_pipelines.demo.launcher_process import ChildGroup
        child = ChildGroup.start(["sleep", "60"], env=dict(os.environ), log_path=Path({str(tmp_path / "c.log")!r}))
        print(child.pid, flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", launcher], stdout=subprocess.PIPE, text=True)
    pid = 0
    try:
        pid = int(proc.stdout.readline())
        # The shim execs into the command once it has asked for the parent-death signal.
        assert wait_until(lambda: _command(pid).startswith("sleep"), timeout=10, interval=0.1)
        proc.kill()  # no chance to clean up: only the kernel's parent-death signal can end the child
        proc.wait(10)
        assert wait_until(lambda: not group_members(pid), timeout=10, interval=0.1)
    finally:
        if proc.poll() is None:
            proc.kill()
        for member in group_members(pid) if pid else ():
            os.kill(member, signal.SIGKILL)


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_group_members_lists_only_the_group_asked_for():
    assert os.getpid() in group_members(os.getpgid(0))
    assert group_members(2**22 + 1) == []  # above Linux's pid_max: no such group
