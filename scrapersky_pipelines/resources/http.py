"""The HTTP resource: the project's HTTP client configured from Dagster config and env."""


import dataclasses

import dagster as dg

from scrapersky_pipelines.lib.http import HttpClient, HttpSettings
from scrapersky_pipelines.lib.robots_cache import RobotsCache

_D = HttpSettings()  # the client's defaults are the resource's: one place to change them
DEFAULT_UA = _D.user_agent


class HttpResource(dg.ConfigurableResource):
    """Timeouts, caps, retries, per-host politeness, robots.txt and the SSRF guard (DESIGN §4).

    `resolve` takes `host:port:address[:connect_port]` entries (env `SCRAPERSKY_RESOLVE`); only the
    addresses named there pass the guard. `schemes` is the order tried for a bare domain.
    """

    user_agent: str = DEFAULT_UA
    connect_timeout: float = _D.connect_timeout
    read_timeout: float = _D.read_timeout
    total_timeout: float = _D.total_timeout
    max_body_bytes: int = _D.max_body_bytes
    max_decompressed_bytes: int = _D.max_decompressed_bytes
    max_redirects: int = _D.max_redirects
    per_host_concurrency: int = _D.per_host_concurrency
    per_host_delay: float = _D.per_host_delay
    max_retries: int = _D.max_retries
    obey_robots: bool = _D.obey_robots
    robots_max_age: float = _D.robots_max_age
    resolve: str = ""
    resolve_only: bool = _D.resolve_only
    allow_private: bool = _D.allow_private
    schemes: str = "https,http"
    # Hosts fetched at once by a stage run; each host still gets `per_host_concurrency`. Runs wait
    # on round trips far more than on CPU: more hosts in flight is throughput at no cost to a host.
    concurrency: int = 64

    def settings(self) -> HttpSettings:
        shared = {f.name: getattr(self, f.name) for f in dataclasses.fields(HttpSettings)
                  if f.name in type(self).model_fields and f.name != "resolve"}
        return HttpSettings(**shared, resolve=tuple(e.strip() for e in self.resolve.split(",") if e.strip()))

    def scheme_order(self) -> tuple[str, ...]:
        return tuple(s.strip() for s in self.schemes.split(",") if s.strip())

    def client(self, batch=None) -> HttpClient:
        """A client for one run; given the run's `LoadedBatch`, it reuses the robots.txt files
        earlier runs kept and adds the ones it fetches to the batch's results."""
        robots: RobotsCache | None = batch.robots if batch is not None else None
        return HttpClient(self.settings(), robots_cache=robots)
