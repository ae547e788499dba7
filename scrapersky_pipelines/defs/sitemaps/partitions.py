"""Batch partitions of the sitemap stages."""

from scrapersky_pipelines.defs.queues.stage import batch_partitions

sitemap_discovery_batches = batch_partitions("sitemap_discovery")
sitemap_import_batches = batch_partitions("sitemap_import")
