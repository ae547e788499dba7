"""Batch partitions of the domain stages."""

from scrapersky_pipelines.defs.queues.stage import batch_partitions

domain_scan_batches = batch_partitions("domain_scan")
