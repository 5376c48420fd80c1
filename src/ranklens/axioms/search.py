"""Minimal counterexamples: Hypothesis searches for a case that violates an axiom and shrinks it.

The search space is the axiom's own case strategy (the one its verdict sample is drawn from)
applied to a query of the case source and a fragment of a real passage
(:func:`ranklens.strategies.search_pairs`), so a shrunk counterexample is the shortest piece of
real text (and simplest choices) on which the model still violates the axiom beyond the neutral
band. Rates are never measured here: Hypothesis deliberately favours edge cases, so it only
finds and shrinks (DESIGN.md).
"""

from __future__ import annotations

from ranklens.axioms.spec import AxiomSpec
from ranklens.cases.contrast import Case
from ranklens.models import Reranker
from ranklens.strategies import CaseContext, search_pairs
from ranklens.strategies.search import SEARCH_EVALUATIONS, shrunk_counterexample


def search_counterexample(
    reranker: Reranker,
    spec: AxiomSpec,
    ctx: CaseContext,
    *,
    delta: float,
    seed: int,
    evaluations: int = SEARCH_EVALUATIONS,
) -> str | None:
    """A shrunk violating case as readable text, or None if the search found none in budget."""

    def violates(case: Case) -> bool:
        return bool(reranker.fits(case.pairs).all()) and _value(reranker, case) < -delta

    found = shrunk_counterexample(
        spec.cases(ctx, search_pairs()), violates, key=lambda case: case.terms, seed=seed, evaluations=evaluations
    )
    return None if found is None else found.describe(_value(reranker, found))


def _value(reranker: Reranker, case: Case) -> float:
    scores = dict(zip(case.pairs, reranker.score(case.pairs).tolist(), strict=True))
    return case.value(scores)
