"""The gate's answer in words: a table for ``ranklens compare`` and lines for the pytest section.

Formatting only; the CLI and the plugin decide where the text goes (library code never prints).
"""

from __future__ import annotations

import math

from ranklens.gate.compare import CheckComparison, Comparison, Status
from ranklens.verdicts import CheckResult

_COLUMNS = ("status", "check", "verdict", "effect (base -> new)", "shift [95% CI]", "compared", "tolerance")


def headline(comparison: Comparison) -> str:
    """One line: how many checks regressed, improved, changed, and so on."""
    counts = [f"{len(comparison.having(s))} {s}" for s in Status if comparison.having(s)]
    return "ranklens gate: " + (", ".join(counts) or "no checks to compare")


def describe(check: CheckComparison) -> str:
    """One readable sentence for a check the gate flags, with the numbers and the rule's inputs."""
    parts = list(check.reasons)
    if check.base is not None and check.new is not None:
        numbers = f"{check.effect_name} {_effect(check.base)} -> {_effect(check.new)}"
        if check.shift is not None:
            numbers += f" ({'paired' if check.shift.paired else 'unpaired'} shift {_shift(check)})"
        parts.append(numbers)
    parts.append(f"tolerance {check.tolerance}")
    return f"{check.status.upper()} {check.key}: " + "; ".join(parts)


def flagged_lines(comparison: Comparison, *, baseline: str) -> list[str]:
    """Lines for regressions, changes and improvements (in that order), notes, and what to do."""
    lines = [describe(c) for c in comparison.checks if c.status in (Status.REGRESSED, Status.CHANGED)]
    improved = comparison.having(Status.IMPROVED)
    lines += [describe(c) for c in improved]
    if improved:
        lines.append(
            f"{len(improved)} check(s) improved beyond tolerance: refresh the baseline ({baseline}) with the "
            "new report so that later regressions are measured from here."
        )
    lines += [f"note: {note}" for note in comparison.notes]
    return lines


def table(comparison: Comparison, *, baseline: str) -> str:
    """The whole comparison as a fixed-width table, regressions first, then the flagged lines."""
    rows = [_COLUMNS, *(_row(check) for check in comparison.checks)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    body = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join([headline(comparison), "", *body, "", *flagged_lines(comparison, baseline=baseline)]).rstrip()


def _row(check: CheckComparison) -> tuple[str, ...]:
    base, new = check.base, check.new
    verdict = f"{_verdict(base)} -> {_verdict(new)}"
    effect = f"{check.effect_name} {_effect(base)} -> {_effect(new)}"
    compared = "" if check.shift is None else ("paired" if check.shift.paired else "unpaired")
    shift = "" if check.shift is None else _shift(check)
    return (check.status.upper(), check.key, verdict, effect, shift, compared, f"{check.tolerance.value:g}")


def _verdict(record: CheckResult | None) -> str:
    return "-" if record is None else str(record.verdict)


def _effect(record: CheckResult | None) -> str:
    if record is None or not math.isfinite(record.effect.value):
        return "-"
    return f"{record.effect.value:.4g} [{record.effect.ci_low:.3g}, {record.effect.ci_high:.3g}]"


def _shift(check: CheckComparison) -> str:
    shift = check.shift
    if shift is None:
        return ""
    over = f", {shift.n} paired cases" if shift.paired else ""
    return f"{shift.value:+.4g} [{shift.ci_low:+.3g}, {shift.ci_high:+.3g}]{over}"
