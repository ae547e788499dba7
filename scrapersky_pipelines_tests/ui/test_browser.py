"""The Dagster UI in Debian's headless Chromium: the asset graph shows every stage, a finished run its metadata.

A real `dagster dev` (webserver and daemon) serves the code location against the test database and the
synthetic web; a few submitted domains make the domain-scan sensor launch a real batch run. Screenshots
land in the test's tmp dir (and in ui/screenshots/ with SCRAPERSKY_SAVE_SCREENSHOTS=1).
"""

from __future__ import annotations

import pytest

from scrapersky_pipelines.demo.sites import site_domains
from scrapersky_pipelines_tests.support.daemon import wait_until

pytestmark = pytest.mark.timeout(420)

STAGE_ASSETS = ("places", "local_businesses", "business_domains", "domain_metadata", "sitemap_files",
                "sitemap_pages", "page_contacts", "domain_contacts")
GROUPS = ("places", "domains", "sitemaps", "contacts")
METADATA_LABELS = ("rows", "rows_error", "duration_seconds", "items_per_second")
FINISHED_SCAN = """
query { runsOrError(filter: {pipelineName: "domain_scan_job", statuses: [SUCCESS]}, limit: 1) {
  ... on Runs { results { runId } } } }
"""


def _open(browser, url: str, height: int):
    """A fresh page at `url` (the `ui` fixture already dismissed Dagster's first-visit dialog)."""
    from playwright.sync_api import expect

    page = browser.new_context(viewport={"width": 2400, "height": height}).new_page()
    page.goto(url)
    expect(page.get_by_text("Overview", exact=True).first).to_be_visible(timeout=60_000)
    return page


def _graph_labels(page, name: str):
    """Nodes of the lineage graph labelled `name`; a group node is one too ("places" names both)."""
    return page.locator("svg foreignObject").get_by_text(name, exact=True)


def test_asset_graph_shows_every_stage(ui, browser, screenshot):
    from playwright.sync_api import expect

    page = _open(browser, f"{ui.base_url}/asset-groups", height=1400)
    try:
        expect(page.get_by_text("Global asset lineage").first).to_be_visible()
        expect(_graph_labels(page, "sitemaps").first).to_be_visible(timeout=60_000)
        if not _graph_labels(page, "domain_metadata").count():
            # Several groups start collapsed; the canvas' context menu expands them all, and the
            # choice survives a reload, which lays the expanded graph out to fit the page.
            canvas = page.locator("svg:has(foreignObject)").first.locator("xpath=..")
            canvas.click(button="right", position={"x": 30, "y": 30})  # an empty corner of the canvas
            page.get_by_text("Expand all groups").filter(visible=True).first.click()
            page.reload()
        try:
            for name in STAGE_ASSETS:
                labels = _graph_labels(page, name)
                count = 2 if name in GROUPS else 1
                expect(labels, name).to_have_count(count, timeout=30_000)
                expect(labels.nth(count - 1), name).to_be_visible()
        finally:
            page.wait_for_load_state("networkidle")  # materialization statuses fill in
            screenshot(page, "asset-graph")  # also when a stage is missing: the picture says why
    finally:
        page.context.close()


def test_a_finished_batch_run_shows_its_metadata(ui, browser, screenshot):
    from playwright.sync_api import expect

    from scrapersky_pipelines import cli

    assert cli.main(["submit", "domains", *site_domains(3), "--batch", "ui"]) == 0
    runs: list[dict] = []

    def finished() -> bool:
        runs[:] = ui.graphql(FINISHED_SCAN)["runsOrError"]["results"]
        return bool(runs)

    assert wait_until(finished, timeout=240, interval=2), ui.log_tail()
    run_id = runs[0]["runId"]

    page = _open(browser, f"{ui.base_url}/runs/{run_id}", height=2000)
    try:
        expect(page.get_by_text("RUN_SUCCESS", exact=True).first).to_be_visible(timeout=60_000)
        screenshot(page, "domain-scan-run")
        # The run's log, narrowed to its materialization, whose full metadata opens in a dialog
        # (the log row itself truncates long metadata tables).
        page.get_by_placeholder("Filter…").or_(page.get_by_placeholder("Filter...")).first.fill(
            "type:ASSET_MATERIALIZATION")
        page.keyboard.press("Enter")
        page.get_by_role("button", name="View full message").first.click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_text("Materialized value domain_metadata")).to_be_visible()
        for label in METADATA_LABELS:
            expect(dialog.get_by_text(label, exact=True).first, label).to_be_visible()
        screenshot(page, "domain-scan-run-materialization")
        dialog.get_by_role("button", name="Done").click()

        page.goto(f"{ui.base_url}/assets/domain_metadata?view=events")
        expect(page.get_by_text(f"materialized in run {run_id[:8]}").first).to_be_visible(timeout=60_000)
        table = page.locator("table").filter(has=page.get_by_text("items_per_second", exact=True)).first
        for label in METADATA_LABELS:
            expect(table.get_by_text(label, exact=True).first, label).to_be_visible()
        expect(table.get_by_text("3", exact=True).first).to_be_visible()  # rows: the three submitted domains
        screenshot(page, "domain-metadata-events")
    finally:
        page.context.close()
