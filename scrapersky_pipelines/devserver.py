"""`scrapersky dev`: Dagster's UI and daemon on the embedded default, with persistent instance storage."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_DAGSTER_YAML = Path(__file__).resolve().parents[1] / "dagster.yaml"


def prepare_dagster_home() -> Path:
    """DAGSTER_HOME under the project home, storing runs in the embedded server's `dagster` database."""
    from scrapersky_pipelines.db.embedded import DAGSTER_DB, ensure_embedded, project_home

    server = ensure_embedded()
    home = project_home() / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    base = REPO_DAGSTER_YAML.read_text() if REPO_DAGSTER_YAML.exists() else ""
    storage = (
        "storage:\n  postgres:\n    postgres_url:\n      env: SCRAPERSKY_DAGSTER_STORAGE_URL\n"
    )
    (home / "dagster.yaml").write_text(base.rstrip() + "\n" + storage)
    os.environ["SCRAPERSKY_DAGSTER_STORAGE_URL"] = server.url(DAGSTER_DB)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def run_dev(port: int = 3000, host: str = "127.0.0.1") -> int:
    if not os.environ.get("DAGSTER_HOME"):
        prepare_dagster_home()
    cmd = [sys.executable, "-m", "dagster", "dev", "-m", "scrapersky_pipelines.definitions",
           "-p", str(port), "-h", host]
    print(f"Dagster UI on http://{host}:{port} (DAGSTER_HOME={os.environ['DAGSTER_HOME']})", flush=True)
    # exec, so Ctrl-C and SIGTERM reach `dagster dev` itself, which stops its webserver and daemon.
    os.execv(sys.executable, cmd)
