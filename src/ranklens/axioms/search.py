"""Minimal counterexamples: Hypothesis searches for a case that violates an axiom and shrinks it.

The search space is the axiom's own builder applied to a fixture query and a document made of
corpus words, so a shrunk counterexample is the shortest document (and simplest words) on which
the model still violates the axiom beyond the neutral band. Rates are never measured here:
Hypothesis deliberately favours edge cases, so it only finds and shrinks (DESIGN.md).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from ranklens.axioms.spec import AxiomSpec, CaseContext
from ranklens.cases.contrast import Case
from ranklens.data.sources import filler_vocabulary
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
    answers: dict[tuple[str, str, int], bool] = {}
    budget = {"left": SEARCH_EVALUATIONS}

    def build(query: str, document: str, case_seed: int) -> Case | None:
        return spec.build(ctx, query, document, np.random.default_rng(case_seed), spec.params)

    def violates(drawn: tuple[str, str, int]) -> bool:
        """Remembered per input: Hypothesis replays the example it found, and an input that
        violated before the budget ran out must still violate after (else: FlakyFailure)."""
        if drawn not in answers:
            answers[drawn] = _scored_violation(drawn)
        return answers[drawn]

    def _scored_violation(drawn: tuple[str, str, int]) -> bool:
        case = build(*drawn)
        if budget["left"] <= 0 or case is None or not reranker.fits(case.pairs).all():
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
        with _no_local_constants():
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


@contextmanager
def _no_local_constants() -> Iterator[None]:
    """Search as if no local code were loaded, so one seed gives one counterexample.

    Hypothesis (since 6.131) now and then draws a literal it mined from the "local" modules
    loaded at that moment (any outside the standard library and site-packages: ranklens in an
    editable install, the user's tests). The same seed then shrank to another counterexample
    after an unrelated import, or from a wheel install rather than a checkout. Hypothesis has
    no public switch for it yet (HypothesisWorks/hypothesis#4627), so the pool is emptied here
    for the search, and the draws' cache cleared around it; a Hypothesis without the pool is
    left alone.
    """
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
    except ImportError:  # pragma: no cover - a Hypothesis that reorganised its internals
        yield
        return
    mined = getattr(providers, "_get_local_constants", None)
    if mined is None or not hasattr(providers, "CONSTANTS_CACHE"):  # pragma: no cover
        yield
        return
    empty = Constants()
    providers.CONSTANTS_CACHE.cache.clear()
    providers._get_local_constants = lambda: empty
    try:
        yield
    finally:
        providers._get_local_constants = mined
        providers.CONSTANTS_CACHE.cache.clear()


def _value(reranker: Reranker, case: Case) -> float:
    scores = dict(zip(case.pairs, reranker.score(case.pairs).tolist(), strict=True))
    return case.value(scores)
