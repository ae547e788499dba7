"""Run the benchmarks: `python -m benchmarks [NAME[:ARGS] ...] [--quick]`.

With no names, every benchmark runs, in the order of `BENCHMARKS`. A name may carry its own
arguments after a colon, e.g. `end_to_end:"--domains 50 --daemon-domains 0"`. `--quick` gives each
benchmark its small workload. One database stack (embedded PostgreSQL behind pgbouncer, synthetic
web) is started once, when the first benchmark that needs it runs, and shared. Each benchmark
prints its table and ends with a "ratio" line; a summary of times and ratio lines closes the run.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import shlex
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from contextlib import redirect_stdout

# name -> extra argv for a default run, for a --quick run
BENCHMARKS: dict[str, tuple[list[str], list[str]]] = {
    "sitemap_parser": ([], ["--quick"]),
    "extraction_quality": ([], ["--repeat", "1"]),
    "http_transports": ([], ["--quick"]),
    "db_writes": ([], ["--quick"]),
    "end_to_end": ([], ["--quick"]),
    "sensors": ([], ["--quick"]),  # after end_to_end: reuses its daemon run when the domains match
    "memory": ([], ["--quick"]),
}
NEEDS_STACK = {"http_transports", "db_writes", "end_to_end", "sensors", "memory"}


class Tee(io.TextIOBase):
    """Writes through to the real stdout and keeps the last line starting with "ratio"."""

    def __init__(self, out: io.TextIOBase) -> None:
        self.out = out
        self.ratio: str | None = None
        self._line = ""

    def write(self, text: str) -> int:
        self.out.write(text)
        self._line += text
        *lines, self._line = self._line.split("\n")
        for line in lines:
            if line.startswith("ratio"):
                self.ratio = line
        return len(text)

    def flush(self) -> None:
        self.out.flush()


def parse_selection(names: Sequence[str]) -> list[tuple[str, list[str]]]:
    chosen = []
    for item in names:
        name, _, extra = item.partition(":")
        name = name.strip().removeprefix("benchmarks.").replace("-", "_")
        if name not in BENCHMARKS:
            raise SystemExit(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
        chosen.append((name, shlex.split(extra)))
    return chosen or [(name, []) for name in BENCHMARKS]


def run_one(name: str, argv: list[str]) -> tuple[int, str | None]:
    main: Callable[[list[str]], int] = importlib.import_module(f"benchmarks.{name}").main
    tee = Tee(sys.stdout)
    with redirect_stdout(tee):
        code = main(argv)
    return int(code or 0), tee.ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n", 1)[0])
    parser.add_argument("names", nargs="*", metavar="NAME[:ARGS]", help=f"any of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="small workloads (a smoke run)")
    args = parser.parse_args(argv)
    selection = parse_selection(args.names)

    from benchmarks import common

    started = time.perf_counter()
    summary: list[list[object]] = []
    failed = 0
    with contextlib.ExitStack() as resources:
        stack_started = False
        for name, extra in selection:
            if name in NEEDS_STACK and not stack_started:
                # Started only now: benchmarks that fork measuring children (sitemap_parser reads their
                # ru_maxrss, which Linux carries over from the parent) run first, from a small parent.
                resources.enter_context(common.stack())
                stack_started = True
            default, quick = BENCHMARKS[name]
            bench_argv = [*(quick if args.quick else default), *extra]
            print(f"\n=== {name} {' '.join(bench_argv)}".rstrip(), flush=True)
            t0 = time.perf_counter()
            try:
                code, ratio = run_one(name, bench_argv)
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - one failure must not stop the rest
                if isinstance(exc, SystemExit) and not exc.code:
                    code, ratio = 0, None
                else:
                    traceback.print_exc()
                    code, ratio = 1, f"FAILED: {type(exc).__name__}: {exc}"[:300]
            failed += code != 0
            summary.append([name, time.perf_counter() - t0, "ok" if code == 0 else f"exit {code}",
                            ratio or "(no ratio line)"])
    total = time.perf_counter() - started
    print(f"\n=== summary ({total:.0f} s in all; {common.machine_line()})")
    common.print_table(["benchmark", "seconds", "status", "ratio line"], summary)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
