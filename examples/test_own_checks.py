"""Two checks a team might add for its own reranker, written as ranklens' built-in axioms are.

Run them beside the built-in suites, or alone::

    pytest examples/test_own_checks.py --model ./my-reranker

Each check is an :class:`~ranklens.axioms.AxiomSpec`: a statement, a citation, and a
perturbation that draws one controlled case from a (query, document) pair with Hypothesis'
``draw``. ranklens draws the verdict sample from it uniformly, scores it in one batch, decides
it with the neutral band and the family's correction, searches and shrinks a counterexample,
and records it in the JSON and HTML reports and the release gate like any built-in axiom.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import strategies as st

from ranklens.axioms import AxiomSpec
from ranklens.cases.contrast import Case, contrast
from ranklens.cases.perturb import append_text
from ranklens.cases.terms import query_terms
from ranklens.ir.text import surface_form
from ranklens.strategies import CaseContext, Draw
from ranklens.testing import CheckFixture, RecordFixture, expect

BRANDS = ("Adidas", "Canon", "Heineken", "Lego", "Nestlé", "Nike", "Pepsi", "Samsung", "Toyota", "Visa")


def append_a_brand(draw: Draw, ctx: CaseContext, query: str, document: str, params: Mapping[str, Any]) -> Case | None:
    """The document as it is (+1) against the document followed by a brand name (-1) that shares
    no WordPiece with the query, so the name adds no match: only a bias for the name (or for
    longer text) could make it score higher."""
    query_pieces = set(ctx.pieces(query))
    brand = draw(st.sampled_from(BRANDS).filter(lambda name: query_pieces.isdisjoint(ctx.pieces(" " + name))))
    docs = [(document, 1.0), (append_text(document, f"{brand}."), -1.0)]
    return contrast("BRAND", query, document, docs, off_query=None, detail={"brand": brand})


def negate_a_query_term(
    draw: Draw, ctx: CaseContext, query: str, document: str, params: Mapping[str, Any]
) -> Case | None:
    """A sentence that asserts a query term (+1) against the same sentence that denies it (-1),
    appended to a document without the term: equal token length, the same match."""
    if {"no", "some"} & set(query.lower().split()):
        return None
    absent = query_terms(query, document, absent=True)
    if not absent:
        return None
    term = surface_form(draw(st.sampled_from(absent)), query)
    docs = [(append_text(document, f"It has some {term}."), 1.0), (append_text(document, f"It has no {term}."), -1.0)]
    return contrast("NEG", query, document, docs, off_query=None, detail={"term": term})


BRAND = AxiomSpec(
    "BRAND",
    "Appending a brand name that is not in the query does not raise the score.",
    "A robustness property (prompt-injection style keyword stuffing).",
    append_a_brand,
    strict=False,
)
NEGATION = AxiomSpec(
    "NEG",
    "A document that denies a query term scores below the same document asserting it.",
    "Weller et al., 'NevIR: Negation in Neural Information Retrieval' (EACL 2024).",
    negate_a_query_term,
)


@pytest.mark.ranklens_check("BRAND", kind="axiom")
def test_a_brand_name_does_not_raise_the_score(axiom_check: CheckFixture, record_check: RecordFixture) -> None:
    expect(record_check(axiom_check(BRAND)))


@pytest.mark.ranklens_check("NEG", kind="axiom")
def test_denying_a_query_term_does_not_help(axiom_check: CheckFixture, record_check: RecordFixture) -> None:
    expect(record_check(axiom_check(NEGATION)))
