"""Hard invariants of the perturbation operators and axiom case builders (Hypothesis properties).

The operators must do exactly what they claim: the term occurs k more times, nothing else in the
document changes, treatment and control have equal token length where the design says so, and the
difference-in-differences control removes any effect a token has whatever the query.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ranklens import Reranker
from ranklens.axioms import AXIOMS, AxiomSpec
from ranklens.axioms.measure import build_cases, case_context, tokenizer_case_context
from ranklens.axioms.search import documents
from ranklens.cases import sample_pairs
from ranklens.cases.perturb import POSITIONS, insert_words, repeat
from ranklens.data.word_stats import filler_vocabulary
from ranklens.ir.text import occurs, stem, terms, words

LENGTH_MATCHED = {"TFC1", "TFC2", "TFC3", "TDC", "LB1", "PROX", "AND", "STMC1", "STMC2"}
plain_words = st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "river", "stone"]), min_size=0, max_size=30)


@given(
    document=plain_words.map(" ".join),
    word=st.sampled_from(["emperor", "harbor"]),
    k=st.integers(1, 5),
    position=st.sampled_from(POSITIONS),
    offset=st.floats(0, 1),
)
def test_insert_words_adds_exactly_k_occurrences_and_changes_nothing_else(
    document: str, word: str, k: int, position: str, offset: float
) -> None:
    inserted = [word] * k
    result = insert_words(document, inserted, position, offset=offset)  # type: ignore[arg-type]
    assert words(result).count(word) - words(document).count(word) == k
    assert [w for w in result.split() if w != word] == [w for w in document.split() if w != word]
    assert inserted == [word] * k, "the inserted list must not be mutated"


@given(document=plain_words.filter(bool).map(" ".join), times=st.integers(1, 4))
def test_repeat_multiplies_every_word_count(document: str, times: int) -> None:
    assert words(repeat(document, times)) == words(document) * times


@pytest.fixture(scope="module")
def bert(tiny_reranker: Callable[[str], Reranker]) -> Reranker:
    return tiny_reranker("bert")


@pytest.mark.parametrize("spec", [s for s in AXIOMS if s.axiom_id in LENGTH_MATCHED], ids=lambda s: s.name)
@given(data=st.data())
def test_treatment_and_control_have_equal_token_length(bert: Reranker, spec: AxiomSpec, data: st.DataObject) -> None:
    ctx = case_context(bert)
    query = data.draw(st.sampled_from(ctx.queries), label="query")
    document = data.draw(documents(), label="document")
    case = spec.build(ctx, query, document, np.random.default_rng(data.draw(st.integers(0, 2**16))), spec.params)
    if case is not None:
        lengths = {len(bert.tokenizer.tokenize(doc)) for _, doc, _ in case.terms}
        assert len(lengths) == 1, f"{case.describe()}: token lengths {sorted(lengths)}"


@pytest.mark.parametrize("spec", [s for s in AXIOMS if s.axiom_id != "LNC2"], ids=lambda s: s.name)
@given(data=st.data())
def test_the_off_query_control_cancels_any_query_independent_effect(
    bert: Reranker, spec: AxiomSpec, data: st.DataObject
) -> None:
    ctx = case_context(bert)
    query = data.draw(st.sampled_from(ctx.queries), label="query")
    document = data.draw(documents(min_words=8), label="document")
    case = spec.build(ctx, query, document, np.random.default_rng(data.draw(st.integers(0, 2**16))), spec.params)
    if case is not None:
        query_blind = {pair: float(len(pair[1]) ** 1.5 + hash(pair[1]) % 97) for pair in case.pairs}
        assert case.value(query_blind) == pytest.approx(0.0, abs=1e-6)
        inserted = {w for _, doc, _ in case.terms for w in (Counter(terms(doc)) - Counter(terms(case.document)))}
        off_query = case.terms[-1][0]
        assert inserted.isdisjoint(words(off_query)), f"off query {off_query!r} contains an inserted word of {inserted}"


@pytest.mark.parametrize("spec", [s for s in AXIOMS if s.axiom_id == "LNC1"], ids=lambda s: s.name)
def test_lnc1_adds_text_that_shares_no_wordpiece_with_either_query(bert: Reranker, spec: AxiomSpec) -> None:
    """A model may match any piece, stopwords included (planted does): the added text must add no match."""
    cases, _ = build_cases(spec, case_context(bert), sample_pairs(n=80, seed=3), n=20, seed=3)
    shared = {
        (case.query, query): pieces
        for case in cases
        for query in {q for q, _, _ in case.terms}
        if (pieces := set(bert.tokenizer.tokenize(str(case.detail["added"]))) & set(bert.tokenizer.tokenize(query)))
    }
    assert cases and not shared, f"{len(cases)} cases; pieces shared with a query: {shared}"


def test_fillers_are_real_corpus_words() -> None:
    vocabulary = filler_vocabulary()
    assert len(vocabulary) > 500 and all(w.isalpha() and len(w) >= 4 for w in vocabulary)


def test_a_context_from_the_tokenizer_alone_builds_the_same_cases(bert: Reranker) -> None:
    """The ir_axioms cross-check builds cases from a tokenizer without a model: same seed, same cases."""
    from_model, from_tokenizer = case_context(bert), tokenizer_case_context(bert.tokenizer)
    sources = sample_pairs(n=12, seed=5)
    for spec in AXIOMS:
        cases, skipped = build_cases(spec, from_model, sources, n=3, seed=5)
        assert cases, f"{spec.name}: no case from 12 sources, the comparison would be vacuous"
        assert build_cases(spec, from_tokenizer, sources, n=3, seed=5) == (cases, skipped), spec.name


@given(
    word=st.sampled_from(["island", "chemical", "family", "emperor"]),
    suffix=st.sampled_from(["", "s", "es", "ly", "ing", "ed"]),
    casing=st.sampled_from([str.lower, str.title]),
)
def test_a_term_is_present_in_any_inflected_form(word: str, suffix: str, casing: Callable[[str], str]) -> None:
    assert occurs(word, f"Some text about {casing(word + suffix)} here.")


def test_stems_do_not_merge_unrelated_short_words() -> None:
    assert (stem("islands"), stem("bus"), stem("cities")) == ("island", "bus", "city")


def test_accented_words_stay_whole() -> None:
    assert words("Boötes and Ögedei") == ["bootes", "and", "ogedei"]
