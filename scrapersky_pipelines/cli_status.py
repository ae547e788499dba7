"""`scrapersky status`: a table of every stage's queue, optionally followed with a progress bar."""

from __future__ import annotations

import sys
import time

from scrapersky_pipelines.cli import in_transaction
from scrapersky_pipelines.db.status import StageStatus, all_stages

HEADER = f"{'stage':<18} {'queued':>7} {'in flight':>9} {'complete':>9} {'error':>7} {'filtered':>8}  top errors"


def render(rows: list[StageStatus]) -> str:
    lines = [HEADER]
    for r in rows:
        top = ", ".join(f"{k} ({n})" for k, n in r.top_errors) or "-"
        lines.append(f"{r.stage:<18} {r.queued:>7} {r.in_flight:>9} {r.complete:>9} {r.error:>7} {r.filtered:>8}  {top}")
    return "\n".join(lines)


def progress_bar(rows: list[StageStatus], width: int = 40) -> str:
    total = sum(r.total for r in rows)
    done = sum(r.complete + r.error + r.filtered for r in rows)
    frac = done / total if total else 1.0
    filled = int(frac * width)
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows terminal ({frac:.0%})"


def print_status(batch: str | None = None, follow: bool = False, interval: float = 2.0) -> int:
    while True:
        rows = in_transaction(lambda session: all_stages(session, batch))
        if follow and sys.stdout.isatty():
            sys.stdout.write("\x1b[2J\x1b[H")
        print(render(rows))
        if follow:
            print(progress_bar(rows), flush=True)
        if not follow or not any(r.queued or r.in_flight for r in rows):
            return 0
        time.sleep(interval)
