"""A network backend for test clients that opens real sockets, but only to loopback addresses.

A safety net under the SSRF guard: a guard bug can never send a test's traffic off the machine.
"""

from __future__ import annotations

import ipaddress
import typing

import httpcore

from scrapersky_pipelines.lib.http_asyncio import AsyncioBackend


class LoopbackOnly(httpcore.AsyncNetworkBackend):
    """Opens real sockets, but only to loopback; records every attempt."""

    def __init__(self) -> None:
        self.inner = AsyncioBackend()  # the client's own default backend, so the tests cover it
        self.connects: list[tuple[str, int]] = []

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None,
        local_address: str | None = None, socket_options: typing.Any = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connects.append((host, port))
        if not ipaddress.ip_address(host).is_loopback:
            raise httpcore.ConnectError(f"test harness refused non-loopback {host}")
        return await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: typing.Any = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("no unix sockets in tests")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
