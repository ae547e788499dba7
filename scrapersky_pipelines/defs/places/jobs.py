"""Launchpad jobs: queue a places search, and curate rows (Selected queues the next stage)."""

import dagster as dg

from scrapersky_pipelines.db.curation import CurationError, CurationRequest, parse_filters, parse_status, target
from scrapersky_pipelines.db.places import InvalidSearch, SearchRequest


class SearchPlacesConfig(dg.Config):
    business_type: str
    location: str
    radius_km: float | None = None
    lat: float | None = None
    lng: float | None = None
    max_results: int = 60


@dg.op(out=dg.Out(io_manager_key="pg_io"))
def queue_place_search(context: dg.OpExecutionContext, config: SearchPlacesConfig) -> SearchRequest:
    """Validate and queue one search; the place_search sensor picks it up."""
    try:
        request = SearchRequest.build(
            config.business_type, config.location, radius_km=config.radius_km,
            lat=config.lat, lng=config.lng, max_results=config.max_results,
        )
    except InvalidSearch as exc:
        raise dg.Failure(f"invalid search: {exc}") from None
    if request.radius_km is not None and request.lat is None:
        context.log.warning("radius_km without lat/lng cannot bias the search; the location stays in the query")
    context.log.info(f'queueing "{request.business_type} in {request.location}" (up to {request.max_results})')
    return request


@dg.job(description='Queue a Google Places search ("<business type> in <location>") for the place_search stage.')
def search_places():
    queue_place_search()


class CurateConfig(dg.Config):
    entity: str
    status: str
    #: Row ids, or natural keys (a Google place id, a domain, a URL).
    ids: list[str] = []
    #: FIELD=VALUE filters on whitelisted columns, ANDed; VALUE "null" means IS NULL.
    where: list[str] = []
    #: With Selected, queue rows whose next stage already finished too.
    requeue: bool = False


@dg.op(out=dg.Out(io_manager_key="pg_io"))
def curate_rows(context: dg.OpExecutionContext, config: CurateConfig) -> CurationRequest:
    """Validate the request; the IO manager runs it in one transaction and records the counts."""
    try:
        entity = target(config.entity).entity
        status = parse_status(config.status)
        if bool(config.ids) == bool(config.where):
            raise CurationError("give either ids or where filters")
        filters = parse_filters(entity, config.where) if config.where else None
    except CurationError as exc:
        raise dg.Failure(str(exc)) from None
    return CurationRequest(entity, status, list(config.ids) or None, filters, config.requeue)


@dg.job(
    description="Set the curation status of places, local businesses, domains, sitemap files or pages by ids "
    "or by filter; Selected queues each row's next stage in the same transaction."
)
def curate():
    curate_rows()
