"""The gate's answer in words: a table for ``ranklens compare`` and lines for the pytest section.

Formatting only; the CLI and the plugin decide where the text goes (library code never prints).
Failures come first, and every string that came from a report passes through :func:`printable`,
so a check id or message cannot move the cursor, recolour or retitle the reader's terminal.
"""

from __future__ import annotations

import math
import unicodedata

from ranklens.gate.compare import CheckComparison, Comparison, Status
from ranklens.verdicts import CheckResult

_COLUMNS = ("status", "check", "verdict", "effect (base -> new)", "shift [95% CI]", "compared", "tolerance")
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Format characters that reorder the text around them on screen (a "Trojan Source" rewrite)."""
FAILURE_PREFIX = "FAILED: "
"""How a line of :func:`failure_lines` about the candidate itself (not one check's numbers) begins."""


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control characters (C0, DEL, C1) and bidirectional overrides written as
    ``\\xNN`` / ``\\uNNNN`` escapes, so that a report's strings reach a terminal as inert text."""
    return "".join(
        char if (char == "\n" and keep_newlines) or not _is_control(char) else _escaped(char) for char in text
    )


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def headline(comparison: Comparison) -> str:
    """One line: FAILED when the gate fails, then how many checks regressed, went missing, and so on."""
    counts = ", ".join(f"{len(comparison.having(s))} {s}" for s in Status if comparison.having(s))
    counts = counts or "no checks to compare"
    return f"ranklens gate: FAILED: {counts}" if comparison.failed else f"ranklens gate: {counts}"


def describe(check: CheckComparison) -> str:
    """One readable sentence for a check the gate flags, with the numbers and the rule's inputs."""
    parts = list(check.reasons)
    if check.base is not None and check.new is not None:
        numbers = f"{check.effect_name} {_effect(check.base)} -> {_effect(check.new)}"
        if check.shift is not None:
            numbers += f" ({'paired' if check.shift.paired else 'unpaired'} shift {_shift(check)})"
        parts.append(numbers)
    parts.append(f"tolerance {check.tolerance}")
    return printable(f"{check.status.upper()} {check.key}: " + "; ".join(parts))


def failure_lines(comparison: Comparison) -> list[str]:
    """Why the gate fails: what makes the candidate incomplete (``FAILED: ...``), then each
    regressed check with its numbers (``REGRESSED ...``). Empty when the gate passes."""
    lines = [printable(FAILURE_PREFIX + reason) for reason in comparison.incomplete]
    return lines + [describe(c) for c in comparison.having(Status.REGRESSED)]


def advisory_lines(comparison: Comparison, *, baseline: str) -> list[str]:
    """What does not fail the gate but deserves a look: changes, improvements, notes, what to do."""
    lines = [describe(c) for c in comparison.having(Status.CHANGED)]
    improved = comparison.having(Status.IMPROVED)
    lines += [describe(c) for c in improved]
    if improved:
        lines.append(
            f"{len(improved)} check(s) improved beyond tolerance: refresh the baseline ({baseline}) with the "
            "new report so that later regressions are measured from here."
        )
    return [printable(line) for line in lines + [f"note: {note}" for note in comparison.notes]]


def flagged_lines(comparison: Comparison, *, baseline: str) -> list[str]:
    """The failures first (:func:`failure_lines`), then the advisory lines (:func:`advisory_lines`)."""
    return failure_lines(comparison) + advisory_lines(comparison, baseline=baseline)


def table(comparison: Comparison, *, baseline: str) -> str:
    """The headline, the failures, the whole comparison as a fixed-width table (regressions and
    missing checks first), then changes, improvements and notes."""
    rows = [_COLUMNS, *(tuple(printable(cell) for cell in _row(check)) for check in comparison.checks)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    body = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    failures = failure_lines(comparison)
    advice = advisory_lines(comparison, baseline=baseline)
    sections = [[headline(comparison), *failures], body, advice]
    return "\n\n".join("\n".join(section) for section in sections if section).rstrip()


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
