"""Sitemap parser benchmark: ours (`scrapersky_pipelines.lib.sitemaps`) against ultimate-sitemap-parser.

Workloads, generated once into a temporary directory so every parser reads the same bytes:

- `urlset-50k`: one 50,000-URL urlset (loc with a query string, lastmod, changefreq, priority), plain;
- `urlset-50k.gz`: the same file gzipped;
- `index-1M`: a sitemap index listing 20 children plus the 20 child urlsets of 50,000 URLs each
  (gzipped), parsed one file after the other.

Parsers, each run in a fresh subprocess so its peak RSS (`resource.getrusage` in the child) is its own:

- `usp`: `usp.tree.sitemap_from_str` on the decoded text (gunzipped first when needed, as USP's
  own fetcher does), pages counted through `all_pages()`;
- `ours-stream`: `iter_sitemap` over the open file in 256 KiB chunks, records counted, none kept;
- `ours-list`: `parse_sitemap` on the file's bytes (all records kept in a list, deduplicated).

URLs/s is computed from the child's CPU time for the parsing itself (steadier than wall time on a
shared machine); wall seconds are shown as well. `--quick` shrinks the files so a run takes seconds.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PARSERS = ("usp", "ours-stream", "ours-list")
HOST = "https://www.example-shop.com"
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
FREQS = ("daily", "weekly", "monthly")


@dataclass(frozen=True, slots=True)
class Workload:
    name: str
    files: tuple[str, ...]
    urls: int


def urlset_text(child: int, n: int) -> str:
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NS}">\n']
    for i in range(n):
        parts.append(
            f"  <url>\n    <loc>{HOST}/c{child}/category-{i % 97}/product-{i}.html?ref=sitemap&amp;id={i}</loc>\n"
            f"    <lastmod>2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}T{i % 24:02d}:15:00+00:00</lastmod>\n"
            f"    <changefreq>{FREQS[i % 3]}</changefreq>\n    <priority>0.{i % 10}</priority>\n  </url>\n"
        )
    parts.append("</urlset>\n")
    return "".join(parts)


def generate(directory: Path, urls: int, children: int) -> list[Workload]:
    """Write the benchmark files; return the workloads that use them."""
    plain = urlset_text(0, urls).encode()
    (directory / "urlset.xml").write_bytes(plain)
    (directory / "urlset.xml.gz").write_bytes(gzip.compress(plain, compresslevel=6, mtime=0))
    names = []
    for child in range(1, children + 1):
        name = f"sitemap-{child}.xml.gz"
        (directory / name).write_bytes(gzip.compress(urlset_text(child, urls).encode(), compresslevel=6, mtime=0))
        names.append(name)
    index = "".join(f"  <sitemap><loc>{HOST}/{n}</loc><lastmod>2024-05-08</lastmod></sitemap>\n" for n in names)
    (directory / "sitemap_index.xml").write_text(f'<?xml version="1.0"?>\n<sitemapindex xmlns="{NS}">\n{index}'
                                                 "</sitemapindex>\n")
    label = f"{urls // 1000}k" if urls % 1000 == 0 else str(urls)
    total = urls * children
    total_label = f"{total // 1_000_000}M" if total % 1_000_000 == 0 else f"{total // 1000}k"
    return [
        Workload(f"urlset-{label}", ("urlset.xml",), urls),
        Workload(f"urlset-{label}.gz", ("urlset.xml.gz",), urls),
        Workload(f"index-{total_label} ({children}x{label})", ("sitemap_index.xml", *names), total),
    ]


# -- child side: one parser, some files, one JSON line out -------------------------------------

def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_child(parser: str, directory: Path, files: list[str]) -> dict[str, float]:
    if parser == "usp":
        import logging

        from usp.tree import sitemap_from_str

        logging.disable(logging.WARNING)  # USP logs every page at INFO/DEBUG in some paths
    else:
        from scrapersky_pipelines.lib.sitemaps import iter_sitemap, parse_sitemap
    baseline = _maxrss_mib()
    urls = children = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for name in files:
        path = directory / name
        url = f"{HOST}/{name}"
        if parser == "usp":
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            tree = sitemap_from_str(data.decode("utf-8"))
            urls += sum(1 for _ in tree.all_pages())
            children += len(getattr(tree, "sub_sitemaps", ()))
            del tree, data
        elif parser == "ours-stream":
            with path.open("rb") as fh:
                stream = iter_sitemap(fh, url)
                urls += sum(1 for _ in stream) - stream.child_count
                children += stream.child_count
        else:
            result = parse_sitemap(path.read_bytes(), url)
            urls += len(result.entries)
            children += len(result.children)
            del result
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    return {"urls": urls, "children": children, "cpu": cpu, "wall": wall, "baseline_mib": baseline,
            "peak_mib": _maxrss_mib()}


# -- parent side -------------------------------------------------------------------------------

def _run_module(args: list[str]) -> str:
    """Run this module in a fresh interpreter; return its last stdout line."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "benchmarks.sitemap_parser", *args]
    done = subprocess.run(command, capture_output=True, text=True, cwd=root, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed:\n{done.stderr[-2000:]}")
    return done.stdout.strip().splitlines()[-1]


def measure(parser: str, directory: Path, workload: Workload) -> dict[str, float]:
    stats: dict[str, float] = json.loads(_run_module(["--child", parser, str(directory), *workload.files]))
    if stats["urls"] != workload.urls:
        raise SystemExit(f"{parser} on {workload.name}: {stats['urls']} URLs, expected {workload.urls}")
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="5,000-URL files and a 4-child index (seconds)")
    parser.add_argument("--urls", type=int, help="URLs per urlset (default 50,000; 5,000 with --quick)")
    parser.add_argument("--children", type=int, help="child urlsets in the index (default 20; 4 with --quick)")
    parser.add_argument("--parsers", default=",".join(PARSERS), help="comma-separated subset of " + ", ".join(PARSERS))
    parser.add_argument("--child", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=3, metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        name, directory, *files = args.child
        print(json.dumps(run_child(name, Path(directory), files)))
        return 0
    if args.generate:
        directory, urls_text, children_text = args.generate
        made = generate(Path(directory), int(urls_text), int(children_text))
        print(json.dumps([{"name": w.name, "files": list(w.files), "urls": w.urls} for w in made]))
        return 0

    urls = args.urls or (5_000 if args.quick else 50_000)
    children = args.children or (4 if args.quick else 20)
    parsers = [p for p in args.parsers.split(",") if p]
    unknown = set(parsers) - set(PARSERS)
    if unknown:
        parser.error(f"unknown parsers: {', '.join(sorted(unknown))}")

    with tempfile.TemporaryDirectory(prefix="sitemap-bench-") as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        # Generated in a subprocess: Linux carries a parent's peak RSS over fork+exec into the
        # child's getrusage figure, so the parent must stay small when it spawns the parsers.
        workloads = [Workload(w["name"], tuple(w["files"]), w["urls"])
                     for w in json.loads(_run_module(["--generate", str(directory), str(urls), str(children)]))]
        print(f"generated {sum(w.urls for w in workloads):,} URLs in {time.perf_counter() - started:.1f}s "
              f"(urlset.xml {os.path.getsize(directory / 'urlset.xml') / 2**20:.1f} MiB); "
              f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        header = (f"{'workload':<24} {'parser':<12} {'URLs':>10} {'wall s':>8} {'cpu s':>8} "
                  f"{'URLs/s (cpu)':>13} {'peak RSS MiB':>13} {'+ over import':>14}")
        print(header)
        print("-" * len(header))
        results: dict[tuple[str, str], dict[str, float]] = {}
        for workload in workloads:
            for name in parsers:
                stats = results[(workload.name, name)] = measure(name, directory, workload)
                rate = stats["urls"] / stats["cpu"] if stats["cpu"] else float("inf")
                print(f"{workload.name:<24} {name:<12} {int(stats['urls']):>10,} {stats['wall']:>8.2f} "
                      f"{stats['cpu']:>8.2f} {rate:>13,.0f} {stats['peak_mib']:>13.1f} "
                      f"{stats['peak_mib'] - stats['baseline_mib']:>14.1f}", flush=True)

    if "usp" not in parsers or "ours-stream" not in parsers:
        return 0
    ratios = []
    for workload in workloads:
        usp, ours = results[(workload.name, "usp")], results[(workload.name, "ours-stream")]
        ratios.append((workload.name, usp["cpu"] / ours["cpu"], usp["wall"] / ours["wall"]))
    total_usp = sum(results[(w.name, "usp")]["cpu"] for w in workloads)
    total_ours = sum(results[(w.name, "ours-stream")]["cpu"] for w in workloads)
    print()
    for name, cpu_ratio, wall_ratio in ratios:
        print(f"{name:<24} ours-stream/usp throughput: {cpu_ratio:5.1f}x cpu, {wall_ratio:5.1f}x wall")
    verdict = "meets" if min(r for _, r, _ in ratios) >= 5 else "MISSES"
    print(f"ratio ours-stream/usp (URLs/s, cpu, all workloads): {total_usp / total_ours:.1f}x "
          f"(min {min(r for _, r, _ in ratios):.1f}x; {verdict} the 5x target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
