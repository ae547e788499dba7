"""Materialization metadata for a stage batch: numbers Dagster plots, and a table of first errors."""

from __future__ import annotations

from typing import Any

import dagster as dg

from scrapersky_pipelines.db.batches import BatchSummary


def summary_metadata(s: BatchSummary) -> dict[str, Any]:
    duration = max(s.duration_seconds, 1e-6)
    meta: dict[str, Any] = {
        "batches": dg.MetadataValue.text(", ".join(s.keys)),
        "rows": dg.MetadataValue.int(s.rows),
        "rows_complete": dg.MetadataValue.int(s.complete),
        "rows_error": dg.MetadataValue.int(s.error),
        "rows_filtered": dg.MetadataValue.int(s.filtered),
        "duration_seconds": dg.MetadataValue.float(round(s.duration_seconds, 3)),
        "items_per_second": dg.MetadataValue.float(round(s.rows / duration, 2)),
    }
    for name, n in sorted(s.writes.items()):
        meta[name] = dg.MetadataValue.int(int(n))
    for kind, n in sorted(s.error_counts.items()):
        meta[f"errors_{kind}"] = dg.MetadataValue.int(int(n))
    if s.first_errors:
        lines = ["| row id | error |", "| --- | --- |"]
        lines += [f"| {rid} | {(err or '').replace('|', '/')[:200]} |" for rid, err in s.first_errors]
        meta["first_errors"] = dg.MetadataValue.md("\n".join(lines))
    return meta
