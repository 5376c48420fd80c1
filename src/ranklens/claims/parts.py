"""How a claim becomes a :class:`CheckResult`: its parts, their thresholds, one verdict rule.

A claim has one or more parts, each an effect with an interval and a threshold (e.g. "the heads
found recover > 0.5 of the effect" and "their attention to matches rises"). Intervals are at the
circuit family's level (Bonferroni over :data:`~ranklens.claims.statements.CLAIM_IDS`); the verdict is
:func:`ranklens.stats.decide_all` over the parts. A failed precondition (nothing to attribute,
no heads found) is ``inconclusive`` with the reason, never a pass or a fail; so is a part
measured on fewer cases than its :class:`ranklens.stats.CaseBound` needs (:data:`MEAN_BOUND`: 8).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ranklens.claims.statements import CLAIM_IDS
from ranklens.stats import CaseBound, decide_all, family_level, sign_bound
from ranklens.verdicts import Better, CheckResult, Effect, Kind, Verdict

LEVEL = family_level(len(CLAIM_IDS))
"""Confidence level of every claim interval: the family of claims holds jointly at 95 %."""
MEAN_BOUND = sign_bound(LEVEL)
"""The fewest cases a part judged by a bootstrap of per-case values needs (8 for six claims)."""


@dataclass(frozen=True)
class Part:
    """One measured part of a claim."""

    effect: Effect
    threshold: float
    meaning: str
    """What passing this part means, in words (shown in the report)."""
    n: int
    """Cases the effect was measured on."""
    bound: CaseBound = MEAN_BOUND
    """The fewest cases with which this part could pass and fail."""


def claim_result(
    check_id: str,
    parts: Sequence[Part],
    *,
    n: int,
    statement: str,
    citation: str,
    details: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
    level: float = LEVEL,
) -> CheckResult:
    """The record of a measured claim; the first part is the headline effect. ``level`` is what
    its parts' intervals were computed at (a declared claim's family is larger: see
    :mod:`ranklens.claims.declared`)."""
    too_few = [r for p in parts if (r := p.bound.shortfall(p.n, f"{check_id} ({p.effect.name})")) is not None]
    verdict = Verdict.INCONCLUSIVE if too_few else decide_all([(p.effect, p.threshold) for p in parts])
    shown = "; ".join(
        f"{p.effect.name} {p.effect.value:+.3f} [{p.effect.ci_low:+.3f}, {p.effect.ci_high:+.3f}] "
        f"(needs > {p.threshold:g}: {p.meaning})"
        for p in parts
    )
    shown = "".join(f"{reason}. " for reason in too_few) + f"{check_id}: {shown}"
    return CheckResult(
        check_id=check_id,
        kind=Kind.CLAIM,
        verdict=verdict,
        n=n,
        effect=parts[0].effect,
        threshold=_threshold(parts, level),
        params=dict(params or {}),
        details={
            "statement": statement,
            "citation": citation,
            "parts": [_part(p) for p in parts],
            **details,
        },
        message=f"{shown}; n = {n}.",
    )


def not_measurable(
    check_id: str,
    reason: str,
    *,
    statement: str,
    citation: str,
    details: Mapping[str, Any] | None = None,
    n: int = 0,
    level: float = LEVEL,
) -> CheckResult:
    """An inconclusive record for a claim whose precondition does not hold."""
    nan = float("nan")
    return CheckResult(
        check_id=check_id,
        kind=Kind.CLAIM,
        verdict=Verdict.INCONCLUSIVE,
        n=n,
        effect=Effect("not_measured", nan, nan, nan, level, better=Better.HIGHER),
        threshold={"ci_level": level, "rule": RULE},
        details={"statement": statement, "citation": citation, "precondition": reason, **(details or {})},
        message=f"{check_id}: not measurable on this model: {reason}",
    )


RULE = (
    "inconclusive if any part has fewer cases than its min_cases; "
    "pass if every part's ci_low > its threshold; fail if any part's ci_high < its threshold"
)


def _threshold(parts: Sequence[Part], level: float) -> dict[str, Any]:
    return {
        "ci_level": level,
        "rule": RULE,
        **{p.effect.name: p.threshold for p in parts},
        "min_cases": {p.effect.name: p.bound.needed for p in parts},
    }


def _part(part: Part) -> dict[str, Any]:
    e = part.effect
    return {
        "name": e.name,
        "value": e.value,
        "ci_low": e.ci_low,
        "ci_high": e.ci_high,
        "threshold": part.threshold,
        "meaning": part.meaning,
        "n": part.n,
        "min_cases": part.bound.needed,
    }
