"""The domain metadata scan in process: launchpad submission, one batch, stored fields, metadata."""

import dagster as dg
import sqlalchemy as sa

from scrapersky_pipelines.db import queue
from scrapersky_pipelines.db.engine import transaction
from scrapersky_pipelines.db.models import Batch, Domain
from scrapersky_pipelines.db.stages import QUEUES
from scrapersky_pipelines.defs.domains.jobs import submit_domains
from scrapersky_pipelines.defs.resources import build_resources
from scrapersky_pipelines.demo.sites import broken_domain, expected, site_domains
from scrapersky_pipelines.definitions import build_definitions


def test_launchpad_submission_then_one_batch_scanned(db, web_env):
    defs = build_definitions()
    healthy = site_domains(4)
    broken = [broken_domain("404"), broken_domain("non-html")]
    with dg.instance_for_test() as instance:
        submitted = submit_domains.execute_in_process(
            instance=instance, resources=build_resources(),
            run_config={"ops": {"submit_domains_op": {"config": {
                "domains": [*healthy, *broken, "not a domain", healthy[0].upper()], "batch_name": "t"}}}},
        )
        assert submitted.success
        with transaction() as s:
            got = queue.claim(s, QUEUES["domain_scan"], 100)
        instance.add_dynamic_partitions("domain_scan_batches", [got.key])
        job = defs.resolve_job_def("domain_scan_job")
        result = job.execute_in_process(instance=instance, partition_key=got.key)
        assert result.success

    with transaction() as s:
        rows = {d.domain: d for d in s.execute(sa.select(Domain)).scalars()}
        batch = s.execute(sa.select(Batch).where(Batch.key == got.key)).scalar_one()
    assert set(rows) == {*healthy, *broken}
    for d in healthy:
        row, want = rows[d], expected(d)
        assert row.scan_status == "Complete" and row.scan_error is None
        assert row.title == want.title and row.http_status == 200
        assert row.final_url.startswith(f"http://{d}")
        assert row.sitemap_status == "Queued" and row.last_scanned_at is not None
    assert rows[broken[0]].scan_error.startswith("http_status:")
    assert rows[broken[1]].scan_error.startswith("not_html:")
    assert batch.status == "Complete" and (batch.rows_complete, batch.rows_error) == (4, 2)
    assert batch.error_counts == {"http_status": 1, "not_html": 1}

    [event] = [e for e in result.get_asset_materialization_events()]
    metadata = event.materialization.metadata
    assert metadata["rows"].value == 6 and metadata["rows_error"].value == 2
    assert metadata["errors_http_status"].value == 1 and metadata["errors_not_html"].value == 1
    assert metadata["items_per_second"].value > 0 and "first_errors" in metadata
    assert metadata["queued_sitemap_discovery"].value == 4
