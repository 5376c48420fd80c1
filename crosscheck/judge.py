"""Our (query, treatment, control) triples through ir_axioms, and why it did not agree when it did not.

Positive = the axiom prefers the treatment, as our contrasts are oriented. Each pair is judged in
both orders (a check on ir_axioms' antisymmetry). Every non-agreement gets a reason: the first
ir_axioms condition (read from its 1.2.5 source) that fails for the pair, or "other" where none
of them explains it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from math import isclose
from typing import Any

from ir_axioms.model import Document, Query
from ir_axioms.tools import IndexStatistics, TermTokenizer

from crosscheck.cases import EXAMPLES, treatment_and_control
from crosscheck.text import SmoothedIndex, ranklens_terms
from crosscheck.wiring import Row, ir_axioms_for
from ranklens.cases.contrast import Case
from ranklens.ir.bm25 import Collection
from ranklens.ir.text import occurs, terms, words


@dataclass
class Tally:
    """Outcomes of one row under one tokenizer, with the reason for each non-agreement."""

    row: Row
    tokenizer: str
    cases: int = 0
    agree: int = 0
    disagree: int = 0
    abstain: int = 0
    without_query_terms: int = 0
    """Comparable cases in which neither document holds a query term: ir_axioms' condition holds
    vacuously (LNC1's "same TF" as 0 = 0), so agreeing on them shows nothing about matching."""
    not_antisymmetric: int = 0
    """Pairs where swapping the documents did not negate ir_axioms' preference (a check on it)."""
    reasons: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def comparable(self) -> int:
        return self.agree + self.disagree

    @property
    def agreement(self) -> float | None:
        return self.agree / self.comparable if self.comparable else None

    def as_json(self) -> dict[str, Any]:
        return {
            "ir_axiom": self.row.label,
            "spec": self.row.spec,
            "shows": self.row.shows,
            "tokenizer": self.tokenizer,
            "cases": self.cases,
            "comparable": self.comparable,
            "comparable_without_query_terms": self.without_query_terms,
            "agree": self.agree,
            "disagree": self.disagree,
            "abstain": self.abstain,
            "agreement": self.agreement,
            "not_antisymmetric": self.not_antisymmetric,
            "reasons": dict(self.reasons.most_common()),
            "examples": self.examples,
        }


@dataclass(frozen=True)
class Pair:
    """One case as ir_axioms' tokenizer sees it."""

    case: Case
    treatment: str
    control: str
    tokenizer: TermTokenizer
    index: IndexStatistics

    @cached_property
    def query_terms(self) -> set[str]:
        return set(self.tokenizer.unique_terms(self.case.query))

    @cached_property
    def treatment_terms(self) -> Counter[str]:
        return Counter(self.tokenizer.terms(self.treatment))

    @cached_property
    def control_terms(self) -> Counter[str]:
        return Counter(self.tokenizer.terms(self.control))

    @cached_property
    def document_terms(self) -> set[str]:
        return set(self.tokenizer.terms(self.case.document))

    @property
    def holds_query_term(self) -> bool:
        """Whether either document holds a query term at all."""
        return bool(self.query_terms & (self.treatment_terms.keys() | self.control_terms.keys()))

    def term(self, key: str) -> set[str]:
        """The tokenizer's terms for the word(s) that ``detail[key]`` names."""
        return set(self.tokenizer.terms(str(self.case.detail[key])))

    def lengths_close(self) -> bool:
        return isclose(self.treatment_terms.total(), self.control_terms.total(), rel_tol=0.1)

    def example(self) -> dict[str, Any]:
        return {
            "query": self.case.query,
            "detail": dict(self.case.detail),
            "query_terms": sorted(self.query_terms),
            "treatment_only": sorted((self.treatment_terms - self.control_terms).elements()),
            "control_only": sorted((self.control_terms - self.treatment_terms).elements()),
            "document": _short(self.case.document),
        }


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def lb1_scores(pair: Pair, bm25: Collection) -> tuple[float, float]:
    """Retrieval scores for LB1, whose precondition (Lv and Zhai) is that d1 and d2 score the same
    under the query *without* the term t that one of them adds; ir_axioms reads it as "scores
    within 10 %". BM25 (k1 = 1.2, b = 0.75) over this tokenizer's terms, under q minus t: equal by
    our construction (t vs a one-word filler), unless the tokenizer makes the filler a query term."""
    query = [t for t in pair.tokenizer.terms(pair.case.query) if t not in pair.term("term")]
    treatment, control = (
        bm25.score(query, list(pair.tokenizer.terms(doc)), k1=1.2, b=0.75) for doc in (pair.treatment, pair.control)
    )
    return treatment, control


PRESENT_IN_ANOTHER_FORM = "a term the builder took as absent is in d in another form (same lemma)"
NOT_A_QUERY_TERM = "the inserted query word is no query term for this tokenizer (its stopword, or split differently)"
ONLY_IN_ANOTHER_FORM = (
    "the treatment lacks a query term as written: d holds it only in another form ('roads' for 'road')"
)


def reason(label: str, pair: Pair, scores: tuple[float, float] | None) -> str:
    """Why ir_axioms did not prefer the treatment: the first of its conditions that fails.

    Each branch restates the ir_axioms code path that returns 0 or the opposite sign for this
    kind of pair; "other" means none of them explains it.
    """
    inserted = set(pair.treatment_terms - pair.control_terms) & pair.query_terms
    if label == "LB1" and scores and not isclose(*scores, rel_tol=0.1):
        return "BM25 under q without t differs by more than 10 % (LB1's 'other things equal' fails)"
    if label in ("TFC1", "TFC3") and not pair.lengths_close():
        return "length precondition: term counts differ by more than 10 %"
    if label in ("TFC1", "LB1", "TF_LNC", "M_AND") and not inserted:
        return NOT_A_QUERY_TERM
    if label in ("TFC1", "LB1", "M_AND") and set(pair.control_terms - pair.treatment_terms) & pair.query_terms:
        return "the filler is a query term for this tokenizer (same lemma)"
    if label == "TFC1":
        return "query-term TF sums within ir_axioms' 10 % margin (d already has many query-term occurrences)"
    if label in ("LB1", "M_AND") and inserted <= pair.document_terms:
        return PRESENT_IN_ANOTHER_FORM
    if label in ("TFC3", "M_TDC", "M_TDC/smoothed"):
        return _idf_reason(label, pair)
    if label.startswith("LNC1") and set(pair.control_terms - pair.treatment_terms) & pair.query_terms:
        return "the added 'unrelated' text holds a query term in another form (same lemma)"
    if label == "LNC1":
        return "a query term's relative TF (tf / |d|) changes by more than 10 %, ir_axioms' 'same TF' test"
    if label.startswith("PROX"):
        return _prox_reason(label, pair)
    if label == "AND":
        return _and_reason(pair)
    return "other"


def _idf_reason(label: str, pair: Pair) -> str:
    first, second = ("covered", "added") if label == "TFC3" else ("rare", "common")
    a, b = pair.term(first), pair.term(second)
    if len(a) != 1 or len(b) != 1 or not (a | b) <= pair.query_terms:
        return NOT_A_QUERY_TERM
    if (a | b) & pair.document_terms:
        return PRESENT_IN_ANOTHER_FORM
    index = SmoothedIndex(pair.index) if label == "M_TDC/smoothed" else pair.index
    idf_a, idf_b = (index.inverse_document_frequency(next(iter(t))) for t in (a, b))
    if label == "TFC3" and not isclose(idf_a, idf_b, rel_tol=0.1):
        return "IDFs not within ir_axioms' 10 % (ours: within 0.5 nats of BM25 IDF)"
    if label == "M_TDC" and idf_a == 0:
        return "rare term unseen in the passages: ir_axioms' IDF is 0 for df = 0 (ours is the maximum)"
    if label.startswith("M_TDC") and idf_a <= idf_b:
        return "IDF order differs: ir_axioms' ln(N/df) over this tokenizer's terms vs our BM25 IDF over words"
    return "other"


def _prox_reason(label: str, pair: Pair) -> str:
    near, far = pair.term("first"), pair.term("second")
    if not near or not far or not (near | far) <= pair.query_terms:
        return NOT_A_QUERY_TERM
    if (near | far) & pair.document_terms:
        return PRESENT_IN_ANOTHER_FORM
    both = pair.query_terms & set(pair.treatment_terms)
    if label == "PROX5" and not pair.query_terms <= both:
        return "not every query term is in the documents (PROX5 needs all of them)"
    if len(both) > 2:
        return (
            "d holds other query terms: PROX1 averages the gap over every query-term pair, and the appended pair "
            "lies far from query terms early in d"
            if label == "PROX1"
            else "d holds other query terms: the smallest span holding all of them is set by d, not by the pair"
        )
    return "other"


def _and_reason(pair: Pair) -> str:
    """AND prefers the document holding every query term; it abstains when both or neither do."""
    dropped = pair.term("dropped")
    if not dropped or not dropped <= pair.query_terms:
        return NOT_A_QUERY_TERM
    if dropped & pair.document_terms:
        return PRESENT_IN_ANOTHER_FORM
    missing = pair.query_terms - set(pair.treatment_terms)
    document = pair.case.document
    other_form = [t for t in terms(pair.case.query) if t not in words(document) and occurs(t, document)]
    if missing & set(pair.tokenizer.terms(" ".join(other_form))):
        return ONLY_IN_ANOTHER_FORM
    if missing and not missing & set(pair.tokenizer.terms(" ".join(ranklens_terms(pair.case.query)))):
        return "the treatment lacks a query term that ranklens does not count as a term (number, short word)"
    return "other"


def judge(
    rows: Sequence[Row],
    cases: Mapping[str, Sequence[Case]],
    tokenizer: TermTokenizer,
    index: IndexStatistics,
    bm25: Collection,
    name: str,
) -> list[Tally]:
    """Every row's cases through its ir_axioms axiom, in both document orders.

    Only LB1 reads retrieval scores (:func:`lb1_scores`); other rows' documents carry none, so an
    axiom that read one would fail loudly rather than see a made-up score.
    """
    axioms = ir_axioms_for(tokenizer, index)
    tallies = []
    for row in rows:
        tally = Tally(row, name)
        axiom = axioms[row.label]
        for case in cases[row.spec]:
            query, treatment, control = treatment_and_control(case)
            pair = Pair(case, treatment, control, tokenizer, index)
            scores = lb1_scores(pair, bm25) if row.ir_axiom == "LB1" else None
            t = Document("treatment", treatment, scores[0] if scores else None)
            c = Document("control", control, scores[1] if scores else None)
            q = Query("q", query)
            forward, backward = axiom.preference(q, t, c), axiom.preference(q, c, t)
            tally.cases += 1
            tally.not_antisymmetric += forward != -backward
            tally.without_query_terms += forward != 0 and not pair.holds_query_term
            if forward > 0:
                tally.agree += 1
                continue
            if forward < 0:
                tally.disagree += 1
            else:
                tally.abstain += 1
            why = f"{'disagree' if forward < 0 else 'abstain'}: {reason(row.label, pair, scores)}"
            tally.reasons[why] += 1
            kept = tally.examples.setdefault(why, [])
            if len(kept) < EXAMPLES:
                kept.append(pair.example())
        tallies.append(tally)
    return tallies
