"""Tests for the HTTP client against real loopback servers reached through resolve entries.

Every client here uses `LoopbackOnly` as its connector, a safety net that refuses (and records)
any socket to a non-loopback address, so a guard bug can never send traffic off the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import functools
import gzip
import json
import socket
import struct
import time
import typing
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import pytest
from aiohttp import web

from scrapersky_pipelines.lib.http import (
    DEFAULT_USER_AGENT,
    FetchError,
    FetchResult,
    HttpClient,
    HttpSettings,
    parse_retry_after,
)
from scrapersky_pipelines.lib.netguard import Resolver, UnknownHost
from scrapersky_pipelines_tests.support.loopback import LoopbackOnly

BOMB = gzip.compress(b"\0" * (4 * 1024 * 1024), compresslevel=9)
PAGE = "<html><head><title>Café</title></head><body>hello</body></html>"


def asynctest(fn: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    @functools.wraps(fn)
    def wrapper(*args: typing.Any, **kwargs: typing.Any) -> None:
        asyncio.run(fn(*args, **kwargs))

    return wrapper



def settings_for(port: int, **overrides: typing.Any) -> HttpSettings:
    values: dict[str, typing.Any] = dict(
        resolve=(f"site.test:80:127.0.0.1:{port}",),
        resolve_only=True,
        connect_timeout=1.0,
        read_timeout=2.0,
        total_timeout=5.0,
        backoff_base=0.01,
        backoff_max=0.02,
        max_retry_after=0.05,
    )
    values.update(overrides)
    return HttpSettings(**values)


def make_client(settings: HttpSettings, resolver: Resolver | None = None) -> tuple[HttpClient, LoopbackOnly]:
    connector = LoopbackOnly()
    return HttpClient(settings, resolver=resolver, connector=connector), connector


class Site:
    """An aiohttp app with the routes the tests need; counts hits per path."""

    def __init__(self) -> None:
        self.robots: str | int | None = None
        self.hits: Counter[str] = Counter()
        self.user_agents: list[str] = []
        self.scripts: dict[str, list[tuple[int, dict[str, str], str]]] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.pair_seen = asyncio.Event()

    def app(self) -> web.Application:
        @web.middleware
        async def count(request: web.Request, handler: typing.Any) -> web.StreamResponse:
            self.hits[request.path] += 1
            self.user_agents.append(request.headers.get("User-Agent", ""))
            return await handler(request)

        app = web.Application(middlewares=[count])
        r = app.router
        r.add_get("/robots.txt", self.robots_txt)
        r.add_get("/hello", lambda _: web.Response(text=PAGE, content_type="text/html"))
        r.add_get("/headers", lambda req: web.json_response(dict(req.headers)))
        r.add_get("/redirect/{n}", self.redirect_chain)
        r.add_get("/relative", lambda _: web.Response(status=301, headers={"Location": "hello"}))
        r.add_get("/absolute", lambda _: web.Response(status=302, headers={"Location": "http://site.test/hello"}))
        r.add_get("/loop/a", lambda _: web.Response(status=302, headers={"Location": "/loop/b"}))
        r.add_get("/loop/b", lambda _: web.Response(status=307, headers={"Location": "/loop/a#x"}))
        r.add_get("/to", lambda req: web.Response(status=302, headers={"Location": req.query["u"]}))
        r.add_get("/stream/{n}", self.stream)
        r.add_get("/gzip", lambda _: self.encoded(gzip.compress(PAGE.encode()), "gzip"))
        r.add_get("/gzip-members", lambda _: self.encoded(gzip.compress(b"one ") + gzip.compress(b"two"), "gzip"))
        r.add_get("/deflate", lambda _: self.encoded(zlib.compress(PAGE.encode()), "deflate"))
        r.add_get("/deflate-raw", lambda _: self.encoded(_raw_deflate(PAGE.encode()), "deflate"))
        r.add_get("/bad-gzip", lambda _: self.encoded(b"this is not gzip at all", "gzip"))
        r.add_get("/bomb", lambda _: self.encoded(BOMB, "gzip"))
        r.add_get("/script/{name}", self.script)
        r.add_get("/concurrent/{i}", self.concurrent)
        r.add_get("/big-headers", lambda _: web.Response(text="x", headers={"X-Big": "a" * 4000}))
        r.add_get("/{tail:.*}", lambda _: web.Response(text="generic page"))
        return app

    async def robots_txt(self, request: web.Request) -> web.Response:
        if self.robots is None:
            return web.Response(status=404, text="not found")
        if isinstance(self.robots, int):
            return web.Response(status=self.robots, text="error")
        return web.Response(text=self.robots)

    async def redirect_chain(self, request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        if n == 0:
            return web.Response(text="end of chain")
        return web.Response(status=302, headers={"Location": f"/redirect/{n - 1}"})

    async def stream(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(int(request.match_info["n"])):
            await response.write(b"a" * 1000)
        await response.write_eof()
        return response

    @staticmethod
    def encoded(body: bytes, encoding: str) -> web.Response:
        return web.Response(body=body, headers={"Content-Encoding": encoding, "Content-Type": "text/html"})

    async def script(self, request: web.Request) -> web.Response:
        steps = self.scripts[request.match_info["name"]]
        status, headers, body = steps.pop(0) if len(steps) > 1 else steps[0]
        return web.Response(status=status, headers=headers, text=body)

    async def concurrent(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        if self.in_flight >= 2:
            self.pair_seen.set()
        try:
            # Hold until a second request is in flight too, so the maximum is deterministic.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.pair_seen.wait(), 1.0)
            await asyncio.sleep(0.02)
        finally:
            self.in_flight -= 1
        return web.Response(text="ok")


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@contextlib.asynccontextmanager
async def serve(site: Site) -> AsyncIterator[int]:
    runner = web.AppRunner(site.app(), access_log=None)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    try:
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def raw_serve(handler: RawHandler) -> AsyncIterator[int]:
    """A bare asyncio server for responses no real server would send."""
    writers: list[asyncio.StreamWriter] = []

    async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, OSError):
            await handler(reader, writer)

    server = await asyncio.start_server(wrapped, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for writer in writers:
            writer.transport.abort()
        await server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


async def expect_error(client: HttpClient, url: str, kind: str, **kwargs: typing.Any) -> FetchError:
    with pytest.raises(FetchError) as info:
        await client.fetch(url, **kwargs)
    assert info.value.kind == kind, str(info.value)
    assert str(info.value) == f"{info.value.kind}: {info.value.message}"
    return info.value


# -- success and basics -----------------------------------------------------------------------


@asynctest
async def test_success_decodes_and_sends_user_agent() -> None:
    site = Site()
    async with serve(site) as port:
        client, connector = make_client(settings_for(port))
        async with client:
            result = await client.fetch("http://site.test/hello")
    assert result.status == 200 and result.ok
    assert result.url == result.final_url == "http://site.test/hello"
    assert result.redirects == [] and result.attempts == 1 and not result.truncated
    assert result.content_type == "text/html"
    assert result.charset == "utf-8"
    assert result.text == PAGE
    assert result.headers["CONTENT-TYPE"].startswith("text/html")
    assert result.elapsed > 0
    assert site.hits["/robots.txt"] == 1
    assert site.user_agents == [DEFAULT_USER_AGENT, DEFAULT_USER_AGENT]
    assert {host for host, _ in connector.connects} == {"127.0.0.1"}


@asynctest
async def test_custom_headers_pass_but_user_agent_is_fixed() -> None:
    site = Site()
    async with serve(site) as port:
        async with make_client(settings_for(port, user_agent="TestBot/9 (+mailto:t@x.test)"))[0] as client:
            result = await client.fetch(
                "http://site.test/headers", headers={"X-Probe": "1", "User-Agent": "spoof"}
            )
    seen = json.loads(result.text)
    assert seen["X-Probe"] == "1"
    assert seen["User-Agent"] == "TestBot/9 (+mailto:t@x.test)"
    assert seen["Host"] == "site.test"
    assert seen["Accept-Encoding"] == "gzip, deflate"
    assert "Cookie" not in seen


@asynctest
async def test_invalid_and_unknown_urls() -> None:
    async with make_client(settings_for(1))[0] as client:
        for url in ("ftp://site.test/x", "http://", "not a url", "mailto:a@b.test"):
            await expect_error(client, url, "invalid_url")
        await expect_error(client, "http://nowhere.test/", "unknown_host")
        await expect_error(client, "https://site.test/", "unknown_host")  # entry is for port 80 only


# -- redirects --------------------------------------------------------------------------------


@asynctest
async def test_redirects_relative_absolute_and_chain() -> None:
    site = Site()
    async with serve(site) as port:
        async with make_client(settings_for(port))[0] as client:
            relative = await client.fetch("http://site.test/relative")
            absolute = await client.fetch("http://site.test/absolute")
            chain = await client.fetch("http://site.test/redirect/3")
    assert relative.final_url == "http://site.test/hello" and relative.text == PAGE
    assert relative.redirects == ["http://site.test/relative"]
    assert absolute.final_url == "http://site.test/hello"
    assert chain.status == 200 and chain.text == "end of chain"
    assert chain.redirects == [f"http://site.test/redirect/{n}" for n in (3, 2, 1)]
    assert chain.url == "http://site.test/redirect/3"
    assert chain.final_url == "http://site.test/redirect/0"


@asynctest
async def test_redirect_loop_and_too_many() -> None:
    site = Site()
    async with serve(site) as port:
        async with make_client(settings_for(port, max_redirects=2))[0] as client:
            await expect_error(client, "http://site.test/loop/a", "redirect_loop")
            error = await expect_error(client, "http://site.test/redirect/3", "too_many_redirects")
            assert "2 redirects" in error.message
            ok = await client.fetch("http://site.test/redirect/2")
    assert ok.status == 200 and len(ok.redirects) == 2
    assert site.hits["/redirect/0"] == 1  # the over-long chain was cut before its end


@asynctest
async def test_redirect_to_private_name_and_ip_literals_refused() -> None:
    site = Site()

    async def fake_dns(host: str, port: int) -> Sequence[str]:
        answers = {"internal.test": ["10.0.0.7"], "metadata.test": ["169.254.169.254"]}
        if host not in answers:
            raise UnknownHost(host, "not in fake DNS")
        return answers[host]

    async with serve(site) as port:
        settings = settings_for(port, resolve_only=False)
        resolver = Resolver(settings.resolve, lookup=fake_dns)
        client, connector = make_client(settings, resolver)
        async with client:
            targets = [
                "http://internal.test/", "http://metadata.test/latest/meta-data/",
                f"http://127.0.0.1:{port}/hello",  # the server really is there: still refused
                f"http://2130706433:{port}/hello", f"http://[::1]:{port}/hello",
            ]
            for target in targets:
                for obey in (True, False):
                    await expect_error(
                        client, f"http://site.test/to?u={target}", "blocked_address", obey_robots=obey
                    )
    assert site.hits["/hello"] == 0
    assert {host for host, _ in connector.connects} == {"127.0.0.1"}


# -- SSRF refusals ----------------------------------------------------------------------------

BLOCKED_ANSWERS = [
    "127.0.0.1", "127.9.9.9", "::1", "10.0.0.1", "10.255.0.3", "172.16.0.1", "172.31.255.254",
    "192.168.0.1", "192.168.255.1", "169.254.169.254", "0.0.0.0", "::", "::ffff:127.0.0.1",
    "::ffff:10.0.0.1", "100.64.0.1", "fc00::1", "fe80::1", "224.0.0.1", "255.255.255.255",
]


@pytest.mark.parametrize("address", BLOCKED_ANSWERS)
@asynctest
async def test_names_resolving_to_non_public_addresses_are_refused(address: str) -> None:
    async def fake_dns(host: str, port: int) -> Sequence[str]:
        return [address]

    settings = HttpSettings(connect_timeout=1, read_timeout=1, total_timeout=3, max_retries=0)
    client, connector = make_client(settings, Resolver(lookup=fake_dns))
    async with client:
        error = await expect_error(client, "http://target.test/", "blocked_address")
    assert "target.test" in error.message
    assert connector.connects == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/", "http://127.0.0.2:8080/", "http://[::1]/", "http://10.0.0.1/",
        "http://172.16.0.1/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:a9fe:a9fe]/",
        "http://2130706433/", "http://0177.0.0.1/", "http://0x7f000001/", "http://0x7f.0.0.1/",
        "http://127.1/", "http://[fd00::1]/", "https://10.1.1.1/",
    ],
)
@asynctest
async def test_ip_literal_urls_are_refused(url: str) -> None:
    client, connector = make_client(HttpSettings(total_timeout=3, max_retries=0))
    async with client:
        await expect_error(client, url, "blocked_address")
    assert connector.connects == []


@asynctest
async def test_allow_private_disables_the_guard() -> None:
    site = Site()
    async with serve(site) as port:
        async with make_client(HttpSettings(allow_private=True, total_timeout=3))[0] as client:
            result = await client.fetch(f"http://127.0.0.1:{port}/hello")
    assert result.status == 200


# -- size caps --------------------------------------------------------------------------------


@asynctest
async def test_body_cap_streaming_and_truncation() -> None:
    site = Site()
    async with serve(site) as port:
        async with make_client(settings_for(port, max_body_bytes=2500))[0] as client:
            await expect_error(client, "http://site.test/stream/10", "too_large")
            cut = await client.fetch("http://site.test/stream/10", allow_truncated=True)
            small = await client.fetch("http://site.test/stream/2")
            per_call = await client.fetch("http://site.test/stream/10", max_bytes=20_000)
            await expect_error(client, "http://site.test/stream/10", "too_large", max_bytes=500)
    assert cut.truncated and cut.content == b"a" * 2500 and cut.status == 200
    assert not small.truncated and len(small.content) == 2000
    assert len(per_call.content) == 10_000


@asynctest
async def test_sink_streams_2xx_bodies_and_keeps_the_caps() -> None:
    site = Site()
    site.scripts["gone"] = [(404, {}, "gone")]
    opened: list[str | None] = []
    received: list[bytes] = []

    async def slow_consumer(chunk: bytes) -> None:
        received.append(chunk)
        await asyncio.sleep(0)

    def sink(headers):
        opened.append(headers.get("content-type"))
        return received.append if len(opened) % 2 else slow_consumer

    async with serve(site) as port:
        async with make_client(settings_for(port, max_decompressed_bytes=256 * 1024))[0] as client:
            streamed = await client.fetch("http://site.test/stream/10", sink=sink)
            gz = await client.fetch("http://site.test/gzip", sink=sink)
            missing = await client.fetch("http://site.test/script/gone", sink=sink)
            await expect_error(client, "http://site.test/bomb", "decompression_bomb", sink=sink)
    assert streamed.content == b"" and streamed.size == streamed.body_bytes == 10_000
    assert b"".join(received).startswith(b"a" * 10_000)
    assert PAGE.encode() in b"".join(received) and gz.size == len(PAGE.encode())
    assert missing.status == 404 and missing.body_bytes is None  # non-2xx bodies stay buffered
    assert len(opened) == 3


@asynctest
async def test_content_encodings_are_decoded() -> None:
    site = Site()
    async with serve(site) as port:
        async with make_client(settings_for(port))[0] as client:
            for path in ("/gzip", "/deflate", "/deflate-raw"):
                result = await client.fetch(f"http://site.test{path}")
                assert result.text == PAGE, path
            members = await client.fetch("http://site.test/gzip-members")
            await expect_error(client, "http://site.test/bad-gzip", "protocol")
    assert members.content == b"one two"


@asynctest
async def test_gzip_bomb_hits_decompressed_cap() -> None:
    site = Site()
    cap = 256 * 1024
    async with serve(site) as port:
        async with make_client(settings_for(port, max_decompressed_bytes=cap))[0] as client:
            error = await expect_error(client, "http://site.test/bomb", "decompression_bomb")
            cut = await client.fetch("http://site.test/bomb", allow_truncated=True)
    assert str(cap) in error.message
    assert cut.truncated and cut.content == b"\0" * cap
    assert len(BOMB) < cap  # the wire cap alone would not have caught it


@asynctest
async def test_content_length_over_cap_fails_fast() -> None:
    async def huge(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\nx")
        await writer.drain()
        await asyncio.sleep(30)  # never sends the rest: only a fast failure passes

    async with raw_serve(huge) as port:
        async with make_client(settings_for(port, obey_robots=False, total_timeout=3))[0] as client:
            error = await expect_error(client, "http://site.test/", "too_large")
    assert "Content-Length" in error.message


@asynctest
async def test_content_length_lies() -> None:
    requests = Counter[str]()

    async def liar(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await read_request(reader)
        path = head.split(b" ")[1].decode()
        requests[path] += 1
        if path == "/short":  # promises 100 bytes, sends 10 and hangs up
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
        else:  # promises 5 bytes, sends more
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello world")
        await writer.drain()
        writer.close()

    async with raw_serve(liar) as port:
        async with make_client(settings_for(port, obey_robots=False))[0] as client:
            await expect_error(client, "http://site.test/short", "protocol")
            long = await client.fetch("http://site.test/long")
    assert requests["/short"] == 3  # retried: a cut-off body is a transient failure
    assert long.content == b"hello"


@asynctest
async def test_header_size_cap() -> None:
    site = Site()
    async with serve(site) as port:
        async with make_client(settings_for(port, max_header_bytes=1024))[0] as client:
            error = await expect_error(client, "http://site.test/big-headers", "protocol")
            small = await client.fetch("http://site.test/hello")
    assert "headers" in error.message
    assert small.ok


# -- timeouts and retries ---------------------------------------------------------------------


@asynctest
async def test_slow_drip_body_hits_total_timeout() -> None:
    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        while not writer.is_closing():
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(0.05)  # each byte beats the read timeout

    async with raw_serve(drip) as port:
        settings = settings_for(port, obey_robots=False, read_timeout=2.0, total_timeout=0.5)
        async with make_client(settings)[0] as client:
            error = await expect_error(client, "http://site.test/", "timeout")
    assert "total timeout" in error.message


@asynctest
async def test_retry_after_then_success() -> None:
    site = Site()
    past = email.utils.formatdate(time.time() - 60, usegmt=True)
    site.scripts["429"] = [(429, {"Retry-After": "0"}, "slow down"), (200, {}, "fine")]
    site.scripts["503"] = [(503, {"Retry-After": past}, "busy"), (503, {"Retry-After": "2"}, "busy"),
                           (200, {}, "fine")]
    async with serve(site) as port:
        async with make_client(settings_for(port))[0] as client:
            first = await client.fetch("http://site.test/script/429")
            second = await client.fetch("http://site.test/script/503")
    assert (first.status, first.text, first.attempts) == (200, "fine", 2)
    assert (second.status, second.text, second.attempts) == (200, "fine", 3)
    assert site.hits["/script/429"] == 2 and site.hits["/script/503"] == 3


@asynctest
async def test_retries_exhausted_returns_last_status() -> None:
    site = Site()
    site.scripts["500"] = [(500, {}, "boom")]
    site.scripts["404"] = [(404, {}, "gone")]
    async with serve(site) as port:
        async with make_client(settings_for(port, max_retries=2))[0] as client:
            failed = await client.fetch("http://site.test/script/500")
            missing = await client.fetch("http://site.test/script/404")
    assert (failed.status, failed.attempts, failed.text, failed.ok) == (500, 3, "boom", False)
    assert site.hits["/script/500"] == 3
    assert (missing.status, missing.attempts) == (404, 1)
    assert site.hits["/script/404"] == 1
    with pytest.raises(FetchError) as info:
        failed.raise_for_status()
    assert info.value.kind == "http_status" and info.value.status == 500


@asynctest
async def test_retry_after_past_the_deadline_returns_now() -> None:
    site = Site()
    site.scripts["late"] = [(503, {"Retry-After": "30"}, "come back later"), (200, {}, "fine")]
    async with serve(site) as port:
        settings = settings_for(port, max_retry_after=60.0, total_timeout=2.0)
        async with make_client(settings)[0] as client:
            result = await client.fetch("http://site.test/script/late")
    assert (result.status, result.attempts, result.text) == (503, 1, "come back later")


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


@asynctest
async def test_connection_reset_is_retried() -> None:
    seen = Counter[str]()

    async def flaky(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await read_request(reader)
        path = head.split(b" ")[1].decode()
        seen[path] += 1
        if path == "/always" or seen[path] <= 2:
            _reset(writer)
            return
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    async with raw_serve(flaky) as port:
        async with make_client(settings_for(port, obey_robots=False, max_retries=2))[0] as client:
            result = await client.fetch("http://site.test/twice")
            error = await expect_error(client, "http://site.test/always", "connect")
    assert (result.status, result.content, result.attempts) == (200, b"ok", 3)
    assert seen["/always"] == 3 and error.attempts == 3


@asynctest
async def test_connection_refused_is_a_connect_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    async with make_client(settings_for(port, obey_robots=False, max_retries=1))[0] as client:
        error = await expect_error(client, "http://site.test/", "connect")
    assert error.attempts == 2
    # Obeying robots.txt, an origin nobody listens on is still a connect error (not "disallowed"),
    # so callers can fall back to another scheme.
    async with make_client(settings_for(port, obey_robots=True, max_retries=0))[0] as client:
        await expect_error(client, "http://site.test/", "connect")
        await expect_error(client, "http://site.test/other", "connect")


# -- robots.txt -------------------------------------------------------------------------------


@asynctest
async def test_robots_disallow_and_overrides() -> None:
    site = Site()
    site.robots = "User-agent: *\nDisallow: /private\nDisallow: /\nAllow: /$\nAllow: /hello\n" \
                  "Sitemap: /sitemap.xml\n"
    async with serve(site) as port:
        async with make_client(settings_for(port))[0] as client:
            error = await expect_error(client, "http://site.test/private/page", "robots_disallowed")
            await expect_error(client, "http://site.test/other", "robots_disallowed")
            assert (await client.fetch("http://site.test/hello")).ok
            assert (await client.fetch("http://site.test/")).ok
            robots = await client.fetch("http://site.test/robots.txt")
            forced = await client.fetch("http://site.test/private/page", obey_robots=False)
            # A redirect into a disallowed path is checked at the hop.
            await expect_error(client, "http://site.test/to?u=/private/x", "robots_disallowed")
            policy = await client.robots("http://site.test/anything")
    assert "robots.txt" in error.message
    assert robots.ok and "Disallow" in robots.text
    assert forced.ok
    assert policy.sitemaps == ["http://site.test/sitemap.xml"]
    assert site.hits["/robots.txt"] == 2  # once for the policy (cached), once fetched as a page
    assert site.hits["/private/page"] == 1 and site.hits["/other"] == 0


@asynctest
async def test_robots_settings_default_off() -> None:
    site = Site()
    site.robots = "User-agent: *\nDisallow: /"
    async with serve(site) as port:
        async with make_client(settings_for(port, obey_robots=False))[0] as client:
            assert (await client.fetch("http://site.test/hello")).ok
            await expect_error(client, "http://site.test/hello", "robots_disallowed", obey_robots=True)
    assert site.hits["/robots.txt"] == 1


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (403, True), (500, False), (503, False)])
@asynctest
async def test_robots_status_semantics(status: int, allowed: bool) -> None:
    site = Site()
    site.robots = status
    async with serve(site) as port:
        async with make_client(settings_for(port, max_retries=0))[0] as client:
            if allowed:
                assert (await client.fetch("http://site.test/hello")).ok
            else:
                error = await expect_error(client, "http://site.test/hello", "robots_disallowed")
                assert str(status) in error.message
            # The robots.txt request itself is never blocked by robots.
            assert (await client.fetch("http://site.test/robots.txt")).status == status


@asynctest
async def test_robots_fetched_once_under_concurrency_and_crawl_delay_capped() -> None:
    site = Site()
    site.robots = "User-agent: scrapersky-pipelines\nCrawl-delay: 50\nDisallow: /nothing\n"
    async with serve(site) as port:
        async with make_client(settings_for(port, per_host_concurrency=4))[0] as client:
            results = await asyncio.gather(
                *(client.robots(f"http://site.test/p{i}") for i in range(5))
            )
            assert client.host_delay("site.test") == 10.0
    assert site.hits["/robots.txt"] == 1
    assert all(policy is results[0] for policy in results)


# -- politeness -------------------------------------------------------------------------------


@asynctest
async def test_per_host_concurrency_bound() -> None:
    site = Site()
    async with serve(site) as port:
        async with make_client(settings_for(port, per_host_concurrency=2, obey_robots=False))[0] as client:
            results = await asyncio.gather(
                *(client.fetch(f"http://site.test/concurrent/{i}") for i in range(6))
            )
    assert all(result.ok for result in results)
    assert site.max_in_flight == 2


@asynctest
async def test_waiting_for_a_hosts_turn_does_not_use_up_the_budget() -> None:
    site = Site()
    site.robots = "User-agent: *\nCrawl-delay: 0.3\n"
    async with serve(site) as port:
        settings = settings_for(port, per_host_concurrency=1, total_timeout=0.5, max_retry_after=1.0)
        async with make_client(settings)[0] as client:
            # Six fetches 0.3 s apart take ~1.5 s in all, each far under its own 0.5 s once its turn comes.
            results = await asyncio.gather(*(client.fetch(f"http://site.test/hello?{i}") for i in range(6)))
    assert all(result.ok for result in results)


@asynctest
async def test_without_the_bound_the_server_sees_more() -> None:
    site = Site()
    async with serve(site) as port:
        async with make_client(settings_for(port, per_host_concurrency=6, obey_robots=False))[0] as client:
            await asyncio.gather(*(client.fetch(f"http://site.test/concurrent/{i}") for i in range(6)))
    assert site.max_in_flight > 2


# -- pure helpers -----------------------------------------------------------------------------


def test_parse_retry_after() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30.0)
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0
    for junk in (None, "", "soon", "-5", "1.5e3"):
        assert parse_retry_after(junk) is None


def _result(content: bytes, content_type: str | None) -> FetchResult:
    headers = {"content-type": content_type} if content_type else {}
    return FetchResult(url="http://a.test/", final_url="http://a.test/", status=200,
                       headers=headers, content=content)


def test_text_decoding_order() -> None:
    latin = "Café".encode("latin-1")
    assert _result(latin, "text/html; charset=ISO-8859-1").text == "Café"
    assert _result(latin, "text/html; charset=ISO-8859-1").charset == "cp1252"
    assert _result("Café".encode("utf-16"), "text/html").text == "Café"
    assert _result(b"\xef\xbb\xbfCaf\xc3\xa9", "text/html; charset=utf-8").text == "Café"
    meta = b'<html><head><meta charset="windows-1252"></head>Caf\xe9'
    assert _result(meta, "text/html").text.endswith("Café")
    http_equiv = b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">Caf\xe9'
    assert _result(http_equiv, None).text.endswith("Café")
    xml = b'<?xml version="1.0" encoding="ISO-8859-1"?><a>Caf\xe9</a>'
    assert _result(xml, "application/xml").text.endswith("Café</a>")
    assert _result(b"Caf\xc3\xa9 \xff", "text/plain; charset=bogus").text == "Café \ufffd"
    assert _result(b"x", None).content_type is None
    assert _result(b"x", "Text/HTML ; charset=utf-8").content_type == "text/html"


def test_settings_validation() -> None:
    with pytest.raises(ValueError):
        HttpSettings(total_timeout=0)
    with pytest.raises(ValueError):
        HttpSettings(per_host_concurrency=0)
    assert HttpSettings(resolve=["a.test:80:127.0.0.1"]).resolve == ("a.test:80:127.0.0.1",)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        HttpClient(HttpSettings(resolve=("a.test:80:nope",)))
