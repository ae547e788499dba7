"""The HTTP resource: the project's HTTP client configured from Dagster config and env."""


import dagster as dg

from scrapersky_pipelines.lib.http import HttpClient, HttpSettings

DEFAULT_UA = HttpSettings().user_agent


class HttpResource(dg.ConfigurableResource):
    """Timeouts, caps, retries, per-host politeness, robots.txt and the SSRF guard (DESIGN §4).

    `resolve` takes `host:port:address[:connect_port]` entries (env `SCRAPERSKY_RESOLVE`); only the
    addresses named there pass the guard. `schemes` is the order tried for a bare domain.
    """

    user_agent: str = DEFAULT_UA
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    max_body_bytes: int = 5 * 1024 * 1024
    max_decompressed_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    per_host_concurrency: int = 2
    per_host_delay: float = 0.0
    max_retries: int = 2
    obey_robots: bool = True
    resolve: str = ""
    resolve_only: bool = False
    allow_private: bool = False
    schemes: str = "https,http"
    # Hosts fetched at once by a stage run; each host still gets `per_host_concurrency`. Runs wait
    # on round trips far more than on CPU: more hosts in flight is throughput at no cost to a host.
    concurrency: int = 64

    def settings(self) -> HttpSettings:
        return HttpSettings(
            user_agent=self.user_agent,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            total_timeout=self.total_timeout,
            max_body_bytes=self.max_body_bytes,
            max_decompressed_bytes=self.max_decompressed_bytes,
            max_redirects=self.max_redirects,
            per_host_concurrency=self.per_host_concurrency,
            per_host_delay=self.per_host_delay,
            max_retries=self.max_retries,
            obey_robots=self.obey_robots,
            resolve=tuple(e.strip() for e in self.resolve.split(",") if e.strip()),
            resolve_only=self.resolve_only,
            allow_private=self.allow_private,
        )

    def scheme_order(self) -> tuple[str, ...]:
        return tuple(s.strip() for s in self.schemes.split(",") if s.strip())

    def client(self) -> HttpClient:
        return HttpClient(self.settings())
