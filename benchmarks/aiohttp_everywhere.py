"""pytest plugin: every `HttpClient` the tests build uses the aiohttp transport.

The adoption check for `lib/http_aiohttp.py`: the existing HTTP tests must pass unchanged with it.

    .venv/bin/python -m pytest -p benchmarks.aiohttp_everywhere -n 0 \
        scrapersky_pipelines_tests/lib scrapersky_pipelines_tests/resources
"""

from scrapersky_pipelines.lib import http
from scrapersky_pipelines.lib.http_aiohttp import use_aiohttp

_shipped_init = http.HttpClient.__init__


def _init_with_aiohttp(self: http.HttpClient, *args: object, **kwargs: object) -> None:
    _shipped_init(self, *args, **kwargs)  # type: ignore[arg-type]
    use_aiohttp(self)


http.HttpClient.__init__ = _init_with_aiohttp  # type: ignore[method-assign]
