"""HTTP benchmark: pages/s through the HTTP resource with plain httpx and with the aiohttp transport.

Workload: every real page of healthy synthetic sites that set no Crawl-delay (so politeness does
not cap the rate), interleaved across hosts, fetched with `HttpClient.fetch` (robots.txt obeyed,
caps, retries, guard: the resource as the stages use it) at concurrency 1, 10 and 50. robots.txt
of every host is fetched before the clock starts, so the timed part is page fetches only. The
synthetic web runs in its own process; its CPU use is shown so a saturated server is visible.

Transports:
- `httpx`: the resource as shipped (httpx 0.28 + httpcore on anyio, guarded network backend);
- `aiohttp`: the same `HttpClient` with `lib.http_aiohttp.GuardedAiohttpTransport`;
- `httpx+sniffio`: diagnostic, the shipped transport with `import sniffio` made to succeed
  (httpcore tries that import on every lock it creates or takes; the package is not installed,
  so each try is a failed import that searches sys.path).

Before timing, both transports answer the same behaviour probes (hostile and broken sites, guard
refusals, retries, caps, robots); the outcomes must be identical, and every socket either opens is
audited: it must go to an address the resolve entries approve.

    python -m benchmarks.http_transports [--quick] [--pages N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import sys
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from benchmarks import common
from scrapersky_pipelines.demo import sites
from scrapersky_pipelines.lib.http import FetchError, HttpClient
from scrapersky_pipelines.lib.http_aiohttp import use_aiohttp
from scrapersky_pipelines.lib.netguard import Resolver
from scrapersky_pipelines.resources.http import HttpResource

CONCURRENCY = (1, 10, 50)


@contextlib.contextmanager
def sniffio_importable() -> Iterator[None]:
    """Diagnostic: make `import sniffio` succeed, as installing the sniffio package would.

    httpcore 1.0 runs `import sniffio` on every lock it creates or takes; without the package each
    call is a failed import that searches all of sys.path.
    """
    stub = types.ModuleType("sniffio")
    stub.current_async_library = lambda: "asyncio"  # type: ignore[attr-defined]
    previous = sys.modules.get("sniffio")
    sys.modules["sniffio"] = stub
    try:
        yield
    finally:
        if previous is None:
            sys.modules.pop("sniffio", None)
        else:
            sys.modules["sniffio"] = previous


@dataclass(frozen=True)
class Transport:
    name: str
    wrap: Callable[[HttpClient], HttpClient]
    with_sniffio: bool = False

    def context(self) -> contextlib.AbstractContextManager[None]:
        return sniffio_importable() if self.with_sniffio else contextlib.nullcontext()


def _as_shipped(client: HttpClient) -> HttpClient:
    return client


TRANSPORTS: dict[str, Transport] = {t.name: t for t in (
    Transport("httpx", _as_shipped),
    Transport("aiohttp", use_aiohttp),
    Transport("httpx+sniffio", _as_shipped, with_sniffio=True),
)}


def resource(resolve: str, **overrides: object) -> HttpResource:
    return HttpResource(resolve=resolve, resolve_only=True, schemes="http", **overrides)


def workload(n_sites: int) -> list[str]:
    """Real page URLs of healthy sites without Crawl-delay, round-robin across hosts."""
    per_site: list[list[str]] = []
    i = 0
    while len(per_site) < n_sites:
        i += 1
        want = sites.expected(sites.site_domain(i))
        if want.crawl_delay:
            continue
        per_site.append(sorted(want.page_urls - want.missing_pages))
    urls: list[str] = []
    for k in range(max(len(p) for p in per_site)):
        urls += [p[k] for p in per_site if k < len(p)]
    return urls


# -- connection audit -------------------------------------------------------------------------


@dataclass
class Audit:
    """Every TCP connect the event loop makes, by (address, port)."""

    connects: list[tuple[str, int]]

    def outside(self, allowed: set[tuple[str, int]]) -> list[tuple[str, int]]:
        return [c for c in self.connects if c not in allowed]


@contextlib.contextmanager
def audited(loop: asyncio.AbstractEventLoop) -> Iterator[Audit]:
    """Record the destination of every socket connect on `loop`: both transports end in
    `loop.sock_connect` (anyio through `create_connection`, aiohttp through aiohappyeyeballs)."""
    audit = Audit([])
    sock_connect = loop.sock_connect

    async def on_sock_connect(sock, address):  # type: ignore[no-untyped-def]
        audit.connects.append((str(address[0]), int(address[1])))
        return await sock_connect(sock, address)

    loop.sock_connect = on_sock_connect  # type: ignore[method-assign]
    try:
        yield audit
    finally:
        loop.sock_connect = sock_connect  # type: ignore[method-assign]


# -- behaviour probes ---------------------------------------------------------------------------


def probes(port: int, variant: int = 0) -> list[tuple[str, str]]:
    """(label, URL) pairs covering caps, retries, robots, redirects and the guard.

    The server counts attempts per host (429/503 hosts fail their first NN requests), so each
    transport gets its own spelling of the same broken host: NN zero-padded to 2 + `variant` digits.
    """
    healthy = [sites.site_domain(i) for i in (1, 2)]  # index 1 uses transport gzip

    def b(kind: str, n: int = 1) -> str:
        name = sites.broken_domain(kind, n)
        head, _, tail = name.rpartition(f"-{n:02d}.")
        return f"{head}-{n:0{2 + variant}d}.{tail}"

    return [
        ("healthy page", f"http://{healthy[0]}/"),
        ("gzip transfer", f"http://{healthy[1]}/"),
        ("404", f"http://{b('404')}/"),
        ("robots 5xx", f"http://{b('500')}/"),
        ("timeout", f"http://{b('timeout')}/"),
        ("redirect loop", f"http://{b('redirect-loop')}/"),
        ("redirect chain 3", f"http://{b('redirect-chain', 3)}/"),
        ("redirect chain 9", f"http://{b('redirect-chain', 9)}/"),
        ("oversize body", f"http://{b('oversize')}/"),
        ("endless body", f"http://{b('endless')}/"),
        ("huge html", f"http://{b('huge-html', 1)}/"),
        ("huge chunked html", f"http://{b('huge-html', 2)}/"),
        ("gzip bomb", f"http://{b('gzip-bomb')}/"),
        ("length lie (more)", f"http://{b('content-length-lie', 1)}/"),
        ("length lie (less)", f"http://{b('content-length-lie', 2)}/"),
        ("429 then ok", f"http://{b('429', 1)}/"),
        ("503 x5", f"http://{b('503', 5)}/"),
        ("reset", f"http://{b('reset')}/"),
        ("huge headers", f"http://{b('huge-headers')}/"),
        ("slow drip", f"http://{b('slow-drip')}/"),
        ("binary garbage", f"http://{b('binary-garbage')}/"),
        ("unknown host", f"http://{b('unknown-host')}/"),
        *[(f"redirect to loopback {n}", f"http://{b('redirect-loopback', n)}/") for n in range(4)],
        ("redirect to metadata", f"http://{b('redirect-metadata')}/"),
        ("redirect to localhost", f"http://{b('redirect-localhost')}/"),
        ("IP literal loopback", f"http://127.0.0.1:{port}/"),
        ("IP literal ::1", f"http://[::1]:{port}/"),
        ("decimal IP literal", "http://2130706433/"),
        ("DNS name -> loopback", "http://rebind.example/"),
        ("DNS name -> 10/8", "http://private.example/"),
    ]


async def _fake_dns(host: str, port: int) -> list[str]:
    """A lookup that answers like a hostile DNS server (never touches the network)."""
    return {"rebind.example": ["127.0.0.1"], "private.example": ["10.1.2.3"]}.get(host, [])


_PADDED = re.compile(rb"(broken-[a-z0-9-]+?-)0*(\d{2}\.(?:com|net))")


def outcome(result: object) -> str:
    """Error kind, or status and body size (host names in the body written unpadded)."""
    if isinstance(result, FetchError):
        return result.kind
    if isinstance(result, BaseException):
        return f"raised {type(result).__name__}"
    body = _PADDED.sub(rb"\1\2", result.content)  # type: ignore[attr-defined]
    return f"{result.status} {len(body)}B{' truncated' if result.truncated else ''}"  # type: ignore[attr-defined]


async def run_probes(resolve: str, wrap: Callable[[HttpClient], HttpClient],
                     variant: int) -> tuple[dict[str, str], Audit]:
    settings = resource(resolve, total_timeout=3.0, read_timeout=2.0, connect_timeout=1.0,
                        max_body_bytes=2 * 1024 * 1024).settings()
    # resolve_only off so the fake DNS answers the two *.example names; everything else is pinned.
    resolver = Resolver(settings.resolve, resolve_only=False, lookup=_fake_dns)
    port = int(resolve.rsplit(":", 1)[1])
    async with wrap(HttpClient(settings, resolver=resolver)) as client:
        with audited(asyncio.get_running_loop()) as audit:
            labels, urls = zip(*probes(port, variant))

            async def one(url: str) -> object:
                try:
                    return await client.fetch(url)
                except Exception as exc:  # noqa: BLE001 - an outcome to compare
                    return exc

            results = await asyncio.gather(*(one(u) for u in urls))
    return {label: outcome(r) for label, r in zip(labels, results)}, audit


# -- throughput ---------------------------------------------------------------------------------


async def throughput(resolve: str, wrap: Callable[[HttpClient], HttpClient], urls: list[str],
                     concurrency: int, web: common.WebProcess) -> dict[str, float]:
    async with wrap(resource(resolve, concurrency=concurrency).client()) as client:
        hosts = {u.split("/", 3)[2] for u in urls}
        await asyncio.gather(*(client.robots(f"http://{h}/") for h in hosts))
        gate = asyncio.Semaphore(concurrency)
        failures = 0
        fetched_bytes = 0

        async def one(url: str) -> None:
            nonlocal failures, fetched_bytes
            async with gate:
                try:
                    result = await client.fetch(url)
                except FetchError:
                    failures += 1
                    return
                fetched_bytes += result.size
                failures += not result.ok

        web_cpu0 = web.cpu_seconds()
        with audited(asyncio.get_running_loop()) as audit, common.Clock() as clock:
            await asyncio.gather(*(one(u) for u in urls))
        web_cpu = web.cpu_seconds() - web_cpu0
    return {
        "pages": len(urls), "failures": failures, "wall": clock.wall, "cpu": clock.cpu,
        "rate": common.per_second(len(urls), clock.wall), "cpu_ms": 1000 * clock.cpu / len(urls),
        "web_busy": web_cpu / clock.wall if clock.wall else 0.0, "mib": fetched_bytes / 2**20,
        "sockets": len(audit.connects),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a small workload (seconds)")
    parser.add_argument("--pages", type=int, help="pages per measurement (default 400; 100 with --quick)")
    parser.add_argument("--skip-probes", action="store_true", help="throughput only")
    args = parser.parse_args(argv)
    pages = args.pages or (100 if args.quick else 400)

    with common.stack() as st:
        web = st.web
        allowed = {("127.0.0.1", web.port)}
        urls = workload(max(60, pages // 20))[:pages]
        print(f"HTTP transports: {len(urls)} pages of {len({u.split('/')[2] for u in urls})} hosts per "
              f"measurement; {common.machine_line()}", flush=True)

        same, differ = True, []
        audit_ok = True
        if not args.skip_probes:
            outcomes: dict[str, dict[str, str]] = {}
            audits: dict[str, Audit] = {}
            for variant, name in enumerate(("httpx", "aiohttp")):
                outcomes[name], audits[name] = asyncio.run(run_probes(web.resolve, TRANSPORTS[name].wrap, variant))
            rows = []
            differ = []
            for label in outcomes["httpx"]:
                a, b = outcomes["httpx"][label], outcomes["aiohttp"][label]
                rows.append([label, a, b, "same" if a == b else "DIFFERENT"])
                if a != b:
                    differ.append(label)
            same = not differ
            print()
            common.print_table(["behaviour probe", "httpx", "aiohttp", ""], rows)
            for name, audit in audits.items():
                bad = audit.outside(allowed)
                audit_ok &= not bad
                print(f"{name}: {len(audit.connects)} sockets opened, "
                      f"{'all to the approved 127.0.0.1:%d' % web.port if not bad else f'UNAPPROVED: {bad}'}")

        results: dict[tuple[str, int], dict[str, float]] = {}
        rows = []
        for concurrency in CONCURRENCY:
            for name, transport in TRANSPORTS.items():
                with transport.context():
                    r = asyncio.run(throughput(web.resolve, transport.wrap, urls, concurrency, web))
                results[(name, concurrency)] = r
                rows.append([name, concurrency, r["pages"], r["failures"], r["sockets"], r["wall"], r["rate"],
                             r["cpu_ms"], f"{100 * r['web_busy']:.0f}%"])
        print()
        common.print_table(["transport", "concurrency", "pages", "failed", "new sockets", "wall s", "pages/s",
                            "client CPU ms/page", "web server CPU"], rows)
    print()
    for concurrency in CONCURRENCY:
        base = results[("httpx", concurrency)]
        print(f"concurrency {concurrency:>2}: " + ", ".join(
            f"{name}/httpx {results[(name, concurrency)]['rate'] / base['rate']:.2f}x pages/s"
            for name in TRANSPORTS if name != "httpx"))
    best = max(results, key=lambda k: results[k]["rate"])
    verdict = ("behaviour probes skipped" if args.skip_probes else "identical outcomes on every probe" if same
               else f"outcomes differ on {len(differ)} probe(s): {', '.join(differ)}")
    guard = "every socket to an approved address" if audit_ok else "GUARD VIOLATED"
    c50 = results[("aiohttp", 50)]["rate"] / results[("httpx", 50)]["rate"]
    common.ratio_line(f"aiohttp/httpx pages/s at concurrency 50: {c50:.2f}x (best {best[0]} at {best[1]}: "
                      f"{results[best]['rate']:,.0f} pages/s); {verdict}; {guard}")
    return 0 if audit_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
