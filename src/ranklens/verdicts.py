"""The domain model every check ends in: a verdict with an effect size and an interval.

Sign convention, written once: an effect's ``value`` is oriented so that the property under test
holding pushes it the way its ``name`` says (a rate of violations should be small; a paired
difference s(perturbed) - s(control) should be positive). ``Effect.better`` says the same thing in a
form the release gate can read. ``ci_low``/``ci_high`` bound the same quantity. Abstaining is an
explicit outcome (``inconclusive``), never folded into pass or fail.

Per-case outcomes (:class:`CaseOutcome`) let the gate compare two runs case by case: the same
seed gives the same cases, so a paired difference is far more sensitive than two intervals.
"""

from __future__ import annotations

import hashlib
import json
import re
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


class Better(StrEnum):
    """Which way an effect moves when the property under test holds more strongly."""

    HIGHER = "higher"
    LOWER = "lower"


@dataclass(frozen=True)
class Effect:
    """A measured effect with its confidence interval (``ci_level``, two-sided)."""

    name: str
    value: float
    ci_low: float
    ci_high: float
    ci_level: float = 0.95
    better: Better | None = None
    """``lower`` for rates of violations, ``higher`` for paired differences and (pos - neg)/n.
    ``None`` (not stated) leaves the gate unable to call a shift a regression: it then judges the
    check by its verdict alone and shows the shift as a change to review."""


@dataclass(frozen=True)
class CaseOutcome:
    """One case's contribution to a check's effect, for the paired comparison of two runs.

    ``value`` is on the effect's scale and orientation, so that the mean over cases is the effect
    (a 0/1 violation indicator for a rate, a score difference for a mean paired difference, -1/0/1
    for (pos - neg)/n). ``case_id`` must be stable given the seed: build it with :func:`case_id`
    from what defines the case, never from a position in a list or a score.
    """

    case_id: str
    value: float


def case_id(*parts: object) -> str:
    """A stable id for a case: a short hash of what defines it, e.g. (query, document, perturbation).

    Parts are JSON-encoded (so ``("a b", "c")`` and ``("a", "b c")`` differ) and must be JSON
    values: strings, numbers, and lists or mappings of them.
    """
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


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
    cases: Sequence[CaseOutcome] = ()
    """Per-case outcomes (optional); with them the gate compares two runs case by case."""
    message: str = ""
    """One sentence a reader can act on, with the numbers."""
    test_id: str = ""
    """The pytest node id that produced the record (filled in by the plugin)."""

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["kind"] = str(self.kind)
        record["verdict"] = str(self.verdict)
        record["counterexamples"] = list(self.counterexamples)
        record["cases"] = [asdict(case) for case in self.cases]
        record["effect"]["better"] = None if self.effect.better is None else str(self.effect.better)
        return record

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> CheckResult:
        return cls(
            check_id=record["check_id"],
            kind=Kind(record["kind"]),
            verdict=Verdict(record["verdict"]),
            n=int(record["n"]),
            effect=_effect(record["effect"]),
            threshold=dict(record.get("threshold", {})),
            params=dict(record.get("params", {})),
            details=dict(record.get("details", {})),
            counterexamples=tuple(record.get("counterexamples", ())),
            message=str(record.get("message", "")),
            test_id=str(record.get("test_id", "")),
            cases=tuple(CaseOutcome(str(c["case_id"]), float(c["value"])) for c in record.get("cases", ())),
        )


_MODEL_IN_TEST_ID = re.compile(r"(?P<sep>[-\[])model=(?P<name>[A-Za-z0-9._-]+)\]$")
"""The last id part pytest adds to every test when one session tests several models."""


def model_in_test_id(test_id: str) -> str | None:
    """The model a test id names (``…[position=append-model=minilm-ce]`` -> ``minilm-ce``), if any."""
    match = _MODEL_IN_TEST_ID.search(test_id)
    return None if match is None else match["name"]


def one_model_test_id(test_id: str) -> str:
    """The test id one model's session gives the same test, so runs of one model and of several compare."""
    match = _MODEL_IN_TEST_ID.search(test_id)
    if match is None:
        return test_id
    return test_id[: match.start()] + ("]" if match["sep"] == "-" else "")


def _effect(record: Mapping[str, Any]) -> Effect:
    """An effect from its JSON form, where an undefined number is ``null`` (NaN in memory)."""

    def number(key: str) -> float:
        value = record.get(key)
        return float("nan") if value is None else float(value)

    better = record.get("better")
    return Effect(
        name=str(record["name"]),
        value=number("value"),
        ci_low=number("ci_low"),
        ci_high=number("ci_high"),
        ci_level=float(record.get("ci_level", 0.95)),
        better=None if better is None else Better(better),
    )
