"""Batch partitions of the contact stages."""

from scrapersky_pipelines.defs.queues.stage import batch_partitions

page_scrape_batches = batch_partitions("page_scrape")
email_crawl_batches = batch_partitions("email_crawl")
