"""Search a strategy for a case that contradicts a check, and shrink it: Hypothesis as Hypothesis.

Verdicts never come from here (Hypothesis favours edge cases: :mod:`ranklens.strategies.sampling`
draws those samples); the search only finds and shrinks the simplest case that contradicts the
statement, within a budget of evaluations, as a function of the seed alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

T = TypeVar("T")

SEARCH_EXAMPLES = 40
SEARCH_EVALUATIONS = 150
"""Upper bound on cases evaluated per search, shrinking included (each costs a few forward passes)."""


def shrunk_counterexample(
    strategy: st.SearchStrategy[T | None],
    contradicts: Callable[[T], bool],
    *,
    key: Callable[[T], Hashable],
    seed: int,
    evaluations: int = SEARCH_EVALUATIONS,
) -> T | None:
    """The simplest value of ``strategy`` for which ``contradicts`` holds, or ``None`` when the
    search found none within ``evaluations`` calls of ``contradicts``.

    Answers are remembered per ``key``: Hypothesis replays the example it found, and a case that
    contradicted before the budget ran out must still contradict after (else: FlakyFailure).
    """
    answers: dict[Hashable, bool] = {}
    budget = {"left": evaluations}

    def remembered(value: T | None) -> bool:
        if value is None:
            return False
        if key(value) not in answers:
            if budget["left"] <= 0:
                return False
            budget["left"] -= 1
            answers[key(value)] = contradicts(value)
        return answers[key(value)]

    search_settings = settings(
        max_examples=SEARCH_EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    try:
        with no_local_constants():
            return find(strategy, remembered, settings=search_settings, random=random.Random(seed))
    except NoSuchExample:
        return None


@contextmanager
def no_local_constants() -> Iterator[None]:
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
