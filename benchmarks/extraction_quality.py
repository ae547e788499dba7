"""Contact-extraction quality and speed on the labelled corpus.

The corpus is `scrapersky_pipelines_tests/lib/contact_corpus/`: pages rendered by its `generate.py` plus
hand-written ones under `pages/`, each with a gold line (page URL, region hint, response headers and cookies,
and the emails, phone numbers (E.164), social profiles and technologies a careful reader finds on the page).

For every page `contacts.extract(html, url, region)` and `tech.detect(html, headers, cookies)` run once; the
scores are micro-averaged over all pages: emails compared case-insensitively, phones as E.164, socials as
(network, canonical URL) pairs, technologies by name. Email kinds are scored on correctly found addresses.
Speed is pages per second of extraction (contacts + tech) over `--repeat` passes of the whole corpus,
measured with the process CPU clock (steadier than wall time on a shared machine).

    python -m benchmarks.extraction_quality [--repeat N] [--show-errors]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapersky_pipelines.lib import contacts, tech

CORPUS = Path(__file__).resolve().parents[1] / "scrapersky_pipelines_tests" / "lib" / "contact_corpus"
FIELDS = ("emails", "phones", "socials", "tech")


@dataclass(frozen=True, slots=True)
class CorpusPage:
    """One labelled page: its bytes and the gold line as written in gold.jsonl."""

    name: str
    html: bytes
    gold: dict[str, Any]

    @property
    def url(self) -> str:
        return self.gold["url"]

    @property
    def region(self) -> str | None:
        return self.gold.get("region")


@dataclass(slots=True)
class Score:
    """True/false positives and false negatives of one field, with the pages' differences."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, page: str, gold: set[Any], found: set[Any]) -> None:
        self.tp += len(gold & found)
        self.fp += len(found - gold)
        self.fn += len(gold - found)
        for item in sorted(map(str, found - gold)):
            self.errors.append(f"{page}: extra {item}")
        for item in sorted(map(str, gold - found)):
            self.errors.append(f"{page}: missed {item}")


@dataclass(slots=True)
class Report:
    """Scores of every field, kind accuracy, name-mapping mismatches and pages whose fields differ."""

    scores: dict[str, Score]
    kinds_right: int = 0
    kinds_total: int = 0
    kind_errors: list[str] = field(default_factory=list)
    name_errors: list[str] = field(default_factory=list)
    exact_pages: dict[str, int] = field(default_factory=dict)
    pages: int = 0

    @property
    def kind_accuracy(self) -> float:
        return self.kinds_right / self.kinds_total if self.kinds_total else 1.0


def load_corpus(directory: Path = CORPUS) -> list[CorpusPage]:
    """Every page with its gold line: generated pages rendered in memory, hand-written ones from disk."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("contact_corpus_generate", directory / "generate.py")
    generate = sys.modules.get(spec.name)
    if generate is None:
        generate = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = generate  # its dataclasses look their module up there
        spec.loader.exec_module(generate)
    return [CorpusPage(name, html, gold) for name, html, gold in generate.build_corpus()]


def extracted_sets(result: contacts.ContactExtraction, techs: Iterable[str]) -> dict[str, set[Any]]:
    """The comparable form of one page's extraction (see the module docstring)."""
    return {
        "emails": {hit.address.casefold() for hit in result.emails},
        "phones": {hit.e164 for hit in result.phones},
        "socials": {(network, url) for network, urls in result.socials.items() for url in urls},
        "tech": set(techs),
    }


def gold_sets(gold: dict[str, Any]) -> dict[str, set[Any]]:
    return {
        "emails": {address.casefold() for address in gold["emails"]},
        "phones": set(gold["phones"]),
        "socials": {(network, url) for network, urls in gold["socials"].items() for url in urls},
        "tech": set(gold["tech"]),
    }


def evaluate(pages: Sequence[CorpusPage]) -> Report:
    """Run both extractors on every page and score them against the gold lines."""
    report = Report({name: Score() for name in FIELDS}, exact_pages={name: 0 for name in FIELDS})
    for page in pages:
        result = contacts.extract(page.html, page.url, page.region)
        techs = tech.detect(page.html, page.gold.get("headers") or {}, page.gold.get("cookies") or {})
        found, gold = extracted_sets(result, techs), gold_sets(page.gold)
        report.pages += 1
        for name in FIELDS:
            report.scores[name].add(page.name, gold[name], found[name])
            report.exact_pages[name] += gold[name] == found[name]
        gold_kinds = {address.casefold(): kind for address, kind in page.gold["emails"].items()}
        for hit in result.emails:
            expected = gold_kinds.get(hit.address.casefold())
            if expected is None:
                continue
            report.kinds_total += 1
            if hit.kind == expected:
                report.kinds_right += 1
            else:
                report.kind_errors.append(f"{page.name}: {hit.address} is {hit.kind}, gold {expected}")
        if "names" in page.gold:
            names = {address.casefold(): name for address, name in result.names.items()}
            expected_names = {address.casefold(): name for address, name in page.gold["names"].items()}
            if names != expected_names:
                report.name_errors.append(f"{page.name}: names {names} != gold {expected_names}")
    return report


def pages_per_second(pages: Sequence[CorpusPage], repeat: int) -> float:
    """Extraction throughput (contacts + tech) over `repeat` passes, by process CPU time."""
    started = time.process_time()
    for _ in range(repeat):
        for page in pages:
            contacts.extract(page.html, page.url, page.region)
            tech.detect(page.html, page.gold.get("headers") or {}, page.gold.get("cookies") or {})
    elapsed = time.process_time() - started
    return repeat * len(pages) / elapsed if elapsed > 0 else float("inf")


def format_table(report: Report, speed: float | None) -> str:
    lines = [f"{'field':<8} {'precision':>9} {'recall':>7} {'tp':>5} {'fp':>4} {'fn':>4} {'exact pages':>12}"]
    lines.append("-" * len(lines[0]))
    for name in FIELDS:
        score = report.scores[name]
        lines.append(
            f"{name:<8} {score.precision:>9.3f} {score.recall:>7.3f} {score.tp:>5} {score.fp:>4} {score.fn:>4} "
            f"{report.exact_pages[name]:>5}/{report.pages:<6}"
        )
    lines.append("")
    lines.append(f"email kinds: {report.kinds_right}/{report.kinds_total} right ({report.kind_accuracy:.3f})")
    if speed is not None:
        lines.append(f"speed: {speed:,.0f} pages/s (contacts + tech, CPU time)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the corpus for the speed figure")
    parser.add_argument("--show-errors", action="store_true", help="list every extra and missed item")
    args = parser.parse_args(argv)

    pages = load_corpus()
    report = evaluate(pages)
    speed = pages_per_second(pages, max(1, args.repeat))
    kilobytes = sum(len(page.html) for page in pages) / 1024
    print(f"corpus: {len(pages)} pages, {kilobytes:,.0f} KiB, {CORPUS}")
    print()
    print(format_table(report, speed))
    if args.show_errors:
        for name in FIELDS:
            for error in report.scores[name].errors:
                print(f"  [{name}] {error}")
        for error in report.kind_errors + report.name_errors:
            print(f"  [kinds/names] {error}")
    s = report.scores
    print()
    print(
        "ratios: "
        + ", ".join(f"{name} P={s[name].precision:.3f} R={s[name].recall:.3f}" for name in FIELDS)
        + f", kinds={report.kind_accuracy:.3f}, {speed:,.0f} pages/s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
