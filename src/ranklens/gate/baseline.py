"""A baseline loaded for gating a run that has not happened yet (the pytest plugin, ``ranklens run``).

Loading and the comparability check happen when options are read, so a wrong baseline, a bad
``[tool.ranklens.gate]`` table or a seed that differs from the baseline's stops the session
before any model is loaded, not after an hour of measuring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ranklens.gate.compare import Comparison, compare_reports, require_comparable
from ranklens.gate.config import GateConfig
from ranklens.report import environment, read_report


@dataclass(frozen=True)
class Baseline:
    """A baseline report and the gate settings to judge a new run against it."""

    path: Path
    report: Mapping[str, Any]
    config: GateConfig

    @classmethod
    def for_run(
        cls,
        path: Path,
        config: GateConfig,
        *,
        seed: int,
        sample_size: int | None,
        case_source: Mapping[str, Any] | None = None,
    ) -> Baseline:
        """Load ``path`` and check that a run with ``seed``, ``sample_size`` and ``case_source`` on
        this ranklens is comparable with it; raises :class:`~ranklens.errors.RanklensError`
        subclasses otherwise."""
        report = read_report(path)
        planned = {
            "seed": seed,
            "sample_size": sample_size,
            "environment": {"versions": environment()["versions"]},
            **({} if case_source is None else {"case_source": case_source}),
        }
        require_comparable(report, planned, allow=config.allow_mismatch)
        return cls(path, report, config)

    def compare(self, new: Mapping[str, Any]) -> Comparison:
        """Gate ``new`` (a plain report dict) against this baseline; ``.failed`` is the decision.
        Call it whenever there is a baseline, also for a run with no records: an empty, interrupted
        or errored run is exactly what the gate must fail."""
        return compare_reports(self.report, new, self.config)
