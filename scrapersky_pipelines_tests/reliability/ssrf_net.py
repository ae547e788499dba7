"""A make-believe Internet for the SSRF scenarios: a scripted DNS and a connector that is a safety net.

Every name the scenarios use resolves through `FakeDns`; public answers are one documentation-free
public address that `SafetyNet` connects to the synthetic web on loopback (reporting the public
address as the peer, as a remote server would). Anything else that reaches the connector is a guard
failure: it is recorded and refused, never connected, so no test can send traffic off the machine.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpcore

from scrapersky_pipelines.lib.http import HttpClient
from scrapersky_pipelines.lib.http_asyncio import AsyncioBackend
from scrapersky_pipelines.lib.netguard import Resolver, UnknownHost
from scrapersky_pipelines.resources.http import HttpResource

PUBLIC = "93.184.216.34"


@dataclass
class FakeDns:
    """Answers per name; a callable answer is asked each time (for rebinding)."""

    answers: dict[str, Sequence[str] | Callable[[], Sequence[str]]] = field(default_factory=dict)
    default: Callable[[str], Sequence[str] | None] = lambda host: None
    calls: list[str] = field(default_factory=list)

    async def lookup(self, host: str, port: int) -> Sequence[str]:
        self.calls.append(host)
        answer = self.answers.get(host)
        if answer is None:
            answer = self.default(host)
        if answer is None:
            raise UnknownHost(host, "not in the scenario's DNS")
        return list(answer() if callable(answer) else answer)


class _PeerAs(httpcore.AsyncNetworkStream):
    """A loopback stream that reports the public address it stands in for as its peer."""

    def __init__(self, inner: httpcore.AsyncNetworkStream, peer: tuple[str, int]) -> None:
        self._inner, self._peer = inner, peer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, *args: typing.Any, **kwargs: typing.Any) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("no TLS in the make-believe Internet")

    def get_extra_info(self, info: str) -> typing.Any:
        return self._peer if info == "server_addr" else self._inner.get_extra_info(info)


@dataclass
class SafetyNet(httpcore.AsyncNetworkBackend):
    """Connects PUBLIC:80 to the synthetic web; refuses and records every other destination."""

    web_port: int
    connects: list[tuple[str, int]] = field(default_factory=list)
    refused: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._inner = AsyncioBackend()  # the client's own default

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None, socket_options: typing.Any = None,
                          ) -> httpcore.AsyncNetworkStream:
        if (host, port) != (PUBLIC, 80):
            self.refused.append((host, port))
            raise httpcore.ConnectError(f"safety net: the guard let {host}:{port} through")
        self.connects.append((host, port))
        stream = await self._inner.connect_tcp("127.0.0.1", self.web_port, timeout, local_address, socket_options)
        return _PeerAs(stream, (host, port))

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: typing.Any = None) -> httpcore.AsyncNetworkStream:
        self.refused.append((path, 0))
        raise httpcore.ConnectError("safety net: no unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


# The resource is rebuilt from its config inside a run, so the scenario's DNS and net live here.
CURRENT: dict[str, typing.Any] = {}


class ScenarioHttp(HttpResource):
    """The product's HTTP resource (every setting, the guard on) with the scenario's DNS and connector."""

    def client(self, batch=None) -> HttpClient:
        settings = self.settings()
        resolver = Resolver(settings.resolve, resolve_only=settings.resolve_only,
                            allow_private=settings.allow_private, lookup=CURRENT["dns"].lookup)
        return HttpClient(settings, resolver=resolver, connector=CURRENT["net"],
                          robots_cache=batch.robots if batch is not None else None)
