"""Sitemap stages: discovery per domain (WF4) and streaming import of each file into pages (WF5/WF6)."""

from scrapersky_pipelines.defs.queues.group import StageGroup
from scrapersky_pipelines.defs.queues.stage import StageSpec

from .discovery import sitemap_files
from .imports import sitemap_pages
from .partitions import sitemap_discovery_batches, sitemap_import_batches

GROUP = StageGroup(
    name="sitemaps",
    stages=(
        # Rows are worked a bounded number at a time, each within its own budget, so a batch of 100
        # costs no more memory than a small one and keeps runs at 10 per 1,000 rows.
        StageSpec("sitemap_discovery", sitemap_discovery_batches, sitemap_files.key, batch_size=100),
        StageSpec("sitemap_import", sitemap_import_batches, sitemap_pages.key, batch_size=100),
    ),
    assets=(sitemap_files, sitemap_pages),
)
