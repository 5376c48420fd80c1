"""Reports as pandas tables, for the analyses people run on them: filter, pivot, plot, join.

:meth:`ReportTables.to_frame` has one tidy row per (model, check): the verdict, the headline
effect with its interval, the thresholds and where the numbers came from (seed, sample size,
ranklens version, report file). The per-case outcomes, the head-recovery grids of the head claims
and the neurons found are further frames with the same key columns (``model``, ``check_id``,
``name``), so any of them joins back to the checks. The column names are a contract (notebooks,
``ranklens summary --csv``): :data:`CHECK_COLUMNS` lists them, and a test holds them.

``ranklens.read_report`` is this module's; ``ranklens.report.read_report`` is the validated JSON
object alone, for code that needs no pandas (the gate, the HTML page).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ranklens.checks import spec_name
from ranklens.errors import RanklensError
from ranklens.report.json_report import read_report as read_report_json

CHECK_COLUMNS = (
    "model",
    "fingerprint",
    "check_id",
    "name",
    "kind",
    "verdict",
    "effect",
    "value",
    "ci_low",
    "ci_high",
    "ci_level",
    "better",
    "n",
    "min_effect",
    "thresholds",
    "seed",
    "sample_size",
    "case_source",
    "case_source_sha256",
    "ranklens_version",
    "run_status",
    "created",
    "test_id",
    "report",
)
"""Columns of :meth:`ReportTables.to_frame`, in order. ``thresholds`` is the check's whole
threshold record as JSON text (a claim has one threshold per part), ``min_effect`` the axioms';
``case_source`` is "builtin" for a report from before sources were recorded (schema 1.4)."""
KEY = ("model", "check_id", "name")


@dataclass(frozen=True)
class ReportTables:
    """One report read from disk (validated against the schema), and its tables."""

    data: Mapping[str, Any]
    path: Path

    @property
    def model(self) -> str:
        """The model's id as the report names it (a hub id, a fixture name or a directory name)."""
        model = self.data.get("model") or {}
        return str(model.get("id") or Path(str(model.get("path", "unknown"))).name)

    def to_frame(self) -> pd.DataFrame:
        """One row per check: the columns of :data:`CHECK_COLUMNS`."""
        rows = [self._check_row(check) for check in self.data["checks"]]
        return pd.DataFrame(rows, columns=list(CHECK_COLUMNS)).astype({"n": "Int64", "seed": "Int64"})

    def cases_frame(self) -> pd.DataFrame:
        """One row per (check, case): the case's id and its outcome (-1, 0, +1 for an axiom)."""
        rows = [
            {**self._key(check), "case_id": case["case_id"], "value": case["value"]}
            for check in self.data["checks"]
            for case in check.get("cases") or ()
        ]
        return pd.DataFrame(rows, columns=[*KEY, "case_id", "value"])

    def heads_frame(self) -> pd.DataFrame:
        """One row per (head claim, layer, head): the head's mean recovery on the discovery cases,
        and whether the claim found it. Where each model's soft-TF and scoring heads sit."""
        rows = []
        for check in self.data["checks"]:
            details = check.get("details") or {}
            grid = details.get("head_recovery")
            if not grid:
                continue
            found = {tuple(head) for head in details.get("heads_found") or ()}
            for layer, row in enumerate(grid):
                for head, recovery in enumerate(row):
                    key = self._key(check)
                    rows.append(
                        {**key, "layer": layer, "head": head, "recovery": recovery, "found": (layer, head) in found}
                    )
        return pd.DataFrame(rows, columns=[*KEY, "layer", "head", "recovery", "found"])

    def neurons_frame(self) -> pd.DataFrame:
        """One row per neuron a claim found (``relevance_neurons``): its layer and index."""
        rows = [
            {**self._key(check), "layer": layer, "neuron": neuron}
            for check in self.data["checks"]
            for layer, neuron in (check.get("details") or {}).get("neurons_found") or ()
        ]
        return pd.DataFrame(rows, columns=[*KEY, "layer", "neuron"])

    def _key(self, check: Mapping[str, Any]) -> dict[str, str]:
        return {
            "model": self.model,
            "check_id": check["check_id"],
            "name": spec_name(check["check_id"], check["params"]),
        }

    def _check_row(self, check: Mapping[str, Any]) -> dict[str, Any]:
        effect, threshold = check["effect"], check.get("threshold") or {}
        versions = (self.data.get("environment") or {}).get("versions") or {}
        source = self.data.get("case_source") or {}
        return {
            **self._key(check),
            "fingerprint": (self.data.get("model") or {}).get("fingerprint"),
            "kind": check["kind"],
            "verdict": check["verdict"],
            "effect": effect["name"],
            "value": effect["value"],
            "ci_low": effect["ci_low"],
            "ci_high": effect["ci_high"],
            "ci_level": effect["ci_level"],
            "better": effect.get("better"),
            "n": check["n"],
            "min_effect": threshold.get("min_effect"),
            "thresholds": json.dumps(threshold, sort_keys=True),
            "seed": self.data.get("seed"),
            "sample_size": self.data.get("sample_size"),
            "case_source": source.get("name", "builtin"),
            "case_source_sha256": source.get("sha256"),
            "ranklens_version": versions.get("ranklens"),
            "run_status": self.data.get("status"),
            "created": self.data.get("created"),
            "test_id": check.get("test_id"),
            "report": str(self.path),
        }


def read_report(path: str | os.PathLike[str]) -> ReportTables:
    """The report at ``path`` with its tables: ``read_report("reports/v2/report.json").to_frame()``."""
    source = Path(path)
    return ReportTables(read_report_json(source), source)


def read_reports(paths: Iterable[str | os.PathLike[str]]) -> pd.DataFrame:
    """The checks of several reports (models, releases) in one frame, one row per report x check."""
    tables = [read_report(path).to_frame() for path in paths]
    if not tables:
        raise RanklensError("No report given: pass the paths of one or more report.json files.")
    return pd.concat(tables, ignore_index=True)


TABLES = ("checks", "cases", "heads", "neurons")
"""What ``ranklens summary --table`` writes: a frame of each report, concatenated."""


def table_of(paths: Iterable[str | os.PathLike[str]], which: str) -> pd.DataFrame:
    """The ``which`` table (one of :data:`TABLES`) of every report in ``paths``, in one frame."""
    if which == "checks":
        return read_reports(paths)
    if which not in TABLES:
        raise RanklensError(f"Unknown table {which!r}; choose one of {', '.join(TABLES)}.")
    reports = [read_report(path) for path in paths]
    if not reports:
        raise RanklensError("No report given: pass the paths of one or more report.json files.")
    frames: list[pd.DataFrame] = [getattr(report, f"{which}_frame")() for report in reports]
    return pd.concat(frames, ignore_index=True)
