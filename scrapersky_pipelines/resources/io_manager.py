"""The Postgres IO manager: owns session lifecycle for every stage op.

Loading a stage's root input takes the run's batches (rows leased to this run); loading an input
from an upstream op re-reads that op's persisted result. Every output is written in its own
transaction, so a later op's failure never undoes what an earlier op committed, and a failed
write leaves nothing behind.
"""


from typing import Any

import dagster as dg

from scrapersky_pipelines.db.batches import BatchSummary, LoadedBatch, StageReport

from .database import Database
from .metadata import summary_metadata


def run_partition_keys(context: dg.InputContext | dg.OutputContext) -> list[str]:
    """The batch keys this run covers: one partition, or a range from a multi-run backfill."""
    step = context.step_context
    if step.has_partition_key_range:
        pkr = step.partition_key_range
        partitions_def = step.run_partitions_def or step.partitions_def
        if pkr.start == pkr.end:
            return [pkr.start]
        # Dagster 1.13 reads dynamic partitions from the loading context, not from an argument.
        with dg.partition_loading_context(dynamic_partitions_store=step.instance):
            return list(partitions_def.get_partition_keys_in_range(pkr))
    if step.has_partition_key:
        return [step.partition_key]
    raise dg.DagsterInvariantViolationError("stage ops must run for batch partitions")


class PostgresIOManager(dg.ConfigurableIOManager):
    """Loads claimed batches and persists stage results, each in its own short transaction."""

    database: Database

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        if obj is None:
            return
        if not callable(getattr(obj, "persist", None)):
            raise dg.DagsterInvariantViolationError(f"cannot persist {type(obj).__name__}")
        written = self.database.run(obj.persist, log=context.log)
        meta: dict[str, Any] = dict(written or {})
        if isinstance(obj, StageReport):
            meta.update(summary_metadata(obj.summary))
        context.add_output_metadata(meta)

    def load_input(self, context: dg.InputContext) -> Any:
        keys = run_partition_keys(context)
        run_id = context.step_context.run_id
        if context.upstream_output is None:
            stage = context.definition_metadata["stage"]
            batch = self.database.run(lambda s: LoadedBatch.load(s, stage, keys, run_id), log=context.log)
            context.log.info(f"{stage}: took {len(batch.rows)} rows of {len(keys)} batch(es)")
            return batch
        stage = context.upstream_output.definition_metadata["stage"]
        return self.database.run(lambda s: BatchSummary.load(s, stage, keys), log=context.log)
