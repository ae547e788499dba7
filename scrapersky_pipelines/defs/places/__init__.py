"""Places stages: WF1 search, WF2 deep scan, WF3 domain extraction, and curation."""

from scrapersky_pipelines.defs.queues.group import StageGroup
from scrapersky_pipelines.defs.queues.stage import StageSpec

from .deep_scan import local_businesses_asset
from .extraction import business_domains_asset
from .jobs import curate, search_places
from .partitions import deep_scan_batches, domain_extraction_batches, place_search_batches
from .search import places_asset

GROUP = StageGroup(
    name="places",
    stages=(
        # Searches are few and slow (up to 3 pages each); keep the Places quota in mind.
        StageSpec(
            "place_search", place_search_batches, places_asset.key, batch_size=5, max_batches_in_flight=2
        ),
        StageSpec(
            "deep_scan", deep_scan_batches, local_businesses_asset.key, batch_size=50, max_batches_in_flight=2
        ),
        StageSpec("domain_extraction", domain_extraction_batches, business_domains_asset.key, batch_size=200),
    ),
    assets=(places_asset, local_businesses_asset, business_domains_asset),
    jobs=(search_places, curate),
)
