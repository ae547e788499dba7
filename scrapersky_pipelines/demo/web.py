"""The synthetic web: one loopback HTTP/1.1 server that serves every generated site by Host header.

Clients map names to it with resolve entries (``*.com:80:127.0.0.1:<port>``) and fetch plain
``http://<domain>/`` URLs. Healthy ``<brand>-<trade>-NNNN.com`` sites come from `sites.py`
(generated on demand, LRU-cached), including their ``www.`` and ``cdn.`` hosts and the sitemaps
that must arrive throttled (429 + Retry-After on every other request), dripped or oversized;
``broken-<kind>-NN.com`` hosts follow `hostile.py` plans. The server is raw asyncio on its own
thread rather than a framework because hostile plans need byte-level control (lying lengths,
resets, dripping, oversized headers).

    python -m scrapersky_pipelines.demo.web --port 8088 --seed 0
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import http
import ipaddress
import signal
import socket
import struct
import sys
import threading
from collections import OrderedDict, deque
from collections.abc import Iterable, Sequence
from functools import lru_cache
from types import TracebackType
from typing import NamedTuple

from scrapersky_pipelines.demo import sites
from scrapersky_pipelines.demo.hostile import HostileSettings, Plan, plan_for

__all__ = ["LogEntry", "SyntheticWeb", "main"]

_MAX_HEAD = 64 * 1024
_MAX_REQUEST_BODY = 1024 * 1024
_WRITE_PIECE = 64 * 1024
_GZIP_TYPES = ("text/html", "text/plain", "text/xml", "application/xml", "text/css")
_SLOW_PIECES = 4  # a "slow" sitemap arrives in this many pieces, drip_interval apart


class LogEntry(NamedTuple):
    """One answered request: Host (lower-case, no port), path with query, status sent."""

    host: str
    path: str
    status: int


class _Request(NamedTuple):
    method: str
    target: str
    version: str
    headers: dict[str, str]


@lru_cache(maxsize=2048)
def _gzipped(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=6, mtime=0)


def _accepts_gzip(value: str) -> bool:
    for token in value.lower().split(","):
        name, _, params = token.strip().partition(";")
        if name.strip() in ("gzip", "*") and params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            return True
    return False


def _split_host(value: str) -> str:
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _parse_head(head: bytes) -> _Request | None:
    try:
        text = head.decode("latin-1")
        lines = text.split("\r\n")
        method, target, version = lines[0].split(" ")
    except ValueError:
        return None
    if not version.startswith("HTTP/1."):
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            return None
        headers[name.strip().lower()] = value.strip()
    return _Request(method, target, version, headers)


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class SyntheticWeb:
    """Serves the synthetic web on a background thread with its own event loop.

    `slow_seconds` is how long "timeout" hosts wait and slow-drip hosts drip; `drip_interval` the
    gap between the pieces of dripped bodies (slow-drip hosts, "slow" sitemaps); `retry_after`
    the Retry-After of 429/503 hosts and throttled sitemaps. `site_cache_size` generated sites
    stay cached (LRU). `request_log` holds the last `log_size` requests.
    """

    def __init__(
        self,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        slow_seconds: float = 30.0,
        *,
        drip_interval: float = 0.25,
        retry_after: int = 1,
        site_cache_size: int = 1024,
        log_size: int = 10_000,
    ) -> None:
        self.seed = seed
        self.host = host
        self.slow_seconds = slow_seconds
        self._requested_port = port
        self._port = port
        self._settings = HostileSettings(slow_seconds=slow_seconds, drip_interval=drip_interval,
                                         retry_after=retry_after)
        self._site_cache_size = site_cache_size
        self._sites: OrderedDict[str, sites.Site] = OrderedDict()
        self._attempts: OrderedDict[tuple[str, str], int] = OrderedDict()
        self.request_log: deque[LogEntry] = deque(maxlen=log_size)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._conns: set[asyncio.Task[None]] = set()
        self._error: BaseException | None = None

    # ---- lifecycle ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._port}"

    def resolve_entries(self) -> list[str]:
        """Resolve entries that send every .com name to this server (value of SCRAPERSKY_RESOLVE)."""
        return [f"*.com:80:{self.host}:{self._port}"]

    def resolve_env(self) -> dict[str, str]:
        return {"SCRAPERSKY_RESOLVE": ",".join(self.resolve_entries())}

    def start(self) -> SyntheticWeb:
        with self._lock:
            if self._thread is not None:
                return self
            self._error = None
            ready = threading.Event()
            thread = threading.Thread(target=self._run, args=(ready,), name="synthetic-web", daemon=True)
            thread.start()
            ready.wait()
            if self._error is not None:
                thread.join()
                raise self._error
            self._thread = thread
        return self

    def stop(self) -> None:
        with self._lock:
            thread, loop = self._thread, self._loop
            if thread is None or loop is None:
                return
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(self._begin_shutdown)
            thread.join()
            self._thread = self._loop = self._server = None

    def __enter__(self) -> SyntheticWeb:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def reset_counters(self) -> None:
        """Forget per-path attempt counts (429/503 hosts fail their first NN requests again)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._attempts.clear)
        else:
            self._attempts.clear()

    def requests_for(self, host: str) -> list[LogEntry]:
        """Logged requests whose Host was `host` or ``www.`` + `host`."""
        host = host.lower()
        return [e for e in list(self.request_log) if e.host in (host, f"www.{host}")]

    @property
    def cached_sites(self) -> int:
        return len(self._sites)

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(
                asyncio.start_server(self._serve, self.host, self._requested_port, limit=_MAX_HEAD,
                                     reuse_address=True, backlog=512))
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            self._error = exc
            loop.close()
            ready.set()
            return
        self._port = server.sockets[0].getsockname()[1]
        self._loop, self._server = loop, server
        ready.set()
        try:
            loop.run_forever()
        finally:
            tasks = list(self._conns)
            for task in tasks:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.run_until_complete(server.wait_closed())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def _begin_shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._conns):
            task.cancel()
        asyncio.get_running_loop().stop()

    # ---- serving ---------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conns.add(task)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.LimitOverrunError:
                    await self._send(writer, Plan(431, (("Content-Type", "text/plain"),), b"headers too large\n",
                                                  ending="close"), head_only=False, keep_alive=False, http10=False)
                    break
                except (asyncio.IncompleteReadError, ConnectionError):
                    break
                request = _parse_head(head)
                if request is None:
                    await self._send(writer, Plan(400, (("Content-Type", "text/plain"),), b"bad request\n",
                                                  ending="close"), head_only=False, keep_alive=False, http10=False)
                    break
                if not await self._read_body(reader, writer, request):
                    break
                if not await self._answer(request, writer):
                    break
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            # Shutdown: end quietly (asyncio would log a cancelled connection callback otherwise).
            pass
        finally:
            self._conns.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _read_body(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                         request: _Request) -> bool:
        if "transfer-encoding" in request.headers:
            await self._send(writer, Plan(411, (("Content-Type", "text/plain"),), b"length required\n",
                                          ending="close"), head_only=False, keep_alive=False, http10=False)
            return False
        length = request.headers.get("content-length", "0")
        if not length.isdigit() or int(length) > _MAX_REQUEST_BODY:
            await self._send(writer, Plan(413, (("Content-Type", "text/plain"),), b"body too large\n",
                                          ending="close"), head_only=False, keep_alive=False, http10=False)
            return False
        if int(length):
            await reader.readexactly(int(length))
        return True

    async def _answer(self, request: _Request, writer: asyncio.StreamWriter) -> bool:
        target = request.target
        host_value = request.headers.get("host", "")
        if target.startswith(("http://", "https://")):  # absolute-form (proxy style)
            rest = target.split("://", 1)[1]
            authority, slash, tail = rest.partition("/")
            host_value, target = authority, slash + tail or "/"
        hostname = _split_host(host_value).rstrip(".")
        path, _, query = target.partition("?")
        http10 = request.version == "HTTP/1.0"
        keep_alive = not http10 and request.headers.get("connection", "").lower() != "close"
        if request.method not in ("GET", "HEAD"):
            plan = Plan(405, (("Allow", "GET, HEAD"), ("Content-Type", "text/plain")), b"method not allowed\n")
        else:
            try:
                plan = self._plan(hostname, path or "/", request.headers)
            except Exception as exc:  # noqa: BLE001 - a generator bug answers 500, not a dead connection
                message = f"synthetic web error: {type(exc).__name__}: {exc}\n".encode()
                plan = Plan(500, (("Content-Type", "text/plain"),), message, ending="close")
        self.request_log.append(LogEntry(hostname, target, plan.status))
        return await self._send(writer, plan, head_only=request.method == "HEAD", keep_alive=keep_alive,
                                http10=http10)

    def _plan(self, hostname: str, path: str, headers: dict[str, str]) -> Plan:
        bare = hostname.removeprefix("www.")
        broken = sites.parse_broken_domain(bare)
        if broken is not None:
            kind, n = broken
            return plan_for(kind, n, hostname, path, self._attempt(bare, path), self._settings)
        if bare.startswith("cdn."):
            bare = bare.removeprefix("cdn.")
        if sites.parse_site_domain(bare) is not None:
            return self._site_plan(self._site(bare), bare, hostname, path, headers)
        if _is_ip(hostname) or hostname in ("localhost", ""):
            # Direct hits on the address: what a client reaches if it follows a loopback redirect or
            # resolves an XXE entity; answered plainly and visible in request_log.
            return Plan(200, (("Content-Type", "text/plain"),), b"synthetic web: direct address access\n")
        return Plan(404, (("Content-Type", "text/plain"),), f"no synthetic site named {hostname}\n".encode())

    def _site_plan(self, site: sites.Site, domain: str, hostname: str, path: str, headers: dict[str, str]) -> Plan:
        response, delivery = site.answer(hostname, path)
        if delivery == "throttle" and self._attempt(domain, path) % 2 == 0:
            # every other request is refused, so each client fetch sees one 429 and one retry
            retry = (("Retry-After", str(self._settings.retry_after)), ("Content-Type", "text/plain"))
            return Plan(429, retry, b"slow down\n")
        if delivery == "oversize":
            huge = site.oversize_body()
            return Plan(200, response.headers, stream=huge.__iter__, length=huge.length)
        body, extra = response.body, ()
        ctype = response.content_type.split(";")[0].strip().lower()
        if (site.transport_gzip and response.status == 200 and ctype in _GZIP_TYPES
                and response.header("Content-Encoding") is None
                and _accepts_gzip(headers.get("accept-encoding", ""))):
            body, extra = _gzipped(body), (("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding"))
        if delivery == "slow":
            step = max(1, -(-len(body) // _SLOW_PIECES))
            pieces = tuple(body[k:k + step] for k in range(0, len(body), step))
            return Plan(response.status, (*response.headers, *extra), stream=lambda: pieces, length=len(body),
                        chunk_delay=self._settings.drip_interval)
        return Plan(response.status, (*response.headers, *extra), body)

    def _site(self, domain: str) -> sites.Site:
        site = self._sites.get(domain)
        if site is not None:
            self._sites.move_to_end(domain)
            return site
        site = self._sites[domain] = sites.build_site(domain, self.seed)
        while len(self._sites) > self._site_cache_size:
            self._sites.popitem(last=False)
        return site

    def _attempt(self, domain: str, path: str) -> int:
        key = (domain, path)
        count = self._attempts.pop(key, 0)
        self._attempts[key] = count + 1
        while len(self._attempts) > 100_000:
            self._attempts.popitem(last=False)
        return count

    async def _send(self, writer: asyncio.StreamWriter, plan: Plan, *, head_only: bool, keep_alive: bool,
                    http10: bool) -> bool:
        """Write one response per `plan`; returns whether the connection can take another request."""
        if plan.delay:
            await asyncio.sleep(plan.delay)
        headers = list(plan.headers)
        chunked = False
        if plan.stream is None:
            headers.append(("Content-Length", str(plan.declared_length if plan.declared_length is not None
                                                  else len(plan.body))))
        elif plan.length is not None or plan.declared_length is not None:
            headers.append(("Content-Length", str(plan.declared_length if plan.declared_length is not None
                                                  else plan.length)))
        elif http10:
            keep_alive = False  # body ends when the connection does
        else:
            headers.append(("Transfer-Encoding", "chunked"))
            chunked = True
        if plan.ending != "keep" or not keep_alive:
            keep_alive = False
            headers.append(("Connection", "close"))
        head = f"HTTP/1.1 {plan.status} {_reason(plan.status)}\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
        writer.write(head.encode("latin-1"))
        if head_only:
            await writer.drain()
            return keep_alive
        pieces: Iterable[bytes] = plan.stream() if plan.stream is not None else _pieces(plan.body)
        sent = 0
        complete = True
        for piece in pieces:
            if plan.stop_after is not None and sent + len(piece) >= plan.stop_after:
                piece = piece[: plan.stop_after - sent]
                complete = False
            if piece:
                writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
            await writer.drain()
            if not complete or writer.is_closing():
                complete = False
                break
            if plan.chunk_delay:
                await asyncio.sleep(plan.chunk_delay)
        if chunked and complete:
            writer.write(b"0\r\n\r\n")
        await writer.drain()
        if plan.ending == "reset":
            await asyncio.sleep(0.05)  # let the partial body reach the client before the RST
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return False
        if not keep_alive:
            writer.close()
        return keep_alive


def _pieces(body: bytes) -> Iterable[bytes]:
    if len(body) <= _WRITE_PIECE:
        return (body,)
    return (body[k:k + _WRITE_PIECE] for k in range(0, len(body), _WRITE_PIECE))


def main(argv: Sequence[str] | None = None) -> None:
    """Serve until interrupted; the first stdout line is the SCRAPERSKY_RESOLVE value."""
    parser = argparse.ArgumentParser(prog="python -m scrapersky_pipelines.demo.web", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--slow-seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    web = SyntheticWeb(seed=args.seed, host=args.host, port=args.port, slow_seconds=args.slow_seconds).start()
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    print(",".join(web.resolve_entries()), flush=True)
    print(f"synthetic web at {web.base_address} (seed {args.seed}); try http://{sites.site_domain(1, args.seed)}/ "
          f"with SCRAPERSKY_RESOLVE={','.join(web.resolve_entries())}", file=sys.stderr, flush=True)
    try:
        done.wait()
    finally:
        web.stop()


if __name__ == "__main__":
    main()
