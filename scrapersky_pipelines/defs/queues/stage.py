"""A stage spec: the queue it drains, its batch partitions, its asset job and its batch size."""

from dataclasses import dataclass

import dagster as dg

from scrapersky_pipelines.db.batches import BatchSummary, StageReport
from scrapersky_pipelines.db.stages import QUEUES, QueueSpec


@dataclass(frozen=True)
class StageSpec:
    stage: str
    partitions_def: dg.DynamicPartitionsDefinition
    asset_key: dg.AssetKey
    batch_size: int = 100
    max_batches_in_flight: int = 4
    interval_seconds: int = 5  # a tick is one indexed LIMIT query: cheap enough to ask often

    @property
    def queue(self) -> QueueSpec:
        return QUEUES[self.stage]

    @property
    def job_name(self) -> str:
        return f"{self.stage}_job"

    def job(self) -> dg.JobDefinition:
        return dg.define_asset_job(
            self.job_name,
            # The stall check is the stall sensor's and the operator's: a batch run never waits on it.
            selection=dg.AssetSelection.assets(self.asset_key).without_checks(),
            partitions_def=self.partitions_def,
            executor_def=dg.in_process_executor,
            description=f"Process one claimed batch of the {self.stage} queue.",
            tags={"scrapersky/stage": self.stage},
        )


def batch_partitions(stage: str) -> dg.DynamicPartitionsDefinition:
    return dg.DynamicPartitionsDefinition(name=f"{stage}_batches")


def stage_input(stage: str) -> dg.In:
    """The root input of a stage's first op: its batch rows, loaded by the IO manager."""
    return dg.In(input_manager_key="pg_io", metadata={"stage": stage})


def stage_output(stage: str) -> dg.Out:
    return dg.Out(io_manager_key="pg_io", metadata={"stage": stage})


def summary_op(stage: str, name: str) -> dg.OpDefinition:
    """A stage's last op when it has no policies: the persisted batch becomes the asset's metadata."""

    @dg.op(name=name, out=stage_output(stage))
    def _summarize(summary: BatchSummary) -> StageReport:
        return StageReport(summary)

    return _summarize


def after_input() -> dg.In:
    """A stage's first op waits on nothing real: this input only draws the asset's lineage."""
    return dg.In(dg.Nothing, description="lineage only: the stage that queued these rows")


@dg.success_hook(required_resource_keys={"io_manager"})
def requires_io_manager(context: dg.HookContext) -> None:
    """Does nothing; attached to every stage asset so that one can be materialized on its own.

    A graph asset's own output always names the `io_manager` key, but Dagster (1.13,
    dagster-io/dagster#32862) gives a run of one asset (an asset backfill, Materialize in the UI)
    only the resources its ops and hooks require, so without this every such run failed to launch.
    """


def upstream(asset: dg.AssetsDefinition) -> dict[str, dg.AssetIn]:
    """`ins` of a stage asset fed by `asset`'s stage. Batches of different stages do not line up,
    so each batch depends on the upstream asset as a whole."""
    return {"after": dg.AssetIn(asset.key, partition_mapping=dg.AllPartitionMapping())}


def stage_asset(name: str, *, group: str, partitions_def: dg.PartitionsDefinition, description: str,
                after: dg.AssetsDefinition | None = None):
    """The graph-asset decorator every stage shares: batch partitions, a backfill policy that packs
    ten batches into one run, kinds, and lineage to the stage that feeds it."""
    return dg.graph_asset(
        name=name,
        group_name=group,
        partitions_def=partitions_def,
        ins=upstream(after) if after is not None else None,
        backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=10),
        kinds={"python", "postgres"},
        description=description,
    )
