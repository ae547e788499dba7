"""The production files in deploy/ work as written: loaded by Dagster, served by pgbouncer, parsed as Helm values.

No cluster is needed: the instance config is loaded as a real `DagsterInstance` on a fresh database of
the test PostgreSQL (direct connection), the workspace reaches a real code server started with the
Helm values' own arguments, and pgbouncer runs the shipped ini with only its addresses and paths
replaced.
"""

from __future__ import annotations

import configparser
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
import yaml

from scrapersky_pipelines_tests.support.daemon import ROOT, wait_until
from scrapersky_pipelines_tests.support.pgbouncer import RUN_AS, find_pgbouncer, free_port

DEPLOY = ROOT / "deploy"
LOCATION = "scrapersky_pipelines"
STAGE_TAG = "scrapersky/stage"
STAGE_ASSETS = {"places", "local_businesses", "business_domains", "domain_metadata", "sitemap_files",
                "sitemap_pages", "page_contacts", "domain_contacts"}
# Top-level keys of the official chart's values (helm/dagster/schema .../values.py); a typo here
# would be silently ignored by Helm.
CHART_KEYS = {
    "global", "dagsterWebserver", "dagster-user-deployments", "postgresql", "generatePostgresqlPasswordSecret",
    "generateCeleryConfigSecret", "rabbitmq", "redis", "flower", "ingress", "imagePullSecrets",
    "computeLogManager", "scheduler", "runLauncher", "pythonLogs", "dagsterDaemon", "busybox", "migrate",
    "telemetry", "serviceAccount", "retention", "additionalInstanceConfig", "concurrency", "defsStateStorage",
}


@pytest.fixture
def storage_database(test_db):
    """A database of its own on the test server, dropped afterwards: what dagster.yaml's storage gets."""
    name = f"dagster_deploy_{uuid.uuid4().hex[:8]}"
    admin = test_db.server.url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield test_db.server.url(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_instance_config_runs_on_a_direct_postgres_in_its_own_database(storage_database, tmp_path, monkeypatch):
    import dagster as dg
    from dagster._core.definitions.run_request import InstigatorType
    from dagster._core.run_coordinator import QueuedRunCoordinator
    from dagster._core.scheduler.instigation import TickStatus
    from dagster_postgres import PostgresRunStorage

    assert "pgbouncer" not in storage_database and ":6432" not in storage_database
    monkeypatch.setenv("DAGSTER_POSTGRES_URL", storage_database)
    home = tmp_path / "dagster_home"  # a copy, so local artifact storage never lands in deploy/
    home.mkdir()
    shutil.copy(DEPLOY / "dagster.yaml", home / "dagster.yaml")

    instance = dg.DagsterInstance.from_config(str(home))
    try:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        # Real reads and writes: the schema was created in the new database on first use.
        instance.add_dynamic_partitions("domain_scan_batches", ["domain_scan-1"])
        assert instance.get_dynamic_partitions("domain_scan_batches") == ["domain_scan-1"]
        assert instance.get_runs() == []
        with psycopg.connect(storage_database) as conn:
            [[runs_table]] = conn.execute("SELECT to_regclass('public.runs') IS NOT NULL").fetchall()
        assert runs_table

        coordinator = instance.run_coordinator
        assert isinstance(coordinator, QueuedRunCoordinator)
        queue = coordinator.get_run_queue_config()
        assert queue.max_concurrent_runs == 8
        limits = {limit["key"]: limit for limit in queue.tag_concurrency_limits}
        assert limits[STAGE_TAG]["value"] == {"applyLimitPerUniqueValue": True}
        assert limits["dagster/backfill"]["limit"] == 2

        assert instance.run_retries_enabled and instance.run_retries_max_retries == 2
        assert instance.run_retries_retry_on_asset_or_op_failure is False  # crashes only
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_start_timeout_seconds == 300
        assert instance.run_monitoring_max_runtime_seconds == 7200
        sensor_retention = instance.get_tick_retention_settings(InstigatorType.SENSOR)
        assert sensor_retention[TickStatus.SKIPPED] == 1 and sensor_retention[TickStatus.FAILURE] == 30
        assert not instance.telemetry_enabled and not instance.nux_enabled
        assert {"SENSOR", "QUEUED_RUN_COORDINATOR", "MONITORING"} <= set(instance.get_required_daemon_types())
    finally:
        instance.dispose()


def test_stage_runs_carry_the_tag_the_concurrency_limits_name():
    from scrapersky_pipelines.definitions import STAGES, defs

    for spec in STAGES:
        assert defs.resolve_job_def(f"{spec.stage}_job").tags.get(STAGE_TAG) == spec.stage


def test_workspace_loads_the_code_location_from_a_code_server_started_like_the_helm_chart(monkeypatch, tmp_path):
    import dagster as dg
    from dagster._core.remote_origin import GrpcServerCodeLocationOrigin
    from dagster._core.workspace.load import location_origins_from_yaml_paths

    values = yaml.safe_load((DEPLOY / "values-dagster.yaml").read_text())
    [deployment] = values["dagster-user-deployments"]["deployments"]
    port = free_port()
    monkeypatch.setenv("SCRAPERSKY_CODE_SERVER_HOST", "127.0.0.1")
    monkeypatch.setenv("SCRAPERSKY_CODE_SERVER_PORT", str(port))
    [origin] = location_origins_from_yaml_paths([str(DEPLOY / "workspace.yaml")])
    assert isinstance(origin, GrpcServerCodeLocationOrigin)
    assert (origin.host, origin.port, origin.location_name) == ("127.0.0.1", port, LOCATION)

    with open(tmp_path / "code-server.log", "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "dagster", "api", "grpc", *deployment["dagsterApiGrpcArgs"],
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        client = origin.create_client()

        def answers() -> bool:
            assert server.poll() is None, (tmp_path / "code-server.log").read_text()
            try:
                client.ping("deploy")
                return True
            except Exception:  # noqa: BLE001 - not listening yet
                return False

        assert wait_until(answers, timeout=90, interval=0.5)
        with dg.instance_for_test() as instance, origin.create_location(instance) as location:
            [repository] = location.get_repositories().values()
            assets = {node.key.to_user_string() for node in repository.asset_graph.asset_nodes}
        assert STAGE_ASSETS <= assets, assets
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


def test_helm_values_use_the_k8s_run_launcher_and_direct_instance_storage():
    values = yaml.safe_load((DEPLOY / "values-dagster.yaml").read_text())
    assert set(values) <= CHART_KEYS, set(values) - CHART_KEYS
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    k8s = values["runLauncher"]["config"]["k8sRunLauncher"]
    assert {"name": "scrapersky-secrets"} in k8s["envSecrets"]

    daemon = values["dagsterDaemon"]
    assert daemon["runCoordinator"]["type"] == "QueuedRunCoordinator"
    tags = daemon["runCoordinator"]["config"]["queuedRunCoordinator"]["tagConcurrencyLimits"]
    local = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    assert {t["key"] for t in tags} == {t["key"] for t in local["run_coordinator"]["config"]["tag_concurrency_limits"]}
    assert daemon["runRetries"]["retryOnAssetOrOpFailure"] is False
    assert daemon["runMonitoring"]["enabled"] is True

    pg = values["postgresql"]
    assert pg["enabled"] is False and pg["postgresqlDatabase"] == "dagster"
    assert pg["service"]["port"] == 5432  # PostgreSQL itself, not the pooler's 6432
    assert values["generatePostgresqlPasswordSecret"] is False

    [deployment] = values["dagster-user-deployments"]["deployments"]
    args = deployment["dagsterApiGrpcArgs"]
    assert args[args.index("--module-name") + 1] == "scrapersky_pipelines.definitions"
    assert args[args.index("--location-name") + 1] == LOCATION

    def secrets(node, path=""):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from secrets(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from secrets(value, f"{path}[{i}]")
        elif re.search(r"password|secret|api_?key|token", path, re.I) and isinstance(node, str) and node:
            if not path.endswith((".postgresqlSecretName", ".name")):
                yield path, node

    assert not list(secrets(values)), "no secret values in the Helm values"


def _pgbouncer_ini() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(DEPLOY / "pgbouncer.ini")
    return parser


def test_pgbouncer_ini_pools_the_app_in_transaction_mode_and_dagster_in_session_mode():
    ini = _pgbouncer_ini()
    assert ini["pgbouncer"]["pool_mode"] == "transaction"
    assert list(ini["databases"]) == ["scrapersky", "dagster"]
    assert "pool_mode" not in ini["databases"]["scrapersky"]
    assert "pool_mode=session" in ini["databases"]["dagster"].split()
    # The reset runs only when a session-mode (Dagster) client leaves, never between app transactions.
    assert ini["pgbouncer"]["server_reset_query"] == "DISCARD ALL"
    assert ini["pgbouncer"]["server_reset_query_always"] == "0"
    example = (DEPLOY / "userlist.txt.example").read_text()
    assert all(line.startswith('"') for line in example.splitlines() if line.strip())
    assert "SCRAM-SHA-256$4096:<" in example  # placeholders, not secrets


def _with_local_addresses(text: str, overrides: dict[str, str], host: str, port: int, dagster_db: str) -> str:
    """The shipped ini with only addresses, paths and database names replaced."""
    for key, value in overrides.items():
        text, n = re.subn(rf"(?m)^{re.escape(key)}\s*=.*$", f"{key} = {value}", text)
        assert n == 1, key
    text, n = re.subn(r"host=postgres\.internal port=5432", f"host={host} port={port}", text)
    assert n == 2
    text, n = re.subn(r"dbname=dagster\b", f"dbname={dagster_db}", text)
    assert n == 1
    return text


def test_pgbouncer_runs_the_shipped_ini_in_front_of_a_real_postgres(test_db, storage_database, tmp_path, monkeypatch):
    binary = find_pgbouncer()
    assert binary, "pgbouncer is required (apt-get install pgbouncer)"
    # Not under pytest's tmp_path: its 0700 parents would keep pgbouncer's unprivileged user out.
    work = Path(tempfile.mkdtemp(prefix="scrapersky-deploy-"))
    os.chmod(work, 0o755)
    port = free_port()
    server = test_db.server
    (work / "userlist.txt").write_text('"postgres" "deploy-test-password"\n')
    ini = _with_local_addresses(
        (DEPLOY / "pgbouncer.ini").read_text(),
        {"listen_addr": "127.0.0.1", "listen_port": str(port), "unix_socket_dir": "",
         "auth_file": str(work / "userlist.txt"), "logfile": str(work / "pgbouncer.log"),
         "pidfile": str(work / "pgbouncer.pid"), "admin_users": "postgres", "stats_users": "postgres"},
        server.socket_dir, server.port, storage_database.split("?", 1)[0].rsplit("/", 1)[1],
    )
    (work / "pgbouncer.ini").write_text(ini)
    cmd = [binary, str(work / "pgbouncer.ini")]
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        uid = pwd.getpwnam(RUN_AS).pw_uid
        for path in (work, *work.iterdir()):
            os.chown(path, uid, -1)
        cmd = [binary, "-u", RUN_AS, str(work / "pgbouncer.ini")]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"postgresql://postgres:deploy-test-password@127.0.0.1:{port}/scrapersky"

        def connects() -> bool:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                psycopg.connect(url, connect_timeout=2).close()
                return True
            except psycopg.OperationalError:
                return False

        assert wait_until(connects, timeout=15, interval=0.2)
        # Two transactions on one client connection, as the app's engine does through the pooler.
        with psycopg.connect(url, prepare_threshold=None, autocommit=False) as conn:
            for _ in range(2):
                [[n]] = conn.execute("SELECT count(*) FROM domains WHERE domain = %s", ("example.com",)).fetchall()
                assert n >= 0
                conn.commit()
        # A Dagster instance on the shipped dagster.yaml, its storage through the session pool.
        import dagster as dg

        monkeypatch.setenv("DAGSTER_POSTGRES_URL", f"postgresql://postgres:deploy-test-password@127.0.0.1:{port}/dagster")
        home = tmp_path / "dagster_home"
        home.mkdir()
        shutil.copy(DEPLOY / "dagster.yaml", home / "dagster.yaml")
        instance = dg.DagsterInstance.from_config(str(home))
        try:
            for i in range(5):  # each write is a new client connection, served by the pool
                instance.add_dynamic_partitions("domain_scan_batches", [f"domain_scan-{i}"])
            assert len(instance.get_dynamic_partitions("domain_scan_batches")) == 5
        finally:
            instance.dispose()
        admin = f"postgresql://postgres:deploy-test-password@127.0.0.1:{port}/pgbouncer"
        with psycopg.connect(admin, autocommit=True, prepare_threshold=None) as conn:
            cur = conn.execute("SHOW DATABASES")
            names = [c.name for c in cur.description]
            modes = {r[names.index("name")]: r[names.index("pool_mode")] for r in cur.fetchall()}
        assert modes["dagster"] == "session" and modes["scrapersky"] in (None, "", "transaction")
        log = (work / "pgbouncer.log").read_text(errors="replace")
        assert "unknown parameter" not in log.lower() and "FATAL" not in log
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(work, ignore_errors=True)
