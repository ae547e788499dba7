"""`scrapersky search places ...` and `scrapersky curate ...`: queue a Places search, curate rows."""

from __future__ import annotations

import argparse
import sys


def _search_places(args: argparse.Namespace) -> int:
    from scrapersky_pipelines.cli import in_transaction
    from scrapersky_pipelines.db.places import InvalidSearch, SearchRequest

    try:
        request = SearchRequest.build(
            args.business_type, args.location, radius_km=args.radius_km, lat=args.lat, lng=args.lng,
            max_results=args.max_results,
        )
    except InvalidSearch as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    in_transaction(request.persist)
    extras = [f"up to {request.max_results} results"]
    if request.radius_km is not None:
        extras.append(f"radius {request.radius_km:g} km")
    if request.lat is not None:
        extras.append(f"near {request.lat:g},{request.lng:g}")
    query = f"{request.business_type} in {request.location}"
    print(f'search {request.search_id} queued: "{query}" ({", ".join(extras)})')
    if request.radius_km is not None and request.lat is None:
        print("note: --radius-km only biases results together with --lat/--lng", file=sys.stderr)
    return 0


def _curate(args: argparse.Namespace) -> int:
    from scrapersky_pipelines.db.curation import (
        CurationError,
        parse_filters,
        parse_status,
        set_curation,
        target,
    )
    from scrapersky_pipelines.cli import in_transaction

    try:
        entity = target(args.entity).entity
        status = parse_status(args.status)
        filters = parse_filters(entity, args.where) if args.where else None
        ids = [i for chunk in args.ids for i in chunk.split(",") if i.strip()] if args.ids else None
        result = in_transaction(
            lambda session: set_curation(session, entity, status, ids=ids, filters=filters, requeue=args.requeue))
    except CurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.summary())
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `search places` and `curate` to the `scrapersky` command."""
    search = subparsers.add_parser("search", help="start a search")
    kinds = search.add_subparsers(dest="search_what", required=True)
    sp = kinds.add_parser("places", help='queue a Google Places search for "<business type> in <location>"')
    sp.add_argument("business_type", help='e.g. "dentist"')
    sp.add_argument("location", help='e.g. "Boston, MA"')
    sp.add_argument("--radius-km", type=float, help="bias radius (needs --lat/--lng; Google's maximum is 50)")
    sp.add_argument("--lat", type=float, help="centre of the location bias")
    sp.add_argument("--lng", type=float, help="centre of the location bias")
    sp.add_argument("--max-results", type=int, default=60, help="1..60 (Google returns at most 60)")
    sp.set_defaults(func=_search_places)

    cu = subparsers.add_parser(
        "curate",
        help="set the curation status of rows; Selected queues their next stage",
        description="ENTITY is places, local_businesses, domains, sitemap_files or pages. Selected queues "
        "places→deep_scan, local_businesses→domain_extraction, domains→domain_scan, "
        "sitemap_files→sitemap_import, pages→page_scrape; other statuses never queue.",
    )
    cu.add_argument("entity", metavar="ENTITY")
    which = cu.add_mutually_exclusive_group(required=True)
    which.add_argument("--ids", nargs="+",
                       help="row ids or natural keys (place id, domain, URL); commas work too")
    which.add_argument("--where", nargs="+", action="extend", metavar="FIELD=VALUE",
                       help='whitelisted columns only, ANDed; VALUE "null" means IS NULL')
    cu.add_argument("--set", dest="status", required=True, metavar="STATUS",
                    help="New, Selected, Maybe, NotAFit or Archived")
    cu.add_argument("--requeue", action="store_true",
                    help="with Selected, also queue rows whose next stage already finished")
    cu.set_defaults(func=_curate)
