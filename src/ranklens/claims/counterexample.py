"""A single case that contradicts a circuit claim, found by Hypothesis and shrunk to the shortest.

A claim is judged on a population (an interval over the confirmation cases), but where one case
can show its statement failing, the report gives the simplest such case, one anyone can read:

- head claims: the heads found recover under the claim's threshold of the effect
  (:data:`~ranklens.claims.discovery.MOST`, or a declared claim's own);
- ``saturation``: the gain the heads carry is less concave in TF than the claim's threshold;
- ``length_normalization``: the heads' contribution loses less than the claim's share to
  unrelated text;
- ``idf_direction``: moving the term along the direction makes matching it pay *less*, beyond
  the neutral band.

Each searches the claim's own case strategy over fragments of real passages
(:func:`ranklens.strategies.search_pairs`), which shrink by sentences and then words.
``relevance_neurons`` has none: its cases are passages judged relevant to a query, and a passage
shrunk by Hypothesis would no longer carry that judgement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ranklens.claims.discovery import MOST, Route, patched_cases
from ranklens.models import Reranker
from ranklens.models.attention import Head
from ranklens.strategies import AlignedCases, CircuitCase, aligned_cases, search_pairs
from ranklens.strategies.search import shrunk_counterexample

EVALUATIONS = 60
"""Cases patched per search at most, shrinking included (three forward passes each)."""


def shrunk_case(
    reranker: Reranker, contradicts: Callable[[CircuitCase], bool], *, seed: int, cases: AlignedCases = aligned_cases
) -> CircuitCase | None:
    """The shortest case of ``cases`` for which ``contradicts`` holds, within :data:`EVALUATIONS`."""
    strategy = cases(reranker.tokenizer, fits=lambda pair: bool(reranker.fits([pair])[0]), pairs=search_pairs())
    return shrunk_counterexample(strategy, contradicts, key=lambda case: case, seed=seed, evaluations=EVALUATIONS)


def described(case: CircuitCase) -> str:
    return f"appending {case.term!r} (against {case.filler!r}) for query {case.query!r} to document {case.document!r}"


def weak_heads_case(
    reranker: Reranker,
    heads: Sequence[Head],
    route: Route,
    *,
    delta: float,
    seed: int,
    cases: AlignedCases = aligned_cases,
    threshold: float = MOST,
) -> str | None:
    """The shortest case of ``cases`` on which ``heads`` recover under ``threshold`` of the effect,
    described, or ``None`` when the search found none."""

    def recovered(case: CircuitCase) -> float | None:
        patched = patched_cases(reranker, [case], route, delta=delta)
        if not patched.kept[0]:
            return None
        return float(patched.joint_gain(reranker, heads)[0] / patched.gap[0])

    def contradicts(case: CircuitCase) -> bool:
        share = recovered(case)
        return share is not None and share < threshold

    found = shrunk_case(reranker, contradicts, seed=seed, cases=cases)
    if found is None:
        return None
    return f"the heads found recover {recovered(found):.3f} of the effect (need {threshold:g}) of {described(found)}"
