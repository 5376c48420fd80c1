"""The domain model every check ends in: a verdict with an effect size and an interval.

Sign convention, written once: an effect's ``value`` is oriented so that the property under test
holding pushes it the way its ``name`` says (a rate of violations should be small; a paired
difference s(perturbed) - s(control) should be positive). ``ci_low``/``ci_high`` bound the same
quantity. Abstaining is an explicit outcome (``inconclusive``), never folded into pass or fail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"
    ERROR = "error"


class Kind(StrEnum):
    AXIOM = "axiom"
    CLAIM = "claim"
    INVARIANT = "invariant"


@dataclass(frozen=True)
class Effect:
    """A measured effect with its confidence interval (``ci_level``, two-sided)."""

    name: str
    value: float
    ci_low: float
    ci_high: float
    ci_level: float = 0.95


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome: the record the JSON report holds for it (DESIGN.md contract)."""

    check_id: str
    """Stable id of the check, e.g. ``"TFC1"`` or ``"score_determinism"``."""
    kind: Kind
    verdict: Verdict
    n: int
    """Number of cases (pairs) the effect was measured on."""
    effect: Effect
    threshold: Mapping[str, Any]
    """The decision rule and its constants, e.g. ``{"max_violation_rate": 0.0, "atol": 1e-4}``."""
    params: Mapping[str, Any] = field(default_factory=dict)
    """Parameters of this instance of the check (position, TF step, batch sizes, …)."""
    details: Mapping[str, Any] = field(default_factory=dict)
    counterexamples: Sequence[str] = ()
    """Minimal violating cases, as readable text."""
    message: str = ""
    """One sentence a reader can act on, with the numbers."""
    test_id: str = ""
    """The pytest node id that produced the record (filled in by the plugin)."""

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["kind"] = str(self.kind)
        record["verdict"] = str(self.verdict)
        record["counterexamples"] = list(self.counterexamples)
        return record

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> CheckResult:
        return cls(
            check_id=record["check_id"],
            kind=Kind(record["kind"]),
            verdict=Verdict(record["verdict"]),
            n=int(record["n"]),
            effect=Effect(**record["effect"]),
            threshold=dict(record.get("threshold", {})),
            params=dict(record.get("params", {})),
            details=dict(record.get("details", {})),
            counterexamples=tuple(record.get("counterexamples", ())),
            message=str(record.get("message", "")),
            test_id=str(record.get("test_id", "")),
        )
