"""Helpers of the operator suites: a pipeline process's environment and a Dagster instance directory."""

from __future__ import annotations

import os
from pathlib import Path

from scrapersky_pipelines_tests.support.daemon import dagster_home


def pipeline_env(db_url: str, resolve: list[str], home: Path) -> dict[str, str]:
    """What `scrapersky dev` gives the webserver, the daemon and their run workers, pointed at the
    test database (through pgbouncer) and at the synthetic web only."""
    return {
        **os.environ,
        "SCRAPERSKY_DATABASE_URL": db_url,
        "SCRAPERSKY_RESOLVE": ",".join(resolve),
        "SCRAPERSKY_RESOLVE_ONLY": "1",
        "SCRAPERSKY_SCHEMES": "http",
        "SCRAPERSKY_HTTP_TOTAL_TIMEOUT": "4",
        "DAGSTER_HOME": str(home),
    }


def operator_home(root: Path) -> Path:
    """A DAGSTER_HOME with the repository's instance settings (dagster.yaml), shared by the
    webserver, the daemon and the test process."""
    return dagster_home(root / "dagster")


def logs_tail(*paths: Path, chars: int = 3000) -> str:
    """The ends of the servers' logs, for failure messages."""
    parts = []
    for path in paths:
        text = path.read_text(errors="replace") if path.exists() else "(no log)"
        parts.append(f"--- {path.name} ---\n{text[-chars:]}")
    return "\n".join(parts)
