"""An aiohttp-backed httpx transport for `HttpClient`: same guard, caps and retries, less CPU.

`HttpClient` keeps all the behaviour (redirects, robots.txt, retries, per-host politeness, body
and header caps, decoding); a transport only moves one request and streams the raw response
back. This one hands the exchange to aiohttp (C HTTP parser, cheaper per request than
httpcore on anyio) and keeps the network guard where it was:

- names are resolved only through `netguard.Resolver` (an aiohttp resolver that wraps it; the
  DNS cache is off so every new connection is checked), so a socket opens only to an address
  the guard approved, including the pinned `SCRAPERSKY_RESOLVE` entries and their connect ports;
- IP-literal hosts, which aiohttp would connect to without asking a resolver, go through the
  same `Resolver` here and are rewritten to the address and port it approves (the Host header
  and TLS SNI keep the original name);
- no proxies from the environment, no cookies, no redirects, no automatic decompression (the
  client decodes with its own output caps), no retries (the client owns them);
- aiohttp's own header limits are raised to the client's `max_header_bytes`, which the client
  enforces itself.

Errors come back as the httpx exceptions `HttpClient` classifies, so fetch outcomes match the
default transport. Use `aiohttp_http_client(settings)` (or `use_aiohttp(client)`).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import typing
from collections.abc import AsyncIterator

import aiohttp
import httpx
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from scrapersky_pipelines.lib.http import HttpClient, HttpSettings
from scrapersky_pipelines.lib.netguard import AddressBlocked, Resolver, UnknownHost, parse_host_literal

__all__ = ["GuardedAiohttpTransport", "GuardResolver", "aiohttp_http_client", "use_aiohttp"]

_READ_CHUNK = 64 * 1024


class GuardResolver(AbstractResolver):
    """aiohttp resolver that answers only with addresses `netguard.Resolver` approves."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        targets = await self.resolver.resolve(host, port)
        return [
            {
                "hostname": host,
                "host": address,
                "port": connect_port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address, connect_port in targets
        ]

    async def close(self) -> None:
        return None


class _Body(httpx.AsyncByteStream):
    """The raw (still content-encoded) response body, with aiohttp errors turned into httpx ones."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_chunked(_READ_CHUNK):
                yield chunk
        except BaseException as exc:
            raise _as_httpx(exc, reading=True) from None

    async def aclose(self) -> None:
        # A body left unread (cap reached, redirect) must not go back to the pool half-read.
        if self._response.content.at_eof():
            self._response.release()
        else:
            self._response.close()


class GuardedAiohttpTransport(httpx.AsyncBaseTransport):
    """httpx transport over one aiohttp session whose connector resolves through the guard."""

    def __init__(self, resolver: Resolver, settings: HttpSettings = HttpSettings()) -> None:
        self.resolver = resolver
        self.settings = settings
        self._session: aiohttp.ClientSession | None = None
        self._ssl = ssl.create_default_context()

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                resolver=GuardResolver(self.resolver),
                use_dns_cache=False,
                limit=self.settings.max_connections,
                limit_per_host=0,
                keepalive_timeout=5.0,
                ssl=self._ssl,
            )
            header_cap = max(self.settings.max_header_bytes, 8190)
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                trust_env=False,
                timeout=aiohttp.ClientTimeout(total=None),
                max_line_size=header_cap,
                max_field_size=header_cap,
                max_headers=1024,
                skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent", "Content-Type"),
            )
        return self._session

    async def _target(self, url: httpx.URL) -> tuple[URL, str | None]:
        """The URL aiohttp connects to, and the TLS server name when it differs from the URL."""
        if parse_host_literal(url.host) is None:
            return URL(str(url), encoded=True), None
        # aiohttp connects to IP literals without asking its resolver: ask the guard here.
        port = url.port or (443 if url.scheme == "https" else 80)
        address, connect_port = (await self.resolver.resolve(url.host, port))[0]
        host = f"[{address}]" if ":" in address else address
        target = URL(f"{url.scheme}://{host}:{connect_port}{url.raw_path.decode('ascii')}", encoded=True)
        return target, (url.host if url.scheme == "https" else None)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._open()
        timeouts = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=timeouts.get("pool"),
            sock_connect=timeouts.get("connect"),
            sock_read=timeouts.get("read"),
        )
        target, server_name = await self._target(request.url)
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        body = request.content if request.method not in ("GET", "HEAD") else None
        extra: dict[str, typing.Any] = {"server_hostname": server_name} if server_name else {}
        try:
            response = await session.request(
                request.method, target, headers=headers, data=body, allow_redirects=False,
                timeout=timeout, proxy=None, **extra,
            )
        except (AddressBlocked, UnknownHost):
            raise
        except BaseException as exc:
            raise _as_httpx(exc, reading=False) from None
        return httpx.Response(
            status_code=response.status,
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers],
            stream=_Body(response),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": (response.reason or "").encode("latin-1")},
            request=request,
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _as_httpx(exc: BaseException, *, reading: bool) -> BaseException:
    """The httpx exception `HttpClient` expects for an aiohttp failure (others pass unchanged)."""
    if isinstance(exc, (AddressBlocked, UnknownHost, httpx.HTTPError, asyncio.CancelledError)):
        return exc
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(text)
    if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        return httpx.ReadTimeout(text) if reading else httpx.ConnectTimeout(text)
    if isinstance(exc, aiohttp.ClientPayloadError) and _caused_by_os_error(exc):
        return httpx.ReadError(text)  # a reset mid-body: httpcore reports a read error
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientResponseError)):
        return httpx.RemoteProtocolError(text)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(text)
    if isinstance(exc, (aiohttp.ClientOSError, aiohttp.ClientConnectionError, OSError)):
        return httpx.ReadError(text) if reading else httpx.ConnectError(text)
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(text)
    if isinstance(exc, aiohttp.ClientError):
        return httpx.RemoteProtocolError(text)
    return exc


def _caused_by_os_error(exc: BaseException) -> bool:
    """Whether a payload error came from the socket (aiohttp names the OSError only in the text)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) or "ConnectionResetError" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def use_aiohttp(client: HttpClient) -> HttpClient:
    """Swap `client`'s transport for the aiohttp one (same resolver, same settings).

    Interim: `lib/http.py` builds its transport internally, so this replaces the httpx client's
    transport in place (httpx 0.28 keeps it in `_transport`). Call before the first fetch.
    """
    inner = client._client  # noqa: SLF001
    if not isinstance(getattr(inner, "_transport", None), httpx.AsyncBaseTransport):
        raise RuntimeError("unsupported httpx version: cannot install the aiohttp transport")
    inner._transport = GuardedAiohttpTransport(client.resolver, client.settings)  # noqa: SLF001
    return client


def aiohttp_http_client(settings: HttpSettings = HttpSettings(), *, resolver: Resolver | None = None) -> HttpClient:
    """An `HttpClient` whose requests go through aiohttp."""
    return use_aiohttp(HttpClient(settings, resolver=resolver))
