"""The code location loads, validates, and wires every stage with its sensor and job."""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from scrapersky_pipelines.definitions import defs

ROOT = Path(__file__).resolve().parents[1]


def test_definitions_resolve():
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"places", "local_businesses", "business_domains", "domain_metadata", "sitemap_files",
            "sitemap_pages", "page_contacts"} <= keys
    stages = ("place_search", "deep_scan", "domain_extraction", "domain_scan", "sitemap_discovery",
              "sitemap_import", "page_scrape")
    for stage in stages:
        assert defs.resolve_job_def(f"{stage}_job")
    for job in ("submit_domains", "search_places", "curate"):
        assert defs.resolve_job_def(job)
    names = {s.name for s in defs.sensors}
    assert {f"{stage}_sensor" for stage in stages} | {"lease_reaper", "failed_batch_requeue", "queue_stall_sensor"} <= names
    for sensor in defs.sensors:
        assert sensor.default_status == dg.DefaultSensorStatus.RUNNING, sensor.name
    # A crashed batch goes back to Queued within seconds, not on Dagster's 30 s default tick.
    assert defs.resolve_sensor_def("failed_batch_requeue").minimum_interval_seconds == 10


def test_dagster_definitions_validate_passes(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    (tmp_path / "dagster.yaml").write_text((ROOT / "dagster.yaml").read_text())
    proc = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-w", str(ROOT / "workspace.yaml")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
