"""``length_normalization``: what the soft-TF heads carry to the score falls as the document grows.

The term twice (against two fillers at the same places), then n unrelated one-token words
(sharing no token with the query) appended to both runs; the established soft-TF heads are
patched at the query positions from the term run into the filler run, and their contribution
``patched - baseline`` must fall as n grows: from n = 0 to the largest n, by more than the
contribution of null heads (heads of the same layers matched on attention to the copies,
:mod:`ranklens.claims.head_nulls`) falls, relative to the heads' contribution at n = 0.

Judged on the score, not on attention: any head that attends at all to the added tokens loses
attention mass to them under softmax (SCIENCE.md), so the attention drop is reported beside the
contribution, not judged. Fails when the heads' contribution does not depend on length:
``planted-no-length-norm`` (b = 0), whose heads give unrelated tokens no weight; the shortest
case whose contribution loses less than the threshold's share is reported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from torch import Tensor

from ranklens.claims.counterexample import shrunk_case
from ranklens.claims.curves import MIN_GAIN, no_established_heads, report_curve
from ranklens.claims.head_nulls import appended_attention, matched_nulls
from ranklens.claims.heads import HeadClaim
from ranklens.claims.parts import LEVEL, Part, claim_result, not_measurable
from ranklens.claims.samples import CaseSample
from ranklens.claims.statements import LENGTH_NORMALIZATION as LENGTH
from ranklens.models import Pair, Reranker
from ranklens.models.attention import Head
from ranklens.models.clean_runs import CleanRuns, clean_runs
from ranklens.models.patching import patch_heads_together, query_positions
from ranklens.stats import ratio_effect
from ranklens.strategies import CircuitCase, UniformProvider, seeded, unrelated_tokens
from ranklens.strategies.sampling import draw_once
from ranklens.verdicts import CheckResult

APPENDED = (0, 16, 32, 64)
LENGTH_DROP = 0.05
"""Share of the heads' contribution lost to 64 unrelated tokens beyond the null's loss: at least
5 % (BM25's b = 0.75 loses ~18 % on an average-length document; no length normalisation loses none)."""


def length_normalization(reranker: Reranker, soft_tf: HeadClaim, sample: CaseSample, *, seed: int) -> CheckResult:
    if (reason := no_established_heads(soft_tf)) is not None:
        return not_measurable("length_normalization", reason, statement=LENGTH.statement, citation=LENGTH.citation)
    heads = soft_tf.discovery.heads_found
    cases, base, donor = _length_rows(reranker, sample.cases, seed)
    if not cases:
        return not_measurable(
            "length_normalization", "no case fits the window", statement=LENGTH.statement, citation=LENGTH.citation
        )
    runs = clean_runs(reranker, base, donor)
    positions = query_positions(reranker, runs, [c.query for c in cases])
    attention = appended_attention(reranker, runs, cases)
    mass = _by_length(attention.of(heads)[0])
    at_start = np.zeros(len(cases), dtype=bool)
    at_start[:: len(APPENDED)] = True
    nulls = matched_nulls(heads, attention.rows(at_start).total, seed=seed)
    found = _by_length(_contribution(reranker, runs, heads, positions))
    null = _null_contribution(reranker, runs, nulls, positions)
    kept = found[:, 0] > MIN_GAIN
    lost = (found[kept, 0] - found[kept, -1]) - (null[kept, 0] - null[kept, -1])
    effect = ratio_effect("contribution_drop_over_null", lost, found[kept, 0], seed=seed, level=LEVEL)
    parts = [Part(effect, LENGTH_DROP, "the heads' contribution falls with length, beyond matched heads'", n=len(lost))]
    attention_kept = mass[:, 0] > MIN_GAIN
    drop = (mass[attention_kept, 0] - mass[attention_kept, -1]) / mass[attention_kept, 0]
    details = {
        "heads": [list(h) for h in heads],
        "null_heads": [list(h) for h in sorted({h for draw in nulls for h in draw})],
        "length_curve": report_curve(
            list(APPENDED),
            {
                "patched contribution / no text added": found[kept],
                "attention mass / no text added": mass[attention_kept],
            },
            x_label="unrelated tokens appended",
            y_label="relative to no text added",
            seed=seed,
            normalise_at=0,
        ),
        "mean_contribution_by_length": [round(float(v), 5) for v in found.mean(0)],
        "mean_null_contribution_by_length": [round(float(v), 5) for v in null.mean(0)],
        "mean_attention_mass_by_length": [round(float(v), 5) for v in mass.mean(0)],
        "attention_drop_reported": round(float(drop.mean()), 4) if len(drop) else None,
        "cases_without_contribution": int((~kept).sum()),
    }
    result = claim_result(
        "length_normalization",
        parts,
        n=len(lost),
        statement=LENGTH.statement,
        citation=LENGTH.citation,
        details=details,
    )
    if (flat := _flat_case(reranker, heads, seed)) is not None:
        result = dataclasses.replace(result, counterexamples=[f"minimal (Hypothesis): {flat}"])
    return result


def _flat_case(reranker: Reranker, heads: Sequence[Head], seed: int) -> str | None:
    """The shortest case on which the heads' contribution loses under :data:`LENGTH_DROP` of itself
    to the most unrelated text, described (one case has no null heads to compare with: its own
    drop must reach the share the claim asks beyond the null's)."""

    def contribution(case: CircuitCase) -> np.ndarray | None:
        rows, base, donor = _length_rows(reranker, [case], seed)
        if not rows:
            return None
        runs = clean_runs(reranker, base, donor)
        found = _contribution(reranker, runs, heads, query_positions(reranker, runs, [c.query for c in rows]))
        return found if found[0] > MIN_GAIN else None

    def contradicts(case: CircuitCase) -> bool:
        found = contribution(case)
        return found is not None and (found[0] - found[-1]) / found[0] < LENGTH_DROP

    case = shrunk_case(reranker, contradicts, seed=seed)
    found = None if case is None else contribution(case)
    if case is None or found is None:
        return None
    curve = ", ".join(f"{v:+.3g}" for v in found)
    return (
        f"the heads' contribution with {', '.join(map(str, APPENDED))} unrelated tokens added is {curve}, a drop of "
        f"{(found[0] - found[-1]) / found[0]:.3f} (need {LENGTH_DROP}), appending {case.term!r} twice (against "
        f"{case.filler!r} twice) for query {case.query!r} to document {case.document!r}"
    )


def _length_rows(
    reranker: Reranker, cases: Sequence[CircuitCase], seed: int
) -> tuple[list[CircuitCase], list[Pair], list[Pair]]:
    """Per case and length: the filler run and the term run, token-aligned (one row per length)."""
    source = UniformProvider(None, seeded(seed, "length_normalization"))
    rows: list[CircuitCase] = []
    base: list[Pair] = []
    donor: list[Pair] = []
    for case in cases:
        extra = draw_once(unrelated_tokens(reranker.tokenizer, case.query, max(APPENDED)), source)
        if extra is None:
            continue
        with_term = [(case.query, case.with_appended([case.term, case.term, *extra[:n]])) for n in APPENDED]
        with_filler = [(case.query, case.with_appended([case.filler, case.filler, *extra[:n]])) for n in APPENDED]
        if bool(reranker.fits(with_term).all()):
            rows += [case] * len(APPENDED)
            base += with_filler
            donor += with_term
    return rows, base, donor


def _by_length(values: np.ndarray) -> np.ndarray:
    return np.asarray(values).reshape(-1, len(APPENDED))


def _contribution(reranker: Reranker, runs: CleanRuns, heads: Sequence[Head], positions: Tensor) -> np.ndarray:
    return np.asarray(patch_heads_together(reranker, runs, heads, positions) - runs.base)


def _null_contribution(
    reranker: Reranker, runs: CleanRuns, nulls: Sequence[Sequence[Head]], positions: Tensor
) -> np.ndarray:
    """Mean contribution over the null draws ``[case, length]`` (each distinct draw patched once);
    zero when the found heads' layers hold no other head."""
    if not nulls:
        return np.zeros((runs.n_cases // len(APPENDED), len(APPENDED)))
    done = {draw: _contribution(reranker, runs, draw, positions) for draw in {tuple(d) for d in nulls}}
    return _by_length(np.mean([done[tuple(d)] for d in nulls], axis=0))
