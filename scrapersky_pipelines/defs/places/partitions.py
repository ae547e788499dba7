"""Batch partitions of the Places stages (one dynamic partition per claimed batch)."""

from scrapersky_pipelines.defs.queues.stage import batch_partitions

place_search_batches = batch_partitions("place_search")
deep_scan_batches = batch_partitions("deep_scan")
domain_extraction_batches = batch_partitions("domain_extraction")
