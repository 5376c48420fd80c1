"""A single case that contradicts a head claim: the heads found carry under half of its effect.

The head claims state that a few heads carry *most* of the matching effect (joint recovery above
:data:`~ranklens.claims.discovery.MOST`, judged over the confirmation cases). One aligned case on
which appending the term moves the score beyond the neutral band while patching those heads
recovers less than that is the statement failing where anyone can read it; Hypothesis searches
the aligned-case strategy over fragments of real passages for one and shrinks it to the shortest.
"""

from __future__ import annotations

from collections.abc import Sequence

from ranklens.claims.discovery import MOST, Route, patched_cases
from ranklens.models import Reranker
from ranklens.models.attention import Head
from ranklens.strategies import CircuitCase, aligned_cases, search_pairs
from ranklens.strategies.search import shrunk_counterexample

EVALUATIONS = 60
"""Cases patched per search at most, shrinking included (three forward passes each)."""


def weak_heads_case(reranker: Reranker, heads: Sequence[Head], route: Route, *, delta: float, seed: int) -> str | None:
    """The shortest case on which ``heads`` recover under :data:`MOST` of the effect, described, or
    ``None`` when the search found none."""

    def recovered(case: CircuitCase) -> float | None:
        patched = patched_cases(reranker, [case], route, delta=delta)
        if not patched.kept[0]:
            return None
        return float(patched.joint_gain(reranker, heads)[0] / patched.gap[0])

    def contradicts(case: CircuitCase) -> bool:
        share = recovered(case)
        return share is not None and share < MOST

    strategy = aligned_cases(reranker.tokenizer, fits=lambda pair: bool(reranker.fits([pair])[0]), pairs=search_pairs())
    found = shrunk_counterexample(strategy, contradicts, key=lambda case: case, seed=seed, evaluations=EVALUATIONS)
    if found is None:
        return None
    return (
        f"the heads found recover {recovered(found):.3f} of the effect (need {MOST}) of appending {found.term!r} "
        f"(against {found.filler!r}) for query {found.query!r} to document {found.document!r}"
    )
