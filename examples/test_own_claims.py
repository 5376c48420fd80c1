"""A head claim a team might add for its own reranker, written as ranklens' built-in claims are.

Run it beside the built-in suites, or alone::

    pytest examples/test_own_claims.py --model ./my-reranker

A :class:`~ranklens.claims.HeadClaimSpec` is a statement, a citation, and a strategy that builds
token-aligned cases (:class:`~ranklens.strategies.CircuitCase`: the same document with one token
appended, or a one-token filler in its place). ranklens draws its cases per half of the queries,
finds the heads that carry the effect on one half and judges their joint recovery on the other,
searches and shrinks a case they carry under ``min_recovery`` of, and records it in the JSON and
HTML reports and the release gate like ``soft_tf_heads``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from hypothesis import strategies as st
from transformers import PreTrainedTokenizerBase

from ranklens.claims import HeadClaimSpec
from ranklens.data.related_terms import load_related_terms
from ranklens.models import Pair
from ranklens.strategies import CircuitCase, Draw, aligned_cases
from ranklens.testing import ClaimFixture, RecordFixture, expect


def related_word_cases(
    tokenizer: PreTrainedTokenizerBase, *, fits: Callable[[Pair], bool], pairs: st.SearchStrategy[Pair]
) -> st.SearchStrategy[CircuitCase | None]:
    """The soft-TF cases (:func:`~ranklens.strategies.aligned_cases`: a query term the document
    lacks, against a one-token filler) with the term swapped for a word the Moby thesaurus relates
    to it: one token, in neither query nor document, so the perturbed run matches nothing exactly."""
    related = load_related_terms()

    @st.composite
    def cases(draw: Draw) -> CircuitCase | None:
        case = draw(aligned_cases(tokenizer, fits=fits, pairs=pairs))
        if case is None:
            return None
        present = set(tokenizer(f"{case.query} {case.document}", add_special_tokens=False)["input_ids"])
        options = []
        for word in related.get(case.term.lower(), ()):
            ids = tokenizer(" " + word, add_special_tokens=False)["input_ids"]
            if len(ids) == 1 and ids[0] not in present and ids[0] != case.filler_id:
                options.append((word, int(ids[0])))
        if not options:
            return None
        word, token = draw(st.sampled_from(options))
        swapped = dataclasses.replace(case, term=word, term_id=token)
        return swapped if fits(swapped.perturbed) else None

    return cases()


RELATED_WORD_HEADS = HeadClaimSpec(
    "related_word_heads",
    "A few attention heads carry the effect of appending a word related to a query term (not the "
    "term itself): patched at the query positions from that run into the run with a filler appended, "
    "they recover most of the score change.",
    "Lu, Chen, Eickhoff (arXiv 2502.04645): matching heads attend to identical or semantically similar "
    "document tokens; Fang & Zhai (SIGIR 2006): semantic term matching (STMC1).",
    related_word_cases,
    route="query",
)


@pytest.mark.ranklens_check("related_word_heads", kind="claim")
def test_a_few_heads_carry_related_word_matching(claim_check: ClaimFixture, record_check: RecordFixture) -> None:
    expect(record_check(claim_check(RELATED_WORD_HEADS)))
