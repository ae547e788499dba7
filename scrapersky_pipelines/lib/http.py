"""The crawler's HTTP client: httpx with an SSRF guard, caps, retries, politeness and robots.txt.

Every scraping stage fetches through `HttpClient.fetch`. Connections go through
`GuardedNetworkBackend`, an httpcore network backend that resolves with `netguard.Resolver`
and connects to the address it just checked, so the guard covers redirects, keep-alive pools
and DNS rebinding alike. Redirects are followed here (not by httpx) to count them, detect
loops, re-check robots.txt per origin and keep the chain. Bodies are streamed and decoded here
so that both the wire bytes and the decompressed bytes are capped while reading.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import email.utils
import ipaddress
import random
import re
import ssl
import time
import typing
import zlib
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property, lru_cache, partial
from http.cookiejar import CookieJar, DefaultCookiePolicy
from urllib.parse import urljoin, urlsplit

import anyio
import httpcore
import httpx

from scrapersky_pipelines.lib.http_asyncio import AsyncioBackend
from scrapersky_pipelines.lib.http_pools import OriginPools
from scrapersky_pipelines.lib.netguard import (
    AddressBlocked,
    Resolver,
    UnknownHost,
    is_public_address,
    normalize_host,
)
from scrapersky_pipelines.lib.robots import MAX_ROBOTS_BYTES, RobotsPolicy
from scrapersky_pipelines.lib.robots_cache import MAX_AGE_SECONDS, RobotsCache, RobotsFile, is_cacheable

__all__ = [
    "DEFAULT_USER_AGENT",
    "FETCH_ERROR_KINDS",
    "FetchError",
    "FetchResult",
    "GuardedNetworkBackend",
    "HttpClient",
    "HttpSettings",
    "parse_retry_after",
]

DEFAULT_USER_AGENT = (
    "scrapersky-pipelines/0.1 (+https://github.com/scrapersky/scrapersky-pipelines)"
)
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_CRAWL_DELAY = 10.0
# Only encodings decoded here with output capped per call are advertised. No br: brotli is not
# a dependency, and a br decoder must cap its output per call before it can be added safely.
ACCEPT_ENCODING = "gzip, deflate"

FETCH_ERROR_KINDS = (
    "invalid_url",
    "unknown_host",
    "blocked_address",
    "connect",
    "timeout",
    "too_large",
    "too_many_redirects",
    "redirect_loop",
    "robots_disallowed",
    "protocol",
    "decompression_bomb",
    "http_status",
)


@dataclass(frozen=True)
class HttpSettings:
    """Client configuration; the defaults are polite for small-business sites."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    max_body_bytes: int = 5 * 1024 * 1024
    max_decompressed_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    per_host_concurrency: int = 2
    per_host_delay: float = 0.0
    max_retries: int = 2
    backoff_base: float = 0.5
    backoff_max: float = 20.0
    max_retry_after: float = 60.0
    obey_robots: bool = True
    resolve: tuple[str, ...] = ()
    resolve_only: bool = False
    allow_private: bool = False
    max_header_bytes: int = 64 * 1024
    max_connections: int = 100  # per origin: each has its own pool (`http_pools`)
    # How old a robots.txt from an earlier run may be and still be used (0: always fetch again).
    robots_max_age: float = MAX_AGE_SECONDS

    def __post_init__(self) -> None:
        if isinstance(self.resolve, str):
            object.__setattr__(self, "resolve", (self.resolve,))
        elif not isinstance(self.resolve, tuple):
            object.__setattr__(self, "resolve", tuple(self.resolve))
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"HttpSettings.{name} must be > 0")
        for name in ("max_body_bytes", "max_decompressed_bytes", "per_host_concurrency",
                     "max_header_bytes", "max_connections"):
            if getattr(self, name) < 1:
                raise ValueError(f"HttpSettings.{name} must be >= 1")
        for name in ("max_redirects", "max_retries", "per_host_delay", "backoff_base",
                     "backoff_max", "max_retry_after", "robots_max_age"):
            if getattr(self, name) < 0:
                raise ValueError(f"HttpSettings.{name} must be >= 0")


class FetchError(Exception):
    """A fetch that produced no usable response; ``kind`` is one of FETCH_ERROR_KINDS."""

    def __init__(
        self, kind: str, url: str, message: str, *, status: int | None = None, attempts: int = 1
    ) -> None:
        self.kind = kind
        self.url = url
        self.message = message
        self.status = status
        self.attempts = attempts
        super().__init__(f"{kind}: {message}")

    def __reduce__(self) -> tuple[typing.Any, ...]:
        # The custom __init__ needs its keyword arguments back when unpickled.
        args = (self.kind, self.url, self.message, self.status, self.attempts)
        return (_rebuild_fetch_error, args)


def _rebuild_fetch_error(
    kind: str, url: str, message: str, status: int | None, attempts: int
) -> FetchError:
    return FetchError(kind, url, message, status=status, attempts=attempts)


# -- response text decoding -------------------------------------------------------------------

_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:+-]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:+-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:+-]+)""")
# Browsers read these labels as windows-1252 (WHATWG Encoding), and so do we.
_WINDOWS_1252_ALIASES = frozenset({"latin-1", "iso8859-1", "ascii"})
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _codec_name(label: str | bytes | None) -> str | None:
    if not label:
        return None
    text = label.decode("ascii", "replace") if isinstance(label, bytes) else label
    try:
        name = codecs.lookup(text.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    return "cp1252" if name in _WINDOWS_1252_ALIASES else name


@dataclass
class FetchResult:
    """A completed HTTP exchange (any status). ``content`` is decoded from Content-Encoding;
    ``headers`` are as received and case-insensitive."""

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    truncated: bool = False
    redirects: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    attempts: int = 1
    body_bytes: int | None = None

    @property
    def size(self) -> int:
        """Decoded body bytes, whether kept in ``content`` or streamed to a sink."""
        return len(self.content) if self.body_bytes is None else self.body_bytes

    def __post_init__(self) -> None:
        if not isinstance(self.headers, httpx.Headers):
            self.headers = httpx.Headers(self.headers)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def content_type(self) -> str | None:
        value = self.headers.get("content-type")
        if not value:
            return None
        mime = value.split(";", 1)[0].strip().lower()
        return mime or None

    @cached_property
    def charset(self) -> str:
        """The encoding `text` uses: BOM, else the Content-Type charset, else a <meta charset>
        or XML declaration in the first 4 KiB, else utf-8. A BOM outranks the header, as in
        WHATWG encoding sniffing, because it cannot be there by accident."""
        for bom, name in _BOMS:
            if self.content.startswith(bom):
                return name
        header = self.headers.get("content-type") or ""
        match = _CHARSET_PARAM.search(header)
        name = _codec_name(match.group(1)) if match else None
        if name:
            return name
        head = self.content[:4096]
        for pattern in (_XML_ENCODING, _META_CHARSET):
            found = pattern.search(head)
            name = _codec_name(found.group(1)) if found else None
            if name and not name.startswith(("utf-16", "utf-32")):
                return name
        return "utf-8"

    @cached_property
    def text(self) -> str:
        charset = self.charset
        if charset == "utf-8" and self.content.startswith(codecs.BOM_UTF8):
            charset = "utf-8-sig"
        return self.content.decode(charset, errors="replace")

    def raise_for_status(self) -> FetchResult:
        """Raise FetchError("http_status") unless the status is 2xx; returns self otherwise."""
        if not self.ok:
            raise FetchError(
                "http_status", self.url, f"HTTP {self.status} from {self.final_url}",
                status=self.status, attempts=self.attempts,
            )
        return self


# -- body decoding ----------------------------------------------------------------------------


class _DecodeError(Exception):
    pass


class _ZlibDecoder:
    """gzip / deflate with bounded output per call (``max_length``), so bombs cost no memory."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._wbits = 16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS
        self._obj = zlib.decompressobj(self._wbits)
        self._started = False
        self._members = 0
        self._done = False

    def decode(self, data: bytes, budget: int) -> bytes:
        """Up to ``budget`` bytes of output for ``data``."""
        out = bytearray()
        while data and not self._done and len(out) < budget:
            try:
                produced = self._obj.decompress(data, budget - len(out))
            except zlib.error as exc:
                if not self._gzip and not self._started:
                    # "deflate" is often sent as raw deflate without the zlib wrapper.
                    self._started = True
                    self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                if self._members:
                    self._done = True  # junk after a complete gzip member, as browsers ignore it
                    break
                kind = "gzip" if self._gzip else "deflate"
                raise _DecodeError(f"invalid {kind} data: {exc}") from None
            self._started = True
            out += produced
            if self._obj.eof:
                self._members += 1
                data = self._obj.unused_data
                if self._gzip and data:
                    # Concatenated gzip members form one stream (RFC 1952 section 2.2).
                    self._obj = zlib.decompressobj(self._wbits)
                    continue
                self._done = True
                break
            data = self._obj.unconsumed_tail
        return bytes(out)

    def flush(self, budget: int) -> bytes:
        if self._done or budget <= 0:
            return b""
        try:
            return self._obj.flush(budget)
        except zlib.error as exc:
            raise _DecodeError(f"invalid compressed data: {exc}") from None


def _decoders(content_encoding: str | None) -> list[_ZlibDecoder] | None:
    """Decoders in the order to apply them, or None if the encoding is identity/unknown."""
    if not content_encoding:
        return None
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    decoders: list[_ZlibDecoder] = []
    for coding in reversed(codings):
        if coding in ("gzip", "x-gzip"):
            decoders.append(_ZlibDecoder(gzip=True))
        elif coding == "deflate":
            decoders.append(_ZlibDecoder(gzip=False))
        elif coding != "identity":
            return None  # not something we asked for: hand back the bytes as sent
    return decoders or None


# -- the guarded network backend --------------------------------------------------------------


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """httpcore backend that resolves through `Resolver` and connects only to allowed addresses.

    httpcore keeps using the URL's host for the Host header and TLS SNI; only the socket's
    destination changes.
    """

    def __init__(
        self, resolver: Resolver, inner: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self.resolver = resolver
        self._inner = inner or AsyncioBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                targets = await self.resolver.resolve(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host!r} timed out") from None
        error: Exception | None = None
        for address, connect_port in targets:
            try:
                stream = await self._inner.connect_tcp(
                    address, connect_port, timeout=timeout,
                    local_address=local_address, socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            await self._check_peer(stream, host, port)
            return stream
        raise error or httpcore.ConnectError(f"no address to connect to for {host!r}")

    async def _check_peer(self, stream: httpcore.AsyncNetworkStream, host: str, port: int) -> None:
        """Belt and braces: the socket's actual peer must pass the guard too."""
        if self.resolver.allow_private:
            return
        peer = stream.get_extra_info("server_addr")
        if not peer:
            return
        peer_ip = ipaddress.ip_address(str(peer[0]).split("%", 1)[0])
        if is_public_address(peer_ip) or self.resolver.is_pinned(host, port, str(peer_ip)):
            return
        await stream.aclose()
        raise AddressBlocked(host, str(peer_ip), "connected peer is not a public address")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed by the network guard")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _guarded_transport(
    backend: GuardedNetworkBackend, settings: HttpSettings, ssl_context: ssl.SSLContext
) -> httpx.AsyncHTTPTransport:
    """One origin's transport (see `OriginPools`): its idle connections are that host's."""
    limits = httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=min(settings.per_host_concurrency, settings.max_connections),
        keepalive_expiry=5.0,
    )
    transport = httpx.AsyncHTTPTransport(
        verify=ssl_context, limits=limits, trust_env=False, retries=0
    )
    # httpx has no public parameter for the network backend, so swap in an equivalent pool built
    # with ours. httpx is pinned to 0.28.x, where the transport's pool lives in `_pool`.
    if not isinstance(getattr(transport, "_pool", None), httpcore.AsyncConnectionPool):
        raise RuntimeError("unsupported httpx version: cannot install the network guard")
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        http1=True,
        http2=False,
        network_backend=backend,
    )
    return transport


# -- helpers ----------------------------------------------------------------------------------


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait per a Retry-After header (delta-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _default_port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def _parse_url(url: str | httpx.URL, resolver: Resolver | None = None) -> httpx.URL:
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError, UnicodeError) as exc:
        # httpx refuses some literal forms (0177.0.0.1) that other resolvers accept; name the
        # real problem when the host is one of those and points somewhere forbidden.
        host = _raw_host(str(url))
        if resolver is not None and host:
            try:
                resolver.check_literal(host, 0)
            except AddressBlocked as blocked:
                raise FetchError("blocked_address", str(url), str(blocked)) from None
        raise FetchError("invalid_url", str(url), f"invalid URL {str(url)!r}: {exc}") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError(
            "invalid_url", str(url), f"unsupported scheme {parsed.scheme!r} in {str(url)!r}"
        )
    if not parsed.host:
        raise FetchError("invalid_url", str(url), f"no host in {str(url)!r}")
    return parsed


def _raw_host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """One verifying context per process: loading the CA bundle costs ~75 ms, every run paid it."""
    return httpx.create_ssl_context()


def _origin(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.netloc.decode('ascii')}"


def _loop_key(url: httpx.URL) -> str:
    return str(url.copy_with(fragment=None))


_CROSS_ORIGIN_DROP = ("authorization", "cookie", "proxy-authorization")


@dataclass(slots=True)
class _HostState:
    semaphore: asyncio.Semaphore
    start_lock: asyncio.Lock
    delay: float
    next_start: float = 0.0


@dataclass(slots=True)
class _Exchange:
    status: int
    headers: httpx.Headers
    content: bytes
    truncated: bool
    attempts: int
    streamed: int | None = None


# Opened with the headers of a 2xx final response; returns the (sync or async) writer its decoded
# body goes to. An async writer is awaited per chunk, which is how a slow consumer pushes back.
BodyWriter = typing.Callable[[bytes], typing.Awaitable[None] | None]
BodySink = typing.Callable[[httpx.Headers], BodyWriter]


@dataclass(frozen=True, slots=True)
class _Caps:
    wire: int
    decoded: int
    allow_truncated: bool
    sink: BodySink | None = None


class _Budget:
    """A fetch's deadline. Time spent queueing for a host's turn (its concurrency slot and delay) or
    for the origin's robots.txt is added back: politeness must not eat a request's own budget."""

    __slots__ = ("timeout", "_left")

    def __init__(self, timeout: asyncio.Timeout) -> None:
        self.timeout = timeout
        self._left: float | None = None

    @property
    def deadline(self) -> float:
        when = self.timeout.when()
        return when if when is not None else asyncio.get_running_loop().time() + (self._left or 0.0)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The clock stops while the body waits its turn (pauses nest: the outermost one counts)."""
        when = self.timeout.when()
        if when is None or self.timeout.expired():
            yield
            return
        loop = asyncio.get_running_loop()
        self._left = when - loop.time()
        self.timeout.reschedule(None)
        try:
            yield
        finally:
            self.timeout.reschedule(loop.time() + max(self._left, 0.0))
            self._left = None


class _Body:
    """Where a body's decoded bytes go: a buffer, or a caller's writer when streaming."""

    __slots__ = ("buffer", "size", "write")

    def __init__(self, writer: BodyWriter | None) -> None:
        self.buffer = bytearray()
        self.size = 0
        self.write = writer or self.buffer.extend

    async def add(self, data: bytes) -> None:
        if data:
            self.size += len(data)
            pending = self.write(data)
            if pending is not None:
                await pending


class _NoCookiePolicy(DefaultCookiePolicy):
    """Broad crawls stay stateless: nothing is stored, so nothing leaks between sites."""

    def set_ok(self, cookie: typing.Any, request: typing.Any) -> bool:
        return False


# -- the client -------------------------------------------------------------------------------


class HttpClient:
    """Polite, guarded async HTTP client. Use one per event loop, as an async context manager."""

    def __init__(
        self,
        settings: HttpSettings = HttpSettings(),
        *,
        resolver: Resolver | None = None,
        connector: httpcore.AsyncNetworkBackend | None = None,
        robots_cache: RobotsCache | None = None,
    ) -> None:
        """``resolver`` replaces the one built from ``settings`` (e.g. with an injected lookup);
        ``connector`` is the backend that opens sockets to already-approved addresses;
        ``robots_cache`` seeds robots.txt files fetched by earlier runs (those younger than
        ``settings.robots_max_age``) and collects the ones this client fetches."""
        self.settings = settings
        self.robots_cache = robots_cache if robots_cache is not None else RobotsCache()
        self.resolver = resolver or Resolver(
            settings.resolve,
            resolve_only=settings.resolve_only,
            allow_private=settings.allow_private,
        )
        self._backend = GuardedNetworkBackend(self.resolver, connector)
        self._client = httpx.AsyncClient(
            transport=OriginPools(
                partial(_guarded_transport, self._backend, settings, _ssl_context())
            ),
            timeout=httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=settings.total_timeout,
            ),
            follow_redirects=False,
            trust_env=False,  # an env proxy would carry connections past the guard
            cookies=CookieJar(policy=_NoCookiePolicy()),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )
        self._hosts: dict[str, _HostState] = {}
        self._robots: dict[str, asyncio.Future[RobotsPolicy]] = {}
        self._seeded: dict[str, RobotsPolicy] = {}
        for known in self.robots_cache.known:
            if known.fresh(settings.robots_max_age):
                self._seeded[known.origin] = self._adopt_robots(known)

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for task in self._robots.values():
            if not task.done():
                task.cancel()
        self._robots.clear()
        await self._client.aclose()

    # -- public API ---------------------------------------------------------------------------

    async def fetch(
        self,
        url: str,
        *,
        max_bytes: int | None = None,
        allow_truncated: bool = False,
        obey_robots: bool | None = None,
        headers: Mapping[str, str] | None = None,
        max_decompressed_bytes: int | None = None,
        sink: BodySink | None = None,
    ) -> FetchResult:
        """GET ``url`` following redirects; any final HTTP status is returned, not raised.

        ``max_bytes`` overrides the wire-byte cap for this call (the decompressed cap then
        grows to at least the same size unless ``max_decompressed_bytes`` is given).
        With ``sink``, a 2xx body is streamed to the writer it opens instead of being kept
        (``content`` is then empty and ``body_bytes`` tells the size); once bytes have reached
        the writer, a failure is raised, never retried, so the writer never sees a body twice.
        Raises FetchError when there is no response to return.
        """
        settings = self.settings
        wire = max_bytes if max_bytes is not None else settings.max_body_bytes
        if max_decompressed_bytes is not None:
            decoded = max_decompressed_bytes
        elif max_bytes is not None:
            decoded = max(settings.max_decompressed_bytes, max_bytes)
        else:
            decoded = settings.max_decompressed_bytes
        caps = _Caps(wire=wire, decoded=decoded, allow_truncated=allow_truncated, sink=sink)
        obey = settings.obey_robots if obey_robots is None else obey_robots

        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline_cm = asyncio.timeout_at(started + settings.total_timeout)
        try:
            async with deadline_cm:
                result = await self._follow(url, caps, obey, headers or {}, _Budget(deadline_cm))
        except TimeoutError:
            if deadline_cm.expired():
                message = f"total timeout of {settings.total_timeout:g}s exceeded for {url}"
                raise FetchError("timeout", url, message) from None
            raise
        result.elapsed = loop.time() - started
        return result

    async def robots(self, url: str) -> RobotsPolicy:
        """The robots.txt policy for ``url``'s origin, fetched once per client and cached."""
        parsed = _parse_url(url)
        origin = _origin(parsed)
        seeded = self._seeded.get(origin)
        if seeded is not None:
            return seeded
        future = self._robots.get(origin)
        if future is None:
            future = asyncio.ensure_future(self._load_robots(parsed, origin + "/robots.txt"))
            # Mark the outcome retrieved even if every waiter's deadline passed first.
            future.add_done_callback(lambda done: done.cancelled() or done.exception())
            self._robots[origin] = future
        # Shielded: one caller's deadline must not cancel the fetch others are waiting on.
        return await asyncio.shield(future)

    # -- internals ----------------------------------------------------------------------------

    async def _load_robots(self, parsed: httpx.URL, robots_url: str) -> RobotsPolicy:
        try:
            result = await self.fetch(
                robots_url, obey_robots=False, allow_truncated=True,
                max_bytes=MAX_ROBOTS_BYTES, max_decompressed_bytes=MAX_ROBOTS_BYTES,
            )
        except FetchError as exc:
            if exc.kind in ("blocked_address", "unknown_host", "invalid_url"):
                raise
            if exc.kind in ("connect", "timeout"):
                # The origin does not answer (after retries): that is the page's error too, clearer
                # than "disallowed" and what lets a caller try the next scheme. Cached for this client.
                raise
            if exc.kind in ("too_many_redirects", "redirect_loop"):
                return RobotsPolicy.allow_all(reason=f"robots.txt {exc}: unavailable, allow all")
            return RobotsPolicy.disallow_all(
                reason=f"robots.txt unreachable ({exc}): assume complete disallow"
            )
        policy = RobotsPolicy.from_response(result.status, result.content, result.final_url)
        self._apply_robots(parsed.host, policy)
        if not is_cacheable(result.status):
            return policy
        found = RobotsFile(
            origin=_origin(parsed), status=result.status, final_url=result.final_url,
            content=result.content if result.ok else b"", fetched_at=datetime.now(UTC),
        )
        self.robots_cache.fetched.append(found)
        target = _parse_url(result.final_url)
        target_origin = _origin(target)
        if (result.ok and target_origin != found.origin and target.path == "/robots.txt" and not target.query
                and target_origin not in self._seeded and target_origin not in self._robots):
            # Redirected to another origin's own robots.txt (bare host -> www): that origin's answer too.
            self.robots_cache.fetched.append(replace(found, origin=target_origin))
            self._seeded[target_origin] = self._apply_robots(target.host, policy)
        return policy

    def _adopt_robots(self, found: RobotsFile) -> RobotsPolicy:
        policy = RobotsPolicy.from_response(found.status, found.content, found.final_url)
        return self._apply_robots(_parse_url(found.origin).host, policy)

    def _apply_robots(self, host: str, policy: RobotsPolicy) -> RobotsPolicy:
        delay = policy.crawl_delay(self.settings.user_agent)
        if delay:
            state = self._host_state(host)
            state.delay = max(state.delay, min(delay, MAX_CRAWL_DELAY))
        return policy

    def _host_state(self, host: str) -> _HostState:
        state = self._hosts.get(host)
        if state is None:
            state = _HostState(
                semaphore=asyncio.Semaphore(self.settings.per_host_concurrency),
                start_lock=asyncio.Lock(),
                delay=self.settings.per_host_delay,
            )
            self._hosts[host] = state
        return state

    def host_delay(self, host: str) -> float:
        """Current minimum gap between request starts for ``host`` (setting or Crawl-delay)."""
        state = self._hosts.get(normalize_host(host))
        return state.delay if state else self.settings.per_host_delay

    @contextlib.asynccontextmanager
    async def _slot(self, host: str, budget: _Budget | None = None) -> AsyncIterator[None]:
        state = self._host_state(host)
        with budget.paused() if budget is not None else contextlib.nullcontext():
            await state.semaphore.acquire()
            try:
                if state.delay > 0:
                    async with state.start_lock:
                        loop = asyncio.get_running_loop()
                        wait = state.next_start - loop.time()
                        if wait > 0:
                            await asyncio.sleep(wait)
                        state.next_start = loop.time() + state.delay
            except BaseException:
                state.semaphore.release()
                raise
        try:
            yield
        finally:
            state.semaphore.release()

    async def _follow(
        self, url: str, caps: _Caps, obey: bool, headers: Mapping[str, str], budget: _Budget
    ) -> FetchResult:
        current = _parse_url(url, self.resolver)
        request_headers = {k: v for k, v in headers.items() if k.lower() != "user-agent"}
        redirects: list[str] = []
        seen = {_loop_key(current)}
        while True:
            current_str = str(current)
            try:
                self.resolver.check_literal(current.host, _default_port(current))
            except AddressBlocked as exc:
                raise FetchError("blocked_address", current_str, str(exc)) from None
            if obey:
                try:
                    with budget.paused():  # robots.txt is fetched under its own budget
                        policy = await self.robots(current_str)
                except FetchError as exc:
                    raise FetchError(exc.kind, current_str, exc.message) from None
                if not policy.allowed(current_str, self.settings.user_agent):
                    origin = _origin(current)
                    message = f"robots.txt of {origin} disallows {current_str} ({policy.reason})"
                    raise FetchError("robots_disallowed", current_str, message)
            exchange = await self._exchange(current, request_headers, caps, budget)
            location = exchange.headers.get("location")
            if exchange.status in REDIRECT_STATUSES and location:
                try:
                    target = _parse_url(urljoin(current_str, location.strip()), self.resolver)
                except FetchError as exc:
                    if exc.kind != "invalid_url":
                        raise
                    message = f"bad redirect Location {location!r}: {exc.message}"
                    raise FetchError("invalid_url", current_str, message) from None
                key = _loop_key(target)
                if key in seen:
                    message = f"redirect loop: {current_str} -> {target}"
                    raise FetchError("redirect_loop", url, message)
                if len(redirects) >= self.settings.max_redirects:
                    raise FetchError(
                        "too_many_redirects", url,
                        f"more than {self.settings.max_redirects} redirects from {url}",
                    )
                seen.add(key)
                redirects.append(current_str)
                if _origin(target) != _origin(current):
                    request_headers = {
                        k: v
                        for k, v in request_headers.items()
                        if k.lower() not in _CROSS_ORIGIN_DROP
                    }
                current = target
                continue
            return FetchResult(
                url=url,
                final_url=current_str,
                status=exchange.status,
                headers=exchange.headers,
                content=exchange.content,
                truncated=exchange.truncated,
                redirects=redirects,
                attempts=exchange.attempts,
                body_bytes=exchange.streamed,
            )

    def _retry_wait(self, attempt: int, retry_after: str | None, budget: _Budget) -> float | None:
        """Seconds to sleep before the next attempt, or None if it would pass the deadline."""
        settings = self.settings
        server_wait = parse_retry_after(retry_after)
        if server_wait is not None:
            wait = min(server_wait, settings.max_retry_after)
        else:
            ceiling = min(settings.backoff_max, settings.backoff_base * 2 ** (attempt - 1))
            wait = random.uniform(0, ceiling)  # full jitter
        if asyncio.get_running_loop().time() + wait >= budget.deadline:
            return None
        return wait

    async def _exchange(
        self, url: httpx.URL, headers: Mapping[str, str], caps: _Caps, budget: _Budget
    ) -> _Exchange:
        """One request with retries. Redirect bodies are not read."""
        settings = self.settings
        url_str = str(url)
        attempt = 0
        body: _Body | None = None
        while True:
            attempt += 1
            wait: float | None = None
            try:
                async with self._slot(url.host, budget):
                    response = await self._client.send(
                        self._client.build_request("GET", url, headers=headers), stream=True
                    )
                    try:
                        self._check_headers(response, url_str)
                        status = response.status_code
                        if status in RETRYABLE_STATUSES and attempt <= settings.max_retries:
                            retry_after = response.headers.get("retry-after")
                            wait = self._retry_wait(attempt, retry_after, budget)
                        if wait is None:
                            if status in REDIRECT_STATUSES and response.headers.get("location"):
                                return _Exchange(status, response.headers, b"", False, attempt)
                            streaming = caps.sink is not None and 200 <= status < 300
                            body = _Body(caps.sink(response.headers) if streaming else None)
                            truncated = await self._read_body(response, url_str, caps, body)
                            return _Exchange(status, response.headers, bytes(body.buffer), truncated,
                                             attempt, body.size if streaming else None)
                    finally:
                        await response.aclose()
            except (AddressBlocked, UnknownHost) as exc:
                kind = "blocked_address" if isinstance(exc, AddressBlocked) else "unknown_host"
                raise FetchError(kind, url_str, str(exc), attempts=attempt) from None
            except httpx.TransportError as exc:
                kind, retryable = _classify(exc)
                if body is not None and caps.sink is not None and body.size:
                    retryable = False
                if retryable and attempt <= settings.max_retries:
                    wait = self._retry_wait(attempt, None, budget)
                if wait is None:
                    message = f"{_describe(exc)} ({url_str})"
                    raise FetchError(kind, url_str, message, attempts=attempt) from None
            await asyncio.sleep(wait)

    def _check_headers(self, response: httpx.Response, url: str) -> None:
        size = sum(len(name) + len(value) + 4 for name, value in response.headers.raw)
        if size > self.settings.max_header_bytes:
            limit = self.settings.max_header_bytes
            raise FetchError("protocol", url, f"response headers are {size} bytes, over {limit}")

    async def _read_body(
        self, response: httpx.Response, url: str, caps: _Caps, body: _Body
    ) -> bool:
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > caps.wire and not caps.allow_truncated:
            raise FetchError(
                "too_large", url, f"Content-Length {declared} is over the {caps.wire}-byte cap"
            )
        decoders = _decoders(response.headers.get("content-encoding"))
        wire = 0
        truncated = False
        try:
            async for chunk in response.aiter_raw():
                wire += len(chunk)
                if wire > caps.wire:
                    if not caps.allow_truncated:
                        raise FetchError("too_large", url, f"body is over the {caps.wire}-byte cap")
                    chunk = chunk[: len(chunk) - (wire - caps.wire)]
                    truncated = True
                data, cut = self._decode(body.size, chunk, decoders, caps, url, final=False)
                await body.add(data)
                truncated = truncated or cut
                if truncated:
                    break
            else:
                if decoders:
                    data, cut = self._decode(body.size, b"", decoders, caps, url, final=True)
                    await body.add(data)
                    truncated = truncated or cut
        except _DecodeError as exc:
            raise FetchError("protocol", url, f"cannot decode body: {exc}") from None
        return truncated

    @staticmethod
    def _decode(
        size: int, chunk: bytes, decoders: list[_ZlibDecoder] | None, caps: _Caps,
        url: str, *, final: bool,
    ) -> tuple[bytes, bool]:
        """Decode ``chunk`` of a body already ``size`` bytes long: (bytes to add, cut by the cap)."""
        remaining = caps.decoded - size
        data = chunk
        if decoders:
            # Every stage may produce at most one byte more than the cap: enough to detect a bomb.
            for decoder in decoders:
                out = decoder.decode(data, remaining + 1) if data else b""
                if final:
                    out += decoder.flush(remaining + 1 - len(out))
                data = out
        if len(data) > remaining:
            if not caps.allow_truncated:
                if decoders:
                    raise FetchError(
                        "decompression_bomb", url,
                        f"decompressed body is over the {caps.decoded}-byte cap",
                    )
                raise FetchError("too_large", url, f"body is over the {caps.decoded}-byte cap")
            return data[:remaining], True
        return data, False


def _classify(exc: httpx.TransportError) -> tuple[str, bool]:
    """(FetchError kind, retryable) for an httpx transport failure."""
    if isinstance(exc, httpx.TimeoutException):
        return "timeout", True
    if isinstance(exc, (httpx.ConnectError, httpx.ReadError, httpx.WriteError)):
        return "connect", True
    if isinstance(exc, httpx.RemoteProtocolError):
        return "protocol", True  # mostly "server disconnected": transient
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "invalid_url", False
    if isinstance(exc, httpx.ProtocolError):
        return "protocol", False
    return "connect", True
