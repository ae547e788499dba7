"""HTTPS through the client's own asyncio network backend, against a real TLS server on loopback
(a throwaway CA from trustme): handshake, certificate checks, keep-alive and handshake timeouts."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator

import pytest
import trustme
from aiohttp import web

from scrapersky_pipelines.lib import http as http_module
from scrapersky_pipelines.lib.http import FetchError, HttpClient
from scrapersky_pipelines_tests.lib.test_http import PAGE, Site, asynctest, settings_for
from scrapersky_pipelines_tests.support.loopback import LoopbackOnly

CA = trustme.CA()


@pytest.fixture(autouse=True)
def trust_the_test_ca(monkeypatch):
    def context() -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        CA.configure_trust(ctx)
        return ctx

    monkeypatch.setattr(http_module, "_ssl_context", context)


@contextlib.asynccontextmanager
async def serve_tls(site: Site, name: str = "site.test") -> AsyncIterator[int]:
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    CA.issue_cert(name).configure_cert(server_ctx)
    runner = web.AppRunner(site.app(), access_log=None)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ctx)
    await tcp.start()
    try:
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


def tls_client(port: int, **settings) -> tuple[HttpClient, LoopbackOnly]:
    net = LoopbackOnly()
    values = dict(resolve=(f"site.test:443:127.0.0.1:{port}",), **settings)
    return HttpClient(settings_for(port, **values), connector=net), net


@asynctest
async def test_https_page_and_robots_over_one_kept_alive_connection() -> None:
    site = Site()
    site.robots = "User-agent: *\nDisallow: /private\n"
    async with serve_tls(site) as port:
        client, net = tls_client(port)
        async with client:
            first = await client.fetch("https://site.test/hello")
            second = await client.fetch("https://site.test/hello")
            with pytest.raises(FetchError) as info:
                await client.fetch("https://site.test/private/x")
    assert first.status == second.status == 200 and first.text == PAGE
    assert first.final_url == "https://site.test/hello"
    assert info.value.kind == "robots_disallowed"
    assert site.hits["/robots.txt"] == 1 and site.hits["/hello"] == 2
    assert len(net.connects) == 1  # robots.txt and both pages on one TLS connection


@asynctest
async def test_a_certificate_for_another_name_is_a_connect_error() -> None:
    site = Site()
    async with serve_tls(site, name="other.test") as port:
        client, _ = tls_client(port, obey_robots=False, max_retries=0)
        async with client:
            with pytest.raises(FetchError) as info:
                await client.fetch("https://site.test/hello")
    assert info.value.kind == "connect"
    assert "certificate" in info.value.message.lower()
    assert site.hits["/hello"] == 0


@asynctest
async def test_a_server_that_never_answers_the_handshake_times_out() -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)  # keeps the TCP connection open and says nothing

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        client, _ = tls_client(port, obey_robots=False, max_retries=0, connect_timeout=0.3, total_timeout=3.0)
        async with client:
            with pytest.raises(FetchError) as info:
                await client.fetch("https://site.test/hello")
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()
    assert info.value.kind == "timeout", info.value
    assert "total timeout" not in info.value.message  # the handshake's own timeout, not the fetch's
