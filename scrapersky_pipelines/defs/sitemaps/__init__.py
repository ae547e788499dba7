"""Sitemap stages: discovery per domain (WF4) and streaming import of each file into pages (WF5/WF6)."""

from scrapersky_pipelines.defs.queues.group import StageGroup
from scrapersky_pipelines.defs.queues.stage import StageSpec

from .imports import sitemap_pages
from .partitions import sitemap_import_batches

GROUP = StageGroup(
    name="sitemaps",
    stages=(StageSpec("sitemap_import", sitemap_import_batches, sitemap_pages.key, batch_size=20),),
    assets=(sitemap_pages,),
)
