"""Domain stages: submission and the homepage metadata scan (WF4)."""

from scrapersky_pipelines.defs.queues.group import StageGroup
from scrapersky_pipelines.defs.queues.stage import StageSpec

from .assets import domain_metadata
from .jobs import submit_domains
from .partitions import domain_scan_batches

GROUP = StageGroup(
    name="domains",
    stages=(StageSpec("domain_scan", domain_scan_batches, domain_metadata.key, batch_size=100),),
    assets=(domain_metadata,),
    jobs=(submit_domains,),
)
