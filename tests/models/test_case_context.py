"""Axiom cases depend on the model only through its tokenizer."""

from __future__ import annotations

from collections.abc import Callable

from ranklens import Reranker
from ranklens.axioms import AXIOMS
from ranklens.axioms.measure import build_cases, case_context, tokenizer_case_context


def test_a_context_from_the_tokenizer_alone_builds_the_same_cases(tiny_reranker: Callable[[str], Reranker]) -> None:
    """The ir_axioms cross-check builds cases from a tokenizer without a model: same seed, same cases."""
    from_model, from_tokenizer = case_context(bert := tiny_reranker("bert")), tokenizer_case_context(bert.tokenizer)
    for spec in AXIOMS:
        cases, skipped = build_cases(spec, from_model, n=3, seed=5)
        assert cases, f"{spec.name}: no case in 12 draws, the comparison would be vacuous"
        assert build_cases(spec, from_tokenizer, n=3, seed=5) == (cases, skipped), spec.name
