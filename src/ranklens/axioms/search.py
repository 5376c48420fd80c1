"""Minimal counterexamples: Hypothesis searches for a case that violates an axiom and shrinks it.

The search space is the axiom's own case strategy (the one its verdict sample is drawn from)
applied to a query of the case source and a fragment of a real passage
(:func:`ranklens.strategies.search_pairs`), so a shrunk counterexample is the shortest piece of
real text (and simplest choices) on which the model still violates the axiom beyond the neutral
band. Rates are never measured here: Hypothesis deliberately favours edge cases, so it only
finds and shrinks (DESIGN.md).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample

from ranklens.axioms.spec import AxiomSpec
from ranklens.cases.contrast import Case, Term
from ranklens.models import Reranker
from ranklens.strategies import CaseContext, search_pairs

SEARCH_EXAMPLES = 40
SEARCH_EVALUATIONS = 150
"""Upper bound on cases scored per search, shrinking included (each costs a few forward passes)."""


def search_counterexample(
    reranker: Reranker, spec: AxiomSpec, ctx: CaseContext, *, delta: float, seed: int
) -> str | None:
    """A shrunk violating case as readable text, or None if the search found none in budget."""
    answers: dict[tuple[Term, ...], bool] = {}
    budget = {"left": SEARCH_EVALUATIONS}

    def violates(case: Case | None) -> bool:
        """Remembered per case: Hypothesis replays the example it found, and a case that violated
        before the budget ran out must still violate after (else: FlakyFailure)."""
        if case is None:
            return False
        if case.terms not in answers:
            answers[case.terms] = _scored_violation(case)
        return answers[case.terms]

    def _scored_violation(case: Case) -> bool:
        if budget["left"] <= 0 or not reranker.fits(case.pairs).all():
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
            cases = spec.cases(ctx, search_pairs())
            found = find(cases, violates, settings=search_settings, random=random.Random(seed))
    except NoSuchExample:
        return None
    return None if found is None else found.describe(_value(reranker, found))


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
