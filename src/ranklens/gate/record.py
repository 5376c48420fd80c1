"""The gate's answer as plain JSON: the ``gate`` field of a gated run's report (schema 1.3).

Data flows one way: the gate decides, the report records the decision, and the HTML page (or any
other reader) shows it from the JSON alone, without importing the gate or re-applying its rule.
The shape is documented field by field in ``ranklens/report/schema.json`` (``$defs/gate``).
"""

from __future__ import annotations

from typing import Any

from ranklens.gate.compare import CheckComparison, Comparison, Shift
from ranklens.gate.table import headline
from ranklens.report import plain
from ranklens.verdicts import CheckResult


def gate_record(comparison: Comparison, *, baseline: str) -> dict[str, Any]:
    """``comparison`` against the baseline at ``baseline`` (a path, as given), as the report's ``gate``."""
    record = {
        "baseline": baseline,
        "decision": "failed" if comparison.failed else "passed",
        "headline": headline(comparison),
        "failures": list(comparison.failures),
        "notes": list(comparison.notes),
        "checks": [_check(check) for check in comparison.checks],
    }
    data: dict[str, Any] = plain(record)
    return data


def _check(check: CheckComparison) -> dict[str, Any]:
    return {
        "check": check.key,
        "status": str(check.status),
        "effect_name": check.effect_name,
        "baseline": _side(check.base),
        "new": _side(check.new),
        "shift": _shift(check.shift),
        "tolerance": {"value": check.tolerance.value, "source": check.tolerance.source},
        "reasons": list(check.reasons),
    }


def _side(record: CheckResult | None) -> dict[str, Any] | None:
    if record is None:
        return None
    effect = record.effect
    numbers = {"name": effect.name, "value": effect.value, "ci_low": effect.ci_low, "ci_high": effect.ci_high}
    return {"verdict": str(record.verdict), "effect": numbers}


def _shift(shift: Shift | None) -> dict[str, Any] | None:
    if shift is None:
        return None
    numbers = {"value": shift.value, "ci_low": shift.ci_low, "ci_high": shift.ci_high}
    return {"paired": shift.paired, **numbers, "n": shift.n}
