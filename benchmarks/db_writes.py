"""Database benchmark: pages and contacts written per second through pgbouncer (transaction mode).

Three ways to write the same rows, each chunk in its own transaction through the pooler, on the
project's sync engine (psycopg, no prepared statements):

- `bulk upsert`: `db.bulk.upsert_pages` / `upsert_contacts` in chunks of `bulk.CHUNK_ROWS`
  (COPY into an ON COMMIT DROP temp table, then one INSERT ... ON CONFLICT ... RETURNING), as the
  import and scrape stages write; measured on an empty table (all inserts) and again on the same
  rows (all conflicts: the re-import path);
- `raw COPY`: the same rows COPYed straight into the table (no dedup, no conflict handling): the
  ceiling;
- `per-row INSERT`: one INSERT ... ON CONFLICT DO NOTHING statement per row (what the original
  did), on a smaller sample because it is slow; rows/s is what counts.

Each figure is the best of `--repeat` runs (the machine is shared: the fastest run is the one
least disturbed by other work), the table emptied before each insert run.

    python -m benchmarks.db_writes [--quick] [--pages N] [--contacts N] [--repeat N]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from benchmarks import common
from scrapersky_pipelines.db import bulk
from scrapersky_pipelines.db.enums import ProcessingStatus as PS
from scrapersky_pipelines.db.models import Contact, Domain, Page
from scrapersky_pipelines.resources.database import Database

DOMAINS = 200


def page_rows(n: int, domain_ids: Sequence[int]) -> list[bulk.PageRow]:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(n):
        queued = i % 20 == 0
        filtered = i % 7 == 0
        rows.append(bulk.PageRow(
            domain_id=domain_ids[i % len(domain_ids)], url=f"https://site-{i % len(domain_ids)}.com/p/{i}/page",
            sitemap_file_id=None, lastmod=base + timedelta(minutes=i), category="contact" if queued else "other",
            confidence=0.9 if queued else 0.3, depth=2, filter_reason="asset" if filtered else None,
            queue_scrape=queued and not filtered, filtered=filtered,
        ))
    return rows


def contact_rows(n: int, domain_ids: Sequence[int]) -> list[bulk.ContactRow]:
    return [
        bulk.ContactRow(domain_ids[i % len(domain_ids)], f"person{i}@site-{i % len(domain_ids)}.com", "personal",
                        None, f"https://site-{i % len(domain_ids)}.com/contact", f"+1512555{i % 10000:04d}",
                        f"Person {i}", "page_scrape")
        for i in range(n)
    ]


def _page_tuple(r: bulk.PageRow) -> tuple:
    status = PS.FILTERED.value if r.filtered else (PS.QUEUED.value if r.queue_scrape else None)
    return (r.domain_id, r.url, r.sitemap_file_id, r.lastmod, r.category, r.confidence, r.depth,
            r.filter_reason, status, r.source)


def _contact_tuple(r: bulk.ContactRow) -> tuple:
    return (r.domain_id, r.email, r.email_kind, r.page_id, r.source_url, r.phone, r.name, r.found_by)


KINDS: dict[str, dict] = {
    "pages": {"table": "pages", "columns": bulk.PAGE_COLUMNS, "upsert": bulk.upsert_pages, "tuple": _page_tuple,
              "model": Page},
    "contacts": {"table": "contacts", "columns": bulk.CONTACT_COLUMNS, "upsert": bulk.upsert_contacts,
                 "tuple": _contact_tuple, "model": Contact},
}


def write_bulk(database: Database, kind: str, rows: Sequence) -> None:
    upsert = KINDS[kind]["upsert"]
    for chunk in bulk.chunks(list(rows)):
        database.run(lambda s: upsert(s, chunk))


def write_copy(database: Database, kind: str, rows: Sequence) -> None:
    spec = KINDS[kind]
    for chunk in bulk.chunks(list(rows)):
        values = [spec["tuple"](r) for r in chunk]
        database.run(lambda s: bulk._copy(s, spec["table"], spec["columns"], values))  # noqa: SLF001


def write_per_row(database: Database, kind: str, rows: Sequence) -> None:
    spec = KINDS[kind]
    columns = spec["columns"]
    stmt = sa.text(
        f"INSERT INTO {spec['table']} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)}) "
        "ON CONFLICT DO NOTHING"
    )

    def insert_each(session, chunk) -> None:  # type: ignore[no-untyped-def]
        for r in chunk:
            session.execute(stmt, dict(zip(columns, spec["tuple"](r))))

    for chunk in bulk.chunks(list(rows)):
        database.run(lambda s: insert_each(s, chunk))


def measure(st: common.Stack, database: Database, kind: str, rows: Sequence,
            write: Callable[[Database, str, Sequence], None], repeat: int, *, empty_first: bool = True) -> float:
    """Best rows/s over `repeat` runs."""
    rates = []
    for _ in range(repeat):
        if empty_first:
            st.db.execute(f"TRUNCATE {KINDS[kind]['table']} RESTART IDENTITY CASCADE")
        with common.Clock() as clock:
            write(database, kind, rows)
        rates.append(common.per_second(len(rows), clock.wall))
    return max(rates)


def count(database: Database, kind: str) -> int:
    model = KINDS[kind]["model"]
    return database.run(lambda s: s.execute(sa.select(sa.func.count()).select_from(model)).scalar_one())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="small row counts (seconds)")
    parser.add_argument("--pages", type=int, help="page rows (default 30,000; 5,000 with --quick)")
    parser.add_argument("--contacts", type=int, help="contact rows (default 20,000; 2,000 with --quick)")
    parser.add_argument("--per-row", type=int, help="rows for the per-row INSERT runs (default 1,000; 300 quick)")
    parser.add_argument("--repeat", type=int, help="runs per figure, best shown (default 3; 1 with --quick)")
    args = parser.parse_args(argv)
    sizes = {"pages": args.pages or (5_000 if args.quick else 30_000),
             "contacts": args.contacts or (2_000 if args.quick else 20_000)}
    per_row = args.per_row or (300 if args.quick else 1_000)
    repeat = args.repeat or (1 if args.quick else 3)

    with common.stack() as st:
        st.reset()
        database = Database(url=st.url)
        ids = database.run(lambda s: list(s.execute(
            sa.insert(Domain).returning(Domain.id), [{"domain": f"site-{i}.com"} for i in range(DOMAINS)]
        ).scalars()))
        print(f"DB writes through pgbouncer (transaction mode, pool of 3), chunks of {bulk.CHUNK_ROWS:,} rows per "
              f"transaction, best of {repeat}; {common.machine_line()}", flush=True)
        rows_out = []
        ratios: dict[str, float] = {}
        for kind, n in sizes.items():
            rows = page_rows(n, ids) if kind == "pages" else contact_rows(n, ids)
            copy_rate = measure(st, database, kind, rows, write_copy, repeat)
            bulk_rate = measure(st, database, kind, rows, write_bulk, repeat)
            stored = count(database, kind)
            again_rate = measure(st, database, kind, rows, write_bulk, repeat, empty_first=False)
            row_rate = measure(st, database, kind, rows[:per_row], write_per_row, repeat)
            if stored != n:
                raise SystemExit(f"{kind}: {stored} rows stored, expected {n}")
            ratios[kind] = bulk_rate / copy_rate
            rows_out += [
                [kind, "raw COPY (ceiling)", n, copy_rate, 1.0],
                [kind, "bulk upsert, new rows", n, bulk_rate, bulk_rate / copy_rate],
                [kind, "bulk upsert, all conflicts", n, again_rate, again_rate / copy_rate],
                [kind, "per-row INSERT", min(per_row, n), row_rate, row_rate / copy_rate],
            ]
        print()
        common.print_table(["table", "method", "rows", "rows/s", "x COPY"], rows_out)
    print()
    worst = min(ratios.values())
    verdict = "meets" if worst >= 0.5 else "MISSES"
    common.ratio_line("bulk upsert/raw COPY rows/s: " + ", ".join(f"{k} {v:.2f}x" for k, v in ratios.items())
                      + f" ({verdict} the 0.5x target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
