"""`scrapersky demo`: every stage running by itself on loopback fakes, from a Places search to contacts."""

from __future__ import annotations

import argparse


def _demo(args: argparse.Namespace) -> int:
    from scrapersky_pipelines.demo.launcher import DemoOptions, run_demo

    return run_demo(DemoOptions(
        port=args.port, host=args.host, query=args.query, location=args.location,
        max_results=args.max_results, search=args.search,
    ))


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `demo` to the `scrapersky` command."""
    p = subparsers.add_parser(
        "demo",
        help="run the whole pipeline on a synthetic web and a fake Places API, with the Dagster UI",
        description="Starts the embedded PostgreSQL, a synthetic web and a fake Google Places API on loopback, "
        "the Dagster UI and daemon, and queues a Places search; every stage then runs by itself, from the "
        "search to contacts. Ctrl-C stops everything but the embedded database.",
    )
    p.add_argument("--port", type=int, default=3000, help="port of the Dagster UI (default 3000)")
    p.add_argument("--host", default="127.0.0.1", help="address of the Dagster UI (default 127.0.0.1)")
    p.add_argument("--query", default="dentist", help='business type to search for (default "dentist")')
    p.add_argument("--location", default="Boston, MA", help='where to search (default "Boston, MA")')
    p.add_argument("--max-results", type=int, default=20, help="places the search keeps, 1..60 (default 20)")
    p.add_argument("--no-search", dest="search", action="store_false",
                   help="start everything but queue no search")
    p.set_defaults(func=_demo)
