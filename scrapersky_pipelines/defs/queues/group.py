"""A group of stages and the jobs that feed them: what each `defs/<group>/` package contributes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import dagster as dg

from .stage import StageSpec


@dataclass(frozen=True)
class StageGroup:
    name: str
    stages: Sequence[StageSpec]
    assets: Sequence[dg.AssetsDefinition] = ()
    jobs: Sequence[dg.JobDefinition] = ()
    sensors: Sequence[dg.SensorDefinition] = ()
    asset_checks: Sequence[dg.AssetChecksDefinition] = field(default=())
