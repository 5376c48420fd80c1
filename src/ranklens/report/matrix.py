"""The verdict matrix: every check x every model, each cell a verdict with its effect [interval].

Built from JSON reports alone (one per model), so the table a README or a review shows is a
function of reports that anyone can regenerate; ``scripts/verdict_matrix.py`` writes it for the
fixture zoo and a test keeps the README's copy equal to it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

MATRIX_VERSION = 1
_MARK = {"pass": "pass", "fail": "**FAIL**", "inconclusive": "inc.", "error": "**ERROR**"}


def matrix_from_reports(reports: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """``{"models": [...], "checks": {check_id: {model: cell}}}`` from reports keyed by model name.

    A cell keeps what the table shows (verdict, effect name, value, interval, n) and nothing a
    reader cannot check against the report it came from (the run's seed and profile are kept per model).
    """
    checks: dict[str, dict[str, dict[str, Any]]] = {}
    runs: dict[str, dict[str, Any]] = {}
    for model, report in reports.items():
        runs[model] = {
            "seed": report.get("seed"),
            "sample_size": report.get("sample_size"),
            "status": report.get("status"),
            "ranklens": report.get("environment", {}).get("versions", {}).get("ranklens"),
        }
        for check in report["checks"]:
            effect = check["effect"]
            checks.setdefault(check["check_id"], {})[model] = {
                "kind": check["kind"],
                "verdict": check["verdict"],
                "effect": effect["name"],
                "value": _finite(effect["value"]),
                "ci": [_finite(effect["ci_low"]), _finite(effect["ci_high"])],
                "n": check["n"],
            }
    return {"version": MATRIX_VERSION, "models": list(reports), "runs": runs, "checks": checks}


def render_matrix(matrix: Mapping[str, Any], *, kinds: Sequence[str] = ("axiom", "claim")) -> str:
    """A Markdown table: one row per check of ``kinds`` (in that order), one column per model."""
    models: list[str] = list(matrix["models"])
    lines = ["| check | " + " | ".join(f"`{m}`" for m in models) + " |", "|---" * (len(models) + 1) + "|"]
    for kind in kinds:
        for check_id, cells in matrix["checks"].items():
            if next(iter(cells.values()))["kind"] != kind:
                continue
            row = [_cell(cells.get(model)) for model in models]
            lines.append(f"| {check_id} | " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def _cell(cell: Mapping[str, Any] | None) -> str:
    if cell is None:
        return "—"
    value, (low, high) = cell["value"], cell["ci"]
    if value is None:
        return _MARK[cell["verdict"]]
    interval = "" if low is None or high is None else f" [{low:.2f}, {high:.2f}]"
    return f"{_MARK[cell['verdict']]} {value:.2f}{interval}"


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 4)
