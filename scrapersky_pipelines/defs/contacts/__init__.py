"""Contact stages: page scrape (WF7) and the per-domain email crawl (WF8)."""

from scrapersky_pipelines.defs.queues.group import StageGroup
from scrapersky_pipelines.defs.queues.stage import StageSpec

from .crawl import domain_contacts
from .partitions import email_crawl_batches, page_scrape_batches
from .scrape import page_contacts

GROUP = StageGroup(
    name="contacts",
    stages=(
        # One page a row: at 100 a run, Dagster's fixed cost per run (~0.26 s of CPU) and the wait on
        # the slowest Crawl-delay host weighed on every batch (end to end 32.5 s -> 30.2 s at 250).
        StageSpec("page_scrape", page_scrape_batches, page_contacts.key, batch_size=250),
        StageSpec("email_crawl", email_crawl_batches, domain_contacts.key, batch_size=20),
    ),
    assets=(page_contacts, domain_contacts),
)
