"""The synthetic web server itself, spoken to with raw sockets (byte-exact) on loopback."""

from __future__ import annotations

import gzip
import logging
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from scrapersky_pipelines.demo import sites
from scrapersky_pipelines.demo.hostile import OVERSIZE_SITEMAP_BYTES
from scrapersky_pipelines.demo.web import SyntheticWeb


@pytest.fixture(scope="module")
def web() -> Iterator[SyntheticWeb]:
    with SyntheticWeb(slow_seconds=1, drip_interval=0.01) as server:
        yield server


def shape(name: str, **flags: bool) -> str:
    for domain in sites.site_domains(200):
        e = sites.expected(domain)
        if e.sitemap_shape == name and all(getattr(e, k) == v for k, v in flags.items()):
            return domain
    raise AssertionError(name)


class Conn:
    """One HTTP/1.1 connection with a tiny response reader (Content-Length, chunked or close)."""

    def __init__(self, web: SyntheticWeb) -> None:
        self.sock = socket.create_connection((web.host, web.port), timeout=5)
        self.buf = b""

    def close(self) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def get(self, host: str, path: str = "/", method: str = "GET", extra: str = "",
            version: str = "HTTP/1.1") -> tuple[int, dict[str, str], bytes]:
        self.send(f"{method} {path} {version}\r\nHost: {host}\r\n{extra}\r\n".encode())
        return self.read(head_only=method == "HEAD")

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        self.buf += data
        return bool(data)

    def _until(self, marker: bytes) -> bytes:
        while marker not in self.buf:
            if not self._fill():
                raise EOFError("connection closed")
        part, self.buf = self.buf.split(marker, 1)
        return part

    def _exactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            if not self._fill():
                raise EOFError("connection closed")
        part, self.buf = self.buf[:n], self.buf[n:]
        return part

    def read(self, head_only: bool = False, limit: int | None = None) -> tuple[int, dict[str, str], bytes]:
        head = self._until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(head[0].split(" ")[1])
        headers: dict[str, str] = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if head_only:
            return status, headers, b""
        if "content-length" in headers:
            n = int(headers["content-length"])
            return status, headers, self._exactly(n if limit is None else min(n, limit))
        if headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                size = int(self._until(b"\r\n"), 16)
                if size == 0:
                    self._until(b"\r\n")
                    return status, headers, body
                body += self._exactly(size)
                self._exactly(2)
        while self._fill():
            pass
        body, self.buf = self.buf, b""
        return status, headers, body


@pytest.fixture
def conn(web: SyntheticWeb) -> Iterator[Conn]:
    c = Conn(web)
    yield c
    c.close()


def test_lifecycle_and_resolve_entries():
    server = SyntheticWeb()
    assert server.port == 0
    with server:
        assert server.port > 0
        assert server.resolve_entries() == [f"*.com:80:127.0.0.1:{server.port}"]
        assert server.resolve_env() == {"SCRAPERSKY_RESOLVE": f"*.com:80:127.0.0.1:{server.port}"}
        assert server.base_address == f"http://127.0.0.1:{server.port}"
        assert server.start() is server  # idempotent
    server.stop()  # stopping twice is harmless


def test_serves_sites_by_host_with_keep_alive(web, conn):
    domain = sites.site_domains(1)[0]
    for path in ("/", "/robots.txt", "/favicon.ico"):
        status, headers, body = conn.get(domain, path)
        assert status == 200 and int(headers["content-length"]) == len(body)
        assert headers.get("connection") != "close"
    status, _, body = conn.get(domain.upper() + ":80", "/")  # case and port in Host are ignored
    assert status == 200 and sites.expected(domain).title.encode() in body.replace(b"&amp;", b"&")


def test_www_cdn_and_unknown_hosts(web, conn):
    www = shape("known-path", soft_404=False)
    assert sites.expected(www).base_url.startswith("http://www.")
    status, headers, _ = conn.get(www, "/about-us")
    assert status == 301 and headers["location"] == f"http://www.{www}/about-us"
    cross = shape("cross-host")
    status, headers, body = conn.get(f"cdn.{cross}", "/sitemaps/index.xml")
    assert status == 200 and b"<sitemapindex" in body
    status, _, body = conn.get("nobody-here.com", "/")
    assert status == 404 and b"no synthetic site" in body
    status, _, body = conn.get("127.0.0.1", "/__xxe_probe")
    assert status == 200 and b"direct address" in body
    assert web.request_log[-1].path == "/__xxe_probe"


def test_transport_gzip_only_when_asked(web, conn):
    domain = next(d for d in sites.site_domains(20) if sites.expected(d).transport_gzip)
    _, plain_headers, plain = conn.get(domain, "/")
    status, headers, packed = conn.get(domain, "/", extra="Accept-Encoding: br, gzip;q=0.8\r\n")
    assert status == 200 and headers["content-encoding"] == "gzip" and headers["vary"] == "Accept-Encoding"
    assert "content-encoding" not in plain_headers and gzip.decompress(packed) == plain
    _, refused, _ = conn.get(domain, "/", extra="Accept-Encoding: gzip;q=0\r\n")
    assert "content-encoding" not in refused


def test_head_absolute_form_and_http10(web):
    domain = sites.site_domains(1)[0]
    c = Conn(web)
    try:
        status, headers, _ = c.get(domain, "/", method="HEAD")
        assert status == 200 and int(headers["content-length"]) > 0
        status, _, body = c.get("ignored.com", f"http://{domain}/robots.txt")
        assert status == 200 and b"User-agent" in body
        status, headers, body = c.get(domain, "/", version="HTTP/1.0")
        assert status == 200 and headers["connection"] == "close" and body
    finally:
        c.close()


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"POST / HTTP/1.1\r\nHost: a.com\r\nContent-Length: 3\r\n\r\nabc", 405),
        (b"GET / HTTP/1.1\r\nHost: a.com\r\nTransfer-Encoding: chunked\r\n\r\n", 411),
        (b"GET / HTTP/1.1\r\nHost: a.com\r\nContent-Length: 99999999\r\n\r\n", 413),
        (b"garbage\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: a.com\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431),
    ],
)
def test_bad_requests(conn, request_bytes, status):
    conn.send(request_bytes)
    assert conn.read()[0] == status


def test_throttled_sitemap_alternates_429_and_200(web, conn):
    domain = shape("throttled")
    web.reset_counters()
    answers = [conn.get(domain, "/sitemap.xml") for _ in range(4)]
    assert [a[0] for a in answers] == [429, 200, 429, 200]
    assert answers[0][1]["retry-after"] == "1"
    assert answers[1][2].startswith(b"<?xml")


def test_slow_sitemap_arrives_whole(web, conn):
    domain = shape("slow")
    site = sites.build_site(domain)
    expected = site.answer(domain, "/sitemap-pages.xml")[0].body
    status, headers, body = conn.get(domain, "/sitemap-pages.xml")
    assert (status, body) == (200, expected) and int(headers["content-length"]) == len(body)


def test_oversize_sitemap_announces_its_size(web, conn):
    domain = shape("oversize")
    conn.send(f"GET /sitemap-archive.xml HTTP/1.1\r\nHost: {domain}\r\n\r\n".encode())
    status, headers, body = conn.read(limit=4096)
    assert status == 200 and int(headers["content-length"]) == OVERSIZE_SITEMAP_BYTES
    assert body.startswith(b'<?xml version="1.0"') and b"<urlset" in body
    # hanging up mid-body must not disturb the server
    conn.close()
    other = Conn(web)
    try:
        assert other.get(domain, "/robots.txt")[0] == 200
    finally:
        other.close()


def test_request_log_and_site_cache(web, conn):
    domain = sites.site_domains(3)[2]
    before = len(web.requests_for(domain))
    conn.get(domain, "/")
    conn.get(domain, "/no-such-page")
    entries = web.requests_for(domain)[before:]
    assert [(e.host, e.path) for e in entries] == [(domain, "/"), (domain, "/no-such-page")]
    assert entries[1].status == (200 if sites.expected(domain).soft_404 else 404)
    assert web.cached_sites >= 1


def test_many_sites_many_requests(web):
    domains = sites.site_domains(60)
    c = Conn(web)
    try:
        for domain in domains:
            e = sites.expected(domain)
            host = e.final_url.split("/")[2]
            for url in sorted(e.page_contacts)[:3]:
                status, _, _ = c.get(host, url.split(host, 1)[1])
                assert status == 200, url
    finally:
        c.close()


def test_stop_with_open_connections_is_quiet(caplog):
    caplog.set_level(logging.DEBUG, logger="asyncio")
    server = SyntheticWeb().start()
    idle = socket.create_connection((server.host, server.port))
    busy = Conn(server)
    busy.send(b"GET / HTTP/1.1\r\nHost: broken-endless-01.com\r\n\r\n")
    busy._fill()
    server.stop()
    idle.close()
    busy.close()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_command_line_prints_the_resolve_entry():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "scrapersky_pipelines.demo.web", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("*.com:80:127.0.0.1:") and int(line.rsplit(":", 1)[1]) > 0
    finally:
        proc.send_signal(signal.SIGTERM)
        try:  # generous: on a loaded CI machine the interpreter's exit alone can take seconds
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0
