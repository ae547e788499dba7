"""Resource instances bound for the code location, configured from the environment."""

from __future__ import annotations

import os

import dagster as dg

from scrapersky_pipelines.lib.robots_cache import MAX_AGE_SECONDS
from scrapersky_pipelines.resources.database import Database
from scrapersky_pipelines.resources.http import HttpResource
from scrapersky_pipelines.resources.io_manager import PostgresIOManager
from scrapersky_pipelines.resources.places import build_places_resources


def env_or(name: str, default):
    """An EnvVar when the variable is set (so the UI shows its name, not its value), else the default."""
    return dg.EnvVar(name) if os.environ.get(name) else default


def env_flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in ("1", "true", "yes", "on")


def build_resources() -> dict:
    database = Database(url=env_or("SCRAPERSKY_DATABASE_URL", None))
    http = HttpResource(
        resolve=os.environ.get("SCRAPERSKY_RESOLVE", ""),
        resolve_only=env_flag("SCRAPERSKY_RESOLVE_ONLY", False),
        schemes=os.environ.get("SCRAPERSKY_SCHEMES", "https,http"),
        total_timeout=float(os.environ.get("SCRAPERSKY_HTTP_TOTAL_TIMEOUT", "30")),
        obey_robots=env_flag("SCRAPERSKY_OBEY_ROBOTS", True),
        robots_max_age=float(os.environ.get("SCRAPERSKY_ROBOTS_MAX_AGE", MAX_AGE_SECONDS)),
    )
    return {
        "database": database,
        "http": http,
        "pg_io": PostgresIOManager(database=database),
        **build_places_resources(),
    }
