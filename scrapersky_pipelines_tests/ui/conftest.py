"""Fixtures of the UI tests: Debian's headless Chromium, and a running Dagster UI and daemon to point it at."""

from __future__ import annotations

import json
import os
import shutil
import sys
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scrapersky_pipelines.demo.launcher import ui_answers
from scrapersky_pipelines.demo.launcher_process import ChildGroup
from scrapersky_pipelines_tests.support.daemon import dagster_home, wait_until
from scrapersky_pipelines_tests.support.pgbouncer import free_port

CHROMIUM = "/usr/bin/chromium"  # Debian's package: `apt-get install chromium`
SCREENSHOTS = Path(__file__).parent / "screenshots"
SAVE_ENV = "SCRAPERSKY_SAVE_SCREENSHOTS"


def _missing(message: str) -> None:
    """In CI a missing browser is a failure (the suite must prove the UI); elsewhere a skip."""
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: str):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is missing: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True)
        yield launched
        launched.close()


@dataclass(frozen=True)
class RunningUI:
    base_url: str
    log_path: Path

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(f"{self.base_url}/graphql", data=body,
                                         headers={"Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
        with opener.open(request, timeout=30) as response:
            payload = json.load(response)
        assert "errors" not in payload, payload
        return payload["data"]

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""


@pytest.fixture(scope="module")
def ui(test_db, web, tmp_path_factory) -> Iterator[RunningUI]:
    """`dagster dev` on a free loopback port: the test database (through pgbouncer) and the synthetic web.

    Module-scoped, so the environment is built here with the same values as the `web_env` fixture
    rather than with that function-scoped fixture.
    """
    test_db.truncate()
    home = tmp_path_factory.mktemp("ui")
    env = {k: v for k, v in os.environ.items()
           if k not in ("GOOGLE_PLACES_API_KEY", "SCRAPERSKY_PLACES_BASE_URL", "SCRAPERSKY_AUTO_SELECT")}
    env |= {
        "SCRAPERSKY_DATABASE_URL": test_db.url,
        "SCRAPERSKY_RESOLVE": ",".join(web.resolve_entries()),
        "SCRAPERSKY_RESOLVE_ONLY": "1",
        "SCRAPERSKY_SCHEMES": "http",
        "SCRAPERSKY_HTTP_TOTAL_TIMEOUT": "4",
        "DAGSTER_HOME": str(dagster_home(home / "dagster")),
    }
    port = free_port()
    running = RunningUI(f"http://127.0.0.1:{port}", home / "dagster-dev.log")
    group = ChildGroup.start(
        [sys.executable, "-m", "dagster", "dev", "-m", "scrapersky_pipelines.definitions",
         "-p", str(port), "-h", "127.0.0.1"],
        env=env, log_path=running.log_path, cwd=home,
    )
    try:
        assert wait_until(lambda: ui_answers(running.base_url) or not group.running(), timeout=240, interval=1)
        assert group.running(), running.log_tail()
        # The newsletter dialog of a first visit would cover the page (and close context menus).
        assert running.graphql("mutation { setNuxSeen }")["setNuxSeen"] is True
        yield running
    finally:
        group.stop(grace=30)


@pytest.fixture
def screenshot(tmp_path) -> Callable[..., Path]:
    """Save a full-page screenshot under tmp_path; with SCRAPERSKY_SAVE_SCREENSHOTS set, also in ui/screenshots/."""

    def save(page, name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if os.environ.get(SAVE_ENV):
            SCREENSHOTS.mkdir(exist_ok=True)
            ignore = SCREENSHOTS / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n")  # images are never committed
            shutil.copy(path, SCREENSHOTS / path.name)
        return path

    return save
