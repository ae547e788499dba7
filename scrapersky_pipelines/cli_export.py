"""`scrapersky export ENTITY --format csv|parquet`: any entity to a file (or stdout for CSV) via pandas."""

from __future__ import annotations

import sys
from pathlib import Path


def _export(args) -> int:
    from scrapersky_pipelines.cli import in_transaction
    from scrapersky_pipelines.db.export import export_frame

    frame = in_transaction(
        lambda session: export_frame(session, args.entity, domain=args.domain, search=args.search, limit=args.limit))
    for column in frame.columns:  # arrays and JSON become text cells, the same in CSV and Parquet
        if frame[column].map(lambda v: isinstance(v, (list, dict))).any():
            frame[column] = frame[column].map(lambda v: None if v is None else _cell(v))
    if args.format == "parquet":
        if not args.output:
            print("error: --output FILE is required for parquet", file=sys.stderr)
            return 2
        frame.to_parquet(args.output, index=False)
    elif args.output:
        frame.to_csv(args.output, index=False)
    else:
        frame.to_csv(sys.stdout, index=False)
    if args.output:
        print(f"{len(frame)} {args.entity} written to {args.output}", file=sys.stderr)
    return 0


def _cell(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def register(sub) -> None:
    from scrapersky_pipelines.db.export import ENTITIES

    p = sub.add_parser("export", help="export an entity to CSV or Parquet")
    p.add_argument("entity", choices=sorted(ENTITIES))
    p.add_argument("--format", choices=("csv", "parquet"), default="csv")
    p.add_argument("--output", "-o", type=Path, help="file to write (CSV goes to stdout without it)")
    p.add_argument("--domain", help="only rows of this domain")
    p.add_argument("--search", help="only rows whose text columns contain this (case-insensitive)")
    p.add_argument("--limit", type=int)
    p.set_defaults(func=_export)
