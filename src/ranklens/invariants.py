"""Hard invariants of scoring: properties any sound reranker deployment must have exactly.

They are the first checks of a run because every axiom and claim assumes them: a score that
depends on batch composition or changes between calls makes paired differences meaningless,
and a pair that does not fit the window would be judged on truncated text.

Each check reports the violation rate with an exact (Clopper-Pearson) interval. One violation
fails it at any sample size: a violating pair is a counterexample, not an estimate. Zero
violations pass it only when they bound the rate below :data:`MAX_VIOLATION_RATE` at
:data:`INVARIANT_LEVEL`, which takes :func:`ranklens.stats.zero_violation_bound` pairs (36);
fewer pairs are ``inconclusive``, since one clean pair says almost nothing about the next.
Scores are compared with a tolerance for floating-point round-off that depends on the dtype
(see :data:`TOLERANCES`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ranklens.models import Pair, Reranker
from ranklens.stats import ALPHA, MIN_EFFECT, proportion_ci, zero_violation_bound
from ranklens.verdicts import Better, CaseOutcome, CheckResult, Effect, Kind, Verdict, case_id

INVARIANT_LEVEL = 1 - ALPHA
"""Level of the violation-rate interval, per invariant (a failure needs no level: it is a counterexample)."""
MAX_VIOLATION_RATE = MIN_EFFECT
"""What a pass claims: violations, if any, hit fewer than one pair in ten, the scale below which
ranklens calls nothing a property of the model (:data:`ranklens.stats.MIN_EFFECT`). Ruling out
rarer violations needs about 3 / rate pairs; the default 64 pairs bound the rate below 0.056."""

TOLERANCES: dict[str, tuple[float, float]] = {
    "float32": (1e-4, 1e-4),
    "float16": (5e-2, 1e-2),
    "bfloat16": (5e-2, 1e-2),
}
"""(atol, rtol) per dtype. A different padding width changes matmul shapes and so the order of
float additions; in float32 that moves a 12-layer MiniLM score by about 1e-6, so 1e-4 is two
orders above round-off and still far below any score gap an axiom could turn on. Half precision
keeps ~3 significant digits, hence the wider band there."""

BATCH_SIZES: tuple[int, ...] = (1, 7, 32)
"""Batch size 1 is the reference (no padding at all); 7 and 32 mix lengths within a batch."""


def score_determinism(reranker: Reranker, pairs: Sequence[Pair]) -> CheckResult:
    """Scoring the same pairs twice, bypassing the cache, gives the same scores."""
    first = reranker.score(pairs, use_cache=False)
    second = reranker.score(pairs, use_cache=False)
    return _agreement("score_determinism", reranker, pairs, first, second, params={}, what="a second scoring")


def batch_size_invariance(reranker: Reranker, pairs: Sequence[Pair]) -> CheckResult:
    """A pair's score does not depend on the batch size, hence on padding or batch neighbours."""
    reference = reranker.score(pairs, use_cache=False, batch_size=BATCH_SIZES[0])
    others = {size: reranker.score(pairs, use_cache=False, batch_size=size) for size in BATCH_SIZES[1:]}
    worst = max(others, key=lambda size: float(np.abs(others[size] - reference).max(initial=0.0)))
    return _agreement(
        "batch_size_invariance",
        reranker,
        pairs,
        reference,
        others[worst],
        params={"batch_sizes": list(BATCH_SIZES), "reference_batch_size": BATCH_SIZES[0]},
        what=f"batch size {worst}",
        details={"worst_batch_size": worst},
    )


def batch_order_invariance(reranker: Reranker, pairs: Sequence[Pair], *, seed: int) -> CheckResult:
    """Shuffling the pairs permutes the scores and changes nothing else."""
    reference = reranker.score(pairs, use_cache=False)
    order = np.random.default_rng(seed).permutation(len(pairs))
    shuffled = reranker.score([pairs[i] for i in order], use_cache=False)
    restored = np.empty_like(shuffled)
    restored[order] = shuffled
    return _agreement(
        "batch_order_invariance",
        reranker,
        pairs,
        reference,
        restored,
        params={"seed": seed},
        what="scoring in shuffled order",
    )


def window_fit(reranker: Reranker, pairs: Sequence[Pair]) -> CheckResult:
    """Every case fits the model's window, so nothing is judged on truncated text."""
    lengths = reranker.token_lengths(pairs)
    too_long = np.flatnonzero(lengths > reranker.max_length)
    low, high = proportion_ci(len(too_long), len(pairs), level=INVARIANT_LEVEL)
    too_few = _too_few("window_fit", len(pairs), len(too_long))
    return CheckResult(
        check_id="window_fit",
        kind=Kind.INVARIANT,
        verdict=_verdict(len(too_long), too_few),
        n=len(pairs),
        effect=Effect(
            "rate_too_long", len(too_long) / max(len(pairs), 1), low, high, INVARIANT_LEVEL, better=Better.LOWER
        ),
        cases=_flags(pairs, lengths > reranker.max_length),
        threshold={"max_violation_rate": 0.0, "max_length": reranker.max_length, **_pass_bound()},
        details={
            "max_tokens": int(lengths.max(initial=0)),
            "median_tokens": float(np.median(lengths)) if len(lengths) else 0.0,
        },
        counterexamples=[_describe(pairs[i], f"{lengths[i]} tokens > {reranker.max_length}") for i in too_long[:5]],
        message=_with_reason(
            too_few,
            f"{len(too_long)} of {len(pairs)} pairs exceed the {reranker.max_length}-token window "
            f"(longest {int(lengths.max(initial=0))} tokens).",
        ),
    )


def _agreement(
    check_id: str,
    reranker: Reranker,
    pairs: Sequence[Pair],
    expected: np.ndarray,
    actual: np.ndarray,
    *,
    params: dict[str, object],
    what: str,
    details: dict[str, object] | None = None,
) -> CheckResult:
    """``params`` name the check (the gate matches records by them); results go in ``details``."""
    atol, rtol = TOLERANCES.get(reranker.info.dtype, TOLERANCES["float32"])
    difference = np.abs(actual - expected)
    violations = np.flatnonzero(difference > atol + rtol * np.abs(expected))
    low, high = proportion_ci(len(violations), len(pairs), level=INVARIANT_LEVEL)
    too_few = _too_few(check_id, len(pairs), len(violations))
    worst = int(np.argmax(difference)) if len(pairs) else 0
    return CheckResult(
        check_id=check_id,
        kind=Kind.INVARIANT,
        verdict=_verdict(len(violations), too_few),
        n=len(pairs),
        effect=Effect(
            "violation_rate", len(violations) / max(len(pairs), 1), low, high, INVARIANT_LEVEL, better=Better.LOWER
        ),
        cases=_flags(pairs, difference > atol + rtol * np.abs(expected)),
        threshold={"max_violation_rate": 0.0, "atol": atol, "rtol": rtol, **_pass_bound()},
        params=params,
        details={"max_abs_difference": float(difference.max(initial=0.0)), **(details or {})},
        counterexamples=[
            _describe(pairs[i], f"score {expected[i]:.6g} vs {actual[i]:.6g} after {what}") for i in violations[:5]
        ],
        message=_with_reason(
            too_few,
            f"{len(violations)} of {len(pairs)} scores moved beyond atol={atol:g}, rtol={rtol:g} after {what}; "
            f"largest change {difference[worst] if len(pairs) else 0.0:.3g}.",
        ),
    )


def _too_few(check_id: str, n: int, violations: int) -> str | None:
    """Why zero violations in ``n`` pairs cannot pass ``check_id`` (None when they can, or when a
    violation already decides it)."""
    if violations:
        return None
    return zero_violation_bound(INVARIANT_LEVEL, max_rate=MAX_VIOLATION_RATE).shortfall(n, check_id)


def _verdict(violations: int, too_few: str | None) -> Verdict:
    if violations:
        return Verdict.FAIL
    return Verdict.INCONCLUSIVE if too_few else Verdict.PASS


def _with_reason(too_few: str | None, numbers: str) -> str:
    """The message: why the pairs cannot pass the check (when they cannot), then its numbers."""
    return f"{too_few}. {numbers}" if too_few else numbers


def _pass_bound() -> dict[str, float | int]:
    """The pass rule's constants, for the record's ``threshold``."""
    bound = zero_violation_bound(INVARIANT_LEVEL, max_rate=MAX_VIOLATION_RATE)
    return {"pass_rate_bound": MAX_VIOLATION_RATE, "ci_level": INVARIANT_LEVEL, "min_cases": bound.to_pass}


def _flags(pairs: Sequence[Pair], violated: np.ndarray) -> list[CaseOutcome]:
    """Per-pair 0/1 violation flags (their mean is the rate), for the paired release gate."""
    return [CaseOutcome(case_id(q, d), float(v)) for (q, d), v in zip(pairs, violated.tolist(), strict=True)]


def _describe(pair: Pair, why: str) -> str:
    query, document = pair
    short = document if len(document) <= 160 else document[:157] + "..."
    return f"query: {query!r} | document: {short!r} | {why}"
