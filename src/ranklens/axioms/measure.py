"""Measure the axiom family on a model: draw each axiom's cases, score them in one pass, decide.

Every pair of every case goes through one ``Reranker.score`` call (shared cache, length-sorted
batches), so a suite costs close to the forward passes it needs. Cases whose longest pair does
not fit the window are counted and dropped, never scored truncated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from hypothesis import strategies as st

from ranklens.axioms.spec import AxiomSpec
from ranklens.cases.contrast import Case
from ranklens.data.sources import active_source
from ranklens.models import Pair, Reranker
from ranklens.stats import (
    ALPHA,
    PairedSummary,
    decide,
    family_level,
    holm,
    net_preference_bound,
    neutral_band,
    summarize,
)
from ranklens.strategies import CaseContext, draw_sample, seeded
from ranklens.verdicts import CaseOutcome, CheckResult, Kind

DEFAULT_SAMPLE_SIZE = 200
"""Cases per axiom: with ties, the net-preference interval at the family-corrected level is
about ±0.15 wide at n = 200, narrow enough to separate a 0.3 effect from none."""
SOURCES_PER_CASE = 4
"""Draws per wanted case at most: most pairs meet an axiom's precondition, some do not."""
CALIBRATION_QUERIES = 40
CALIBRATION_CANDIDATES = 20


@dataclass(frozen=True)
class Measurement:
    """One axiom's cases, their contrast values and summary."""

    spec: AxiomSpec
    cases: tuple[Case, ...]
    values: np.ndarray
    skipped: int
    """Sources that did not meet the axiom's precondition."""
    too_long: int
    """Cases dropped because a pair did not fit the window."""
    summary: PairedSummary


class PieceTokenizer(Protocol):
    """What case building needs from a tokenizer: the pieces of a text (a Hugging Face tokenizer)."""

    def tokenize(self, text: str) -> list[str]: ...


def case_context(reranker: Reranker) -> CaseContext:
    """The builders' context for ``reranker``: its tokenizer's pieces over the case source."""
    return tokenizer_case_context(reranker.tokenizer)


def tokenizer_case_context(tokenizer: PieceTokenizer) -> CaseContext:
    """The builders' context from a tokenizer alone, so cases can be built without loading a model
    (the ``ir_axioms`` cross-check builds them in an environment that only needs the tokenizer).

    Pieces are counted for the word as it appears inside a text (a leading space), which is what
    a BPE tokenizer sees for every word but the first.
    """
    source = active_source()
    corpus = source.corpus
    piece_cache: dict[str, int] = {}

    def count_pieces(word: str) -> int:
        if word not in piece_cache:
            piece_cache[word] = len(tokenizer.tokenize(" " + word))
        return piece_cache[word]

    return CaseContext(
        count_pieces=count_pieces,
        pieces=tokenizer.tokenize,
        stats=source.words,
        queries=tuple(q.text for q in corpus.queries),
        passages=tuple(p.text for p in corpus.passages),
    )


def calibrate_delta(reranker: Reranker, *, seed: int) -> float:
    """The model's neutral band: median adjacent score gap in the top 10 of rankings of the case
    source's queries (their judged passages and random others)."""
    corpus = active_source().corpus
    rng = np.random.default_rng([seed, 7])
    passages = [p.text for p in corpus.passages]
    relevant = corpus.relevant()
    by_id = corpus.passage_by_id()
    queries = [corpus.queries[int(i)] for i in rng.permutation(len(corpus.queries))[:CALIBRATION_QUERIES]]
    rankings = []
    for query in queries:
        candidates = [by_id[pid].text for pid in relevant.get(query.qid, {})]
        candidates += [passages[int(i)] for i in rng.choice(len(passages), CALIBRATION_CANDIDATES, replace=False)]
        rankings.append(reranker.score([(query.text, c) for c in dict.fromkeys(candidates)]))
    return neutral_band(rankings)


def build_cases(
    spec: AxiomSpec, ctx: CaseContext, *, n: int, seed: int, pairs: st.SearchStrategy[Pair] | None = None
) -> tuple[list[Case], int]:
    """Up to ``n`` cases of ``spec`` drawn uniformly for ``seed`` (at most ``4 n`` draws); returns them
    and how many draws did not meet the axiom's precondition."""
    sample = draw_sample(spec.cases(ctx, pairs), n=n, source=seeded(seed, spec.name), attempts=n * SOURCES_PER_CASE)
    return list(sample.values), sample.rejected


def measure_family(
    reranker: Reranker,
    specs: Sequence[AxiomSpec],
    *,
    seed: int,
    sample_size: int | None = None,
    delta: float | None = None,
    family_size: int | None = None,
) -> list[Measurement]:
    """Build every spec's cases, score all their pairs in one call, summarise at the family level.

    ``family_size``: how many checks the verdicts are read among, when ``specs`` are a subset of
    them (default ``len(specs)``). A subset measured on its own keeps the whole family's interval
    level, so its verdicts are those the family would give (each spec's cases do not depend on
    the others')."""
    family = _family_size(specs, family_size)
    n = sample_size or DEFAULT_SAMPLE_SIZE
    ctx = case_context(reranker)
    built = [build_cases(spec, ctx, n=n, seed=seed) for spec in specs]
    pairs = list(dict.fromkeys(pair for cases, _ in built for case in cases for pair in case.pairs))
    fits = dict(zip(pairs, reranker.fits(pairs).tolist(), strict=True))
    scores = dict(
        zip([p for p in pairs if fits[p]], reranker.score([p for p in pairs if fits[p]]).tolist(), strict=True)
    )
    band = calibrate_delta(reranker, seed=seed) if delta is None else delta
    level = family_level(family)
    measurements = []
    for spec, (cases, skipped) in zip(specs, built, strict=True):
        kept = tuple(c for c in cases if all(fits[p] for p in c.pairs))
        values = np.array([c.value(scores) for c in kept])
        summary = summarize(values, delta=band, seed=seed, level=level, ties_agree=not spec.strict)
        measurements.append(Measurement(spec, kept, values, skipped, len(cases) - len(kept), summary))
    return measurements


def results(
    measurements: Sequence[Measurement], *, delta: float, seed: int, family_size: int | None = None
) -> list[CheckResult]:
    """One CheckResult per measurement, with Holm-adjusted p-values over the family.

    For a subset of a larger family (``family_size``), Holm needs p-values that were not measured;
    each p is then multiplied by the family size (Bonferroni), which no Holm adjustment exceeds.
    """
    p_values = [m.summary.p_value for m in measurements]
    family = _family_size(measurements, family_size)
    adjusted = holm(p_values) if family == len(p_values) else [min(1.0, family * p) for p in p_values]
    return [_result(m, p, delta) for m, p in zip(measurements, adjusted, strict=True)]


def _family_size(members: Sequence[object], family_size: int | None) -> int:
    if family_size is None:
        return len(members)
    if family_size < len(members):
        raise ValueError(f"family_size={family_size} is smaller than the {len(members)} checks measured.")
    return family_size


def _result(m: Measurement, adjusted_p: float, delta: float) -> CheckResult:
    s = m.summary
    moved = None if m.spec.strict else s.n - s.tied
    verdict = decide(s.effect, adjusted_p, n=s.n, moved=moved, min_effect=m.spec.min_effect)
    bound = net_preference_bound(s.effect.ci_level, min_effect=m.spec.min_effect)
    too_few = bound.shortfall(s.n, m.spec.name) or _unmoved(m.spec.name, moved, delta)
    worst: list[int] = np.argsort(m.values)[:3].tolist()
    violations = [m.cases[int(i)].describe(float(m.values[int(i)])) for i in worst if m.values[int(i)] < -delta]
    return CheckResult(
        check_id=m.spec.axiom_id,
        kind=Kind.AXIOM,
        verdict=verdict,
        n=s.n,
        effect=s.effect,
        threshold={
            "min_effect": m.spec.min_effect,
            "alpha": ALPHA,
            "neutral_band": delta,
            "ci_level": s.effect.ci_level,
            "min_cases": bound.needed,
            "rule": "inconclusive if n < min_cases, or if ties agree and no case left the neutral band; "
            "pass if ci_low > min_effect and holm_p < alpha; fail if ci_high < min_effect",
        },
        params=dict(m.spec.params),
        details={
            "statement": m.spec.statement,
            "citation": m.spec.citation,
            "positive": s.positive,
            "negative": s.negative,
            "neutral": s.neutral,
            "tied": s.tied,
            "mean_difference": s.mean_difference,
            "p_value": s.p_value,
            "holm_p": adjusted_p,
            "skipped_precondition": m.skipped,
            "dropped_too_long": m.too_long,
            "strict": m.spec.strict,
            "cases_needed": {"pass": bound.to_pass, "fail": bound.to_fail},
        },
        counterexamples=violations,
        cases=[CaseOutcome(c.case_id, sign) for c, sign in zip(m.cases, s.signs.tolist(), strict=True)],
        message=_with_reason(
            too_few,
            f"{m.spec.name}: net preference {s.effect.value:+.2f} "
            f"[{s.effect.ci_low:+.2f}, {s.effect.ci_high:+.2f}] over {s.n} cases "
            f"({s.positive} agree, {s.negative} disagree, {s.neutral} within ±{delta:.3g}); "
            f"Holm p = {adjusted_p:.2g}; needs > {m.spec.min_effect} to pass.",
        ),
    )


def _unmoved(name: str, moved: int | None, delta: float) -> str | None:
    """Why a property that ties satisfy is undecided when no case moved the score, or None."""
    if moved != 0:
        return None
    return (
        f"the model did not move the score: every difference of {name} is within ±{delta:.3g}, and ties "
        "satisfy it vacuously, so they show nothing"
    )


def _with_reason(too_few: str | None, numbers: str) -> str:
    """The message: why the sample cannot decide the check (when it cannot), then its numbers."""
    return f"{too_few}. {numbers}" if too_few else numbers
