"""Hard invariants of the perturbation operators and axiom case builders (Hypothesis properties).

The operators must do exactly what they claim: the term occurs k more times, nothing else in the
document changes, treatment and control have equal token length where the design says so, and the
difference-in-differences control removes any effect a token has whatever the query.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from transformers import PreTrainedTokenizerBase

from ranklens.axioms import AXIOMS, AxiomSpec, axiom
from ranklens.axioms.measure import build_cases
from ranklens.cases.contrast import Case
from ranklens.cases.perturb import POSITIONS, insert_words, repeat
from ranklens.data.sources import filler_vocabulary
from ranklens.ir.text import occurs, stem, terms, words
from ranklens.strategies import CaseContext, passage_fragments, queries, search_pairs, source_pairs

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


@pytest.mark.parametrize("spec", [s for s in AXIOMS if s.axiom_id in LENGTH_MATCHED], ids=lambda s: s.name)
@settings(suppress_health_check=[HealthCheck.filter_too_much])  # preconditions reject many draws, by design
@given(data=st.data())
def test_treatment_and_control_have_equal_token_length(
    tokenizer: PreTrainedTokenizerBase, ctx: CaseContext, spec: AxiomSpec, data: st.DataObject
) -> None:
    case = data.draw(spec.cases(ctx, search_pairs()), label="case")
    assume(case is not None)  # a builder that always abstained would make Hypothesis fail (Unsatisfiable)
    assert case is not None
    lengths = {len(tokenizer.tokenize(doc)) for _, doc, _ in case.terms}
    assert len(lengths) == 1, f"{case.describe()}: token lengths {sorted(lengths)}"


@pytest.mark.parametrize("spec", [s for s in AXIOMS if s.axiom_id != "LNC2"], ids=lambda s: s.name)
@settings(suppress_health_check=[HealthCheck.filter_too_much])  # preconditions reject many draws, by design
@given(data=st.data())
def test_the_off_query_control_cancels_any_query_independent_effect(
    ctx: CaseContext, spec: AxiomSpec, data: st.DataObject
) -> None:
    # LNC1 needs a document holding a query term as written, AND one holding none of two or three
    # query terms in any other form: rare among fragments under a random query, so both are drawn
    # from the pairs they are measured on (half relevant); the others from passage fragments.
    measured = spec.axiom_id in {"LNC1", "AND"}
    pairs = source_pairs() if measured else st.tuples(queries(), passage_fragments(min_words=8))
    case = data.draw(spec.cases(ctx, pairs), label="case")
    assume(case is not None)
    assert case is not None
    query_blind = {pair: float(len(pair[1]) ** 1.5 + hash(pair[1]) % 97) for pair in case.pairs}
    assert case.value(query_blind) == pytest.approx(0.0, abs=1e-6)
    inserted = {w for _, doc, _ in case.terms for w in (Counter(terms(doc)) - Counter(terms(case.document)))}
    off_query = case.terms[-1][0]
    assert inserted.isdisjoint(words(off_query)), f"off query {off_query!r} contains an inserted word of {inserted}"


@pytest.mark.parametrize("spec", [s for s in AXIOMS if s.axiom_id == "LNC1"], ids=lambda s: s.name)
def test_lnc1_adds_text_that_shares_no_wordpiece_with_either_query(
    tokenizer: PreTrainedTokenizerBase, ctx: CaseContext, spec: AxiomSpec
) -> None:
    """A model may match any piece, stopwords included (planted does): the added text must add no match."""
    cases, _ = build_cases(spec, ctx, n=20, seed=3)
    shared = {
        (case.query, query): pieces
        for case in cases
        for query in {q for q, _, _ in case.terms}
        if (pieces := set(tokenizer.tokenize(str(case.detail["added"]))) & set(tokenizer.tokenize(query)))
    }
    assert cases and not shared, f"{len(cases)} cases; pieces shared with a query: {shared}"


@pytest.fixture(scope="module")
def and_cases(ctx: CaseContext) -> list[Case]:
    cases, _ = build_cases(axiom("AND"), ctx, n=100, seed=0)
    return cases


def test_and_treatment_holds_every_query_term_as_written(and_cases: list[Case]) -> None:
    """With "roads" in d, a treatment without "road" holds every query term only to a stemmer: an
    exact matcher (ir_axioms with exact terms, a model's WordPieces) sees two documents lacking it."""
    lacking = {
        case.query: missing for case in and_cases if (missing := set(terms(case.query)) - set(words(case.terms[0][1])))
    }
    assert len(and_cases) == 100 and not lacking, f"{len(lacking)} of {len(and_cases)} cases: {lacking}"


def test_and_control_lacks_the_dropped_term_in_every_form(
    tokenizer: PreTrainedTokenizerBase, and_cases: list[Case]
) -> None:
    """The missing term: no word of the control shares its stem, begins with it or is begun by it
    ("source" for "sources"), and its WordPiece sequence is not there either (read here from the
    tokenizer, not from the builder's helpers)."""

    def in_some_form(term: str, text: str) -> bool:
        forms = any(w.startswith(term) or term.startswith(w) or stem(w) == stem(term) for w in terms(text))
        wanted, seen = tokenizer.tokenize(" " + term), tokenizer.tokenize(text)
        return forms or any(seen[i : i + len(wanted)] == wanted for i in range(len(seen)))

    present = [
        (case.query, dropped)
        for case in and_cases
        if in_some_form(dropped := str(case.detail["dropped"]), case.terms[1][1])
    ]
    assert and_cases and not present, f"dropped terms present in the control: {present}"


@pytest.mark.parametrize("spec", [s for s in AXIOMS if s.axiom_id == "LNC1"], ids=lambda s: s.name)
def test_lnc1_keeps_a_non_zero_query_term_count(ctx: CaseContext, spec: AxiomSpec) -> None:
    """LNC1 holds query-term TF fixed while d grows: with TF 0 in d ("same TF" as 0 = 0), the case
    compares two non-matching documents and says nothing about normalising matches."""
    cases, _ = build_cases(spec, ctx, n=100, seed=0)

    def counts(case: Case, document: str) -> list[int]:
        return [words(document).count(t) for t in terms(case.query)]

    trivial = [case.query for case in cases if not any(counts(case, case.document))]
    changed = [case.query for case in cases if counts(case, case.terms[0][1]) != counts(case, case.terms[1][1])]
    assert len(cases) == 100 and not trivial and not changed, f"TF 0: {trivial}; TF changed: {changed}"


def test_fillers_are_real_corpus_words() -> None:
    vocabulary = filler_vocabulary()
    assert len(vocabulary) > 500 and all(w.isalpha() and len(w) >= 4 for w in vocabulary)


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
