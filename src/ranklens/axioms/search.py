"""Minimal counterexamples: Hypothesis searches for a case that violates an axiom and shrinks it.

The search space is the axiom's own builder applied to a fixture query and a document made of
corpus words, so a shrunk counterexample is the shortest document (and simplest words) on which
the model still violates the axiom beyond the neutral band. Rates are never measured here:
Hypothesis deliberately favours edge cases, so it only finds and shrinks (DESIGN.md).
"""

from __future__ import annotations

import random

import numpy as np
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from ranklens.axioms.spec import AxiomSpec, CaseContext
from ranklens.cases.contrast import Case
from ranklens.data.word_stats import filler_vocabulary
from ranklens.models import Reranker

SEARCH_EXAMPLES = 40
SEARCH_EVALUATIONS = 150
"""Upper bound on cases scored per search, shrinking included (each costs a few forward passes)."""


def documents(*, min_words: int = 3, max_words: int = 40) -> st.SearchStrategy[str]:
    """Documents of corpus words; shrinking drops words and moves towards earlier vocabulary."""
    return st.lists(st.sampled_from(filler_vocabulary()), min_size=min_words, max_size=max_words).map(" ".join)


def search_counterexample(
    reranker: Reranker, spec: AxiomSpec, ctx: CaseContext, *, delta: float, seed: int
) -> str | None:
    """A shrunk violating case as readable text, or None if the search found none in budget."""
    queries = st.sampled_from(ctx.queries)
    budget = {"left": SEARCH_EVALUATIONS}

    def build(query: str, document: str, case_seed: int) -> Case | None:
        return spec.build(ctx, query, document, np.random.default_rng(case_seed), spec.params)

    def violates(drawn: tuple[str, str, int]) -> bool:
        if budget["left"] <= 0:
            return False
        case = build(*drawn)
        if case is None or not reranker.fits(case.pairs).all():
            return False
        budget["left"] -= 1
        return _value(reranker, case) < -delta

    search_settings = settings(
        max_examples=SEARCH_EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    try:
        found = find(
            st.tuples(queries, documents(), st.integers(0, 2**16)),
            violates,
            settings=search_settings,
            random=random.Random(seed),
        )
    except NoSuchExample:
        return None
    case = build(*found)
    return None if case is None else case.describe(_value(reranker, case))


def _value(reranker: Reranker, case: Case) -> float:
    scores = dict(zip(case.pairs, reranker.score(case.pairs).tolist(), strict=True))
    return case.value(scores)
