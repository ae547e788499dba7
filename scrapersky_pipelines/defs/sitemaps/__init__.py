"""Sitemap stages: discovery per domain (WF4) and streaming import of each file into pages (WF5/WF6)."""

from scrapersky_pipelines.defs.queues.group import StageGroup
from scrapersky_pipelines.defs.queues.stage import StageSpec

from .discovery import sitemap_files
from .imports import sitemap_pages
from .partitions import sitemap_discovery_batches, sitemap_import_batches

GROUP = StageGroup(
    name="sitemaps",
    stages=(
        StageSpec("sitemap_discovery", sitemap_discovery_batches, sitemap_files.key, batch_size=50),
        # files_in_parallel bounds a run's memory and each file has its own budget, so a batch of
        # 100 files costs no more than 20 and keeps runs at 10 per 1,000 files.
        StageSpec("sitemap_import", sitemap_import_batches, sitemap_pages.key, batch_size=100),
    ),
    assets=(sitemap_files, sitemap_pages),
)
