"""A perturbation: the step that turns a source (query, document) into one controlled case."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hypothesis import strategies as st

from ranklens.cases.contrast import Case
from ranklens.models import Pair
from ranklens.strategies.context import CaseContext
from ranklens.strategies.corpus import source_pairs
from ranklens.strategies.sampling import Draw

Perturbation = Callable[[Draw, CaseContext, str, str, Mapping[str, Any]], Case | None]
"""``(draw, ctx, query, document, params) -> Case | None``: draws what it inserts with ``draw``;
``None`` when the pair does not meet its precondition."""


def perturbed_cases(
    perturbation: Perturbation,
    ctx: CaseContext,
    params: Mapping[str, Any] | None = None,
    pairs: st.SearchStrategy[Pair] | None = None,
) -> st.SearchStrategy[Case | None]:
    """Cases of ``perturbation``: a pair drawn from ``pairs`` (default :func:`source_pairs`), then
    the perturbation's own draws."""
    sources = pairs if pairs is not None else source_pairs()
    settings = dict(params or {})

    @st.composite
    def cases(draw: Draw) -> Case | None:
        query, document = draw(sources)
        return perturbation(draw, ctx, query, document, settings)

    return cases()
