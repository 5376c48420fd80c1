"""The cross-check's table, its printed explanations, and the JSON report."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

from crosscheck.judge import Tally
from crosscheck.wiring import NOT_COMPARED

HEADER = (
    "tokenizer",
    "ir_axioms",
    "ranklens spec",
    "cases",
    "comparable",
    "no q-term",
    "agree",
    "disagree",
    "abstain",
    "agree%",
    "comparable cases are",
)


def table(tallies: Sequence[Tally]) -> str:
    """One line per row and tokenizer. ``comparable`` counts the cases where ir_axioms' precondition
    held (it agreed or disagreed), ``no q-term`` those of them without any query term in either
    document, and the last column says which cases those are."""
    lines = [
        (
            t.tokenizer,
            t.row.label,
            t.row.spec,
            str(t.cases),
            str(t.comparable),
            str(t.without_query_terms),
            str(t.agree),
            str(t.disagree),
            str(t.abstain),
            "-" if t.agreement is None else f"{100 * t.agreement:.1f}",
            t.row.shows,
        )
        for t in tallies
    ]
    widths = [max(len(r[i]) for r in [HEADER, *lines]) for i in range(len(HEADER))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in [HEADER, *lines]
    )


def explain(tallies: Sequence[Tally], audit: Mapping[str, Mapping[str, Any]]) -> str:
    """The reasons for every non-agreement, the audit of our cases, and what is not compared."""
    out = ["why not agree (reason: cases):"]
    out += [
        f"  {t.tokenizer:8} {t.row.label:14} {t.row.spec:34} {count:4}  {why}"
        for t in tallies
        for why, count in t.reasons.most_common()
    ]
    if audit:
        out.append("\nour cases, checked here (cases with the finding / cases):")
        for spec, found in audit.items():
            counts = ", ".join(f"{k} {v}" for k, v in found.items() if k not in ("cases", "examples"))
            out.append(f"  {spec:34} {found['cases']:4} cases: {counts}")
    out += [f"not compared: {label}: {why}" for label, why in NOT_COMPARED.items()]
    out += [
        f"warning: ir_axioms {t.row.label} was not antisymmetric on {t.not_antisymmetric} {t.row.spec} pairs"
        for t in tallies
        if t.not_antisymmetric
    ]
    return "\n".join(out)


def write_json(
    path: Path,
    *,
    seed: int,
    sample_size: int,
    skipped: Mapping[str, int],
    tallies: Sequence[Tally],
    audit: Mapping[str, Any],
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "ir_axioms_version": version("ir_axioms"),
        "seed": seed,
        "sample_size": sample_size,
        "skipped_by_our_preconditions": skipped,
        "rows": [t.as_json() for t in tallies],
        "audit_of_our_cases": audit,
        "not_compared": NOT_COMPARED,
    }
    path.write_text(json.dumps(report, indent=2) + "\n")
