"""Run a real `dagster-webserver` on loopback and drive it through its GraphQL API, as the UI does."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from .daemon import stop_group
from .pgbouncer import free_port

ROOT = Path(__file__).resolve().parents[2]
LOCATION = "scrapersky_pipelines"  # workspace.yaml's location_name
REPOSITORY = "__repository__"  # a module's `Definitions` load as this repository
TERMINAL_BACKFILL = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}

LAUNCH_BACKFILL = """
mutation LaunchPartitionBackfill($backfillParams: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $backfillParams) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PartitionKeysNotFoundError { message }
    ... on PythonError { message stack }
    ... on Error { message }
  }
}"""

BACKFILL = """
query Backfill($backfillId: String!) {
  partitionBackfillOrError(backfillId: $backfillId) {
    __typename
    ... on PartitionBackfill {
      id status numPartitions partitionNames isAssetBackfill
      assetSelection { path }
      runs { runId status tags { key value } }
      error { message stack }
    }
    ... on PythonError { message }
  }
}"""

SENSOR_STATE = """
query SensorState($selector: SensorSelector!) {
  sensorOrError(sensorSelector: $selector) {
    __typename
    ... on Sensor { sensorState { id status } }
    ... on PythonError { message }
  }
}"""

STOP_SENSOR = """
mutation StopSensor($id: String!) {
  stopSensor(id: $id) {
    __typename
    ... on StopSensorMutationResult { instigationState { status } }
    ... on PythonError { message }
  }
}"""

WORKSPACE = """
{ workspaceOrError { __typename ... on Workspace { locationEntries {
    name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


class GraphQLError(RuntimeError):
    pass


@dataclass
class Webserver:
    url: str
    process: subprocess.Popen
    log_path: Path

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None, timeout: float = 60) -> dict:
        # trust_env=False: no proxy from the environment ever sees (or reroutes) loopback traffic
        with httpx.Client(trust_env=False, timeout=timeout) as client:
            response = client.post(f"{self.url}/graphql", json={"query": query, "variables": dict(variables or {})})
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise GraphQLError(str(body["errors"]))
        return body["data"]

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def location_loaded(self) -> bool:
        data = self.graphql(WORKSPACE)["workspaceOrError"]
        entries = {e["name"]: e for e in data.get("locationEntries", [])}
        entry = entries.get(LOCATION)
        if entry is None or entry["loadStatus"] != "LOADED":
            return False
        loaded = entry["locationOrLoadError"]
        if loaded["__typename"] != "RepositoryLocation":
            raise GraphQLError(f"code location failed to load: {loaded.get('message')}")
        return True

    def launch_asset_backfill(self, asset_path: Sequence[str], partition_names: Sequence[str]) -> str:
        """The Launch backfill dialog of an asset's Partitions tab: chosen partitions of one asset."""
        params = {"assetSelection": [{"path": list(asset_path)}], "partitionNames": list(partition_names),
                  "fromFailure": False, "tags": []}
        result = self.graphql(LAUNCH_BACKFILL, {"backfillParams": params})["launchPartitionBackfill"]
        if result["__typename"] != "LaunchBackfillSuccess":
            raise GraphQLError(f"{result['__typename']}: {result.get('message')}")
        return result["backfillId"]

    def backfill(self, backfill_id: str) -> dict:
        result = self.graphql(BACKFILL, {"backfillId": backfill_id})["partitionBackfillOrError"]
        if result["__typename"] != "PartitionBackfill":
            raise GraphQLError(f"{result['__typename']}: {result.get('message')}")
        return result

    def stop_sensor(self, name: str) -> str:
        """The sensor toggle in the UI: returns the sensor's new status."""
        selector = {"repositoryName": REPOSITORY, "repositoryLocationName": LOCATION, "sensorName": name}
        sensor = self.graphql(SENSOR_STATE, {"selector": selector})["sensorOrError"]
        if sensor["__typename"] != "Sensor":
            raise GraphQLError(f"{sensor['__typename']}: {sensor.get('message')}")
        stopped = self.graphql(STOP_SENSOR, {"id": sensor["sensorState"]["id"]})["stopSensor"]
        if stopped["__typename"] != "StopSensorMutationResult":
            raise GraphQLError(f"{stopped['__typename']}: {stopped.get('message')}")
        return stopped["instigationState"]["status"]


@contextmanager
def running_webserver(env: Mapping[str, str], log_path: Path, timeout: float = 180) -> Iterator[Webserver]:
    """`dagster-webserver` on the project's workspace and a free loopback port, in its own process group;
    yields once the code location has loaded."""
    port = free_port()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dagster_webserver", "-w", str(ROOT / "workspace.yaml"),
             "-p", str(port), "-h", "127.0.0.1"],
            cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        server = Webserver(f"http://127.0.0.1:{port}", proc, log_path)
        try:
            _wait_loaded(server, timeout)
            yield server
        finally:
            stop_group(proc)


def _wait_loaded(server: Webserver, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"dagster-webserver exited ({server.process.returncode}):\n{server.log_text()[-3000:]}")
        try:
            if server.location_loaded():
                return
        except (httpx.TransportError, httpx.HTTPStatusError):
            pass  # not listening yet
        time.sleep(0.5)
    raise TimeoutError(f"dagster-webserver not ready within {timeout:.0f}s:\n{server.log_text()[-3000:]}")
