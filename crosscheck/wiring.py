"""Which ir_axioms axiom judges which of our specs, and what a comparable case of each row is.

ir_axioms judges a pair of documents; where its preconditions fail it abstains (0). A row's
``shows`` says which of our cases it can compare and so what its agreement is evidence of: a row
that agrees on few, or on trivial, cases shows little.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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

from crosscheck.text import RawCounts, SmoothedIndex
from ranklens.axioms import AXIOMS


@dataclass(frozen=True)
class Row:
    """One of our specs judged by one ir_axioms axiom (``variant`` names a non-default wiring)."""

    ir_axiom: str
    spec: str
    shows: str
    """Which cases ir_axioms can compare (its precondition) and what agreeing on them shows."""
    variant: str = ""

    @property
    def label(self) -> str:
        return f"{self.ir_axiom}/{self.variant}" if self.variant else self.ir_axiom


_LNC1 = tuple(s.name for s in AXIOMS if s.axiom_id == "LNC1")
ROWS: tuple[Row, ...] = (
    *(
        Row(
            "TFC1",
            s.name,
            "d+t vs d+f; comparable where term counts are within 10 % and the query-term TF sum rises > 10 %",
        )
        for s in AXIOMS
        if s.axiom_id == "TFC1"
    ),
    Row("TFC3", "TFC3", "d+t1+t2 vs d+t1+t1, both absent from d; comparable where ln(N/df) IDFs are within 10 %"),
    Row("M_TDC", "TDC", "d+rare vs d+common (modified TDC, Shi et al. 2005; no plain TDC); IDF ln(N/df), unseen = 0"),
    Row("M_TDC", "TDC", "supplementary: as M_TDC with IDF ln(N/(df+0.5)), so an unseen term is the rarest", "smoothed"),
    *(
        Row(
            "LNC1",
            name,
            "d vs d+u, u without query terms, d with a query term; comparable only where every query term's "
            "tf/|d| moves < 10 %, i.e. u adds < ~10 % to |d|",
        )
        for name in _LNC1
    ),
    *(
        Row("LNC1", name, "supplementary: Fang et al.'s raw-count 'same TF' (non-zero in d), not tf/|d|", "raw")
        for name in _LNC1
    ),
    Row("TF_LNC", "TF-LNC", "d+t vs d: the TF of t and |d| both rise by one"),
    Row(
        "LB1",
        next(s.name for s in AXIOMS if s.axiom_id == "LB1"),
        "d+t vs d+f, t absent from d; scores = BM25 under q without t (equal by construction), "
        "ir_axioms' stand-in for 'other things equal'",
    ),
    Row("PROX1", "PROX", "t1 t2 adjacent vs at both ends, d without query terms; mean gap between query-term pairs"),
    Row("PROX5", "PROX", "supplementary: smallest span holding every query term; comparable where t1, t2 are all"),
    Row("AND", "AND", "d+all missing terms vs one replaced by a filler; every other query term is in d as written"),
    Row("M_AND", "AND", "the AND pairs: the treatment holds one more distinct query term"),
)
NOT_COMPARED: Mapping[str, str] = {
    "STMC1": "ir_axioms' term similarity is WordNet through NLTK, whose data is downloaded at run time (it is "
    "not on PyPI), or fastText, whose model is downloaded at run time",
    "STMC2": "as STMC1",
    "TFC2": "no counterpart in ir_axioms",
    "LNC2": "no counterpart in ir_axioms",
}


def ir_axioms_for(tokenizer: TermTokenizer, index: IndexStatistics) -> dict[str, Axiom[Query, Document]]:
    """ir_axioms' axioms wired by hand to ``tokenizer`` and ``index``, keyed by :attr:`Row.label`.

    Built directly rather than through its dependency injector, whose defaults would load spaCy's
    ``en_core_web_sm`` (TFC1's and TFC3's default length precondition does so too, so it is
    passed explicitly; its margin stays ir_axioms' default 10 %).
    """
    contents = SimpleTextContents()
    stats = SimpleTextStatistics(text_contents=contents, term_tokenizer=tokenizer)
    length: LenPrecondition[Query] = LenPrecondition(text_contents=contents, term_tokenizer=tokenizer)
    raw = RawCounts(text_contents=contents, term_tokenizer=tokenizer)
    return {
        "TFC1": Tfc1Axiom(text_contents=contents, term_tokenizer=tokenizer, text_statistics=stats, precondition=length),
        "TFC3": Tfc3Axiom(
            text_contents=contents,
            term_tokenizer=tokenizer,
            index_statistics=index,
            text_statistics=stats,
            precondition=length,
        ),
        "M_TDC": ModifiedTdcAxiom(
            text_contents=contents, term_tokenizer=tokenizer, index_statistics=index, text_statistics=stats
        ),
        "M_TDC/smoothed": ModifiedTdcAxiom(
            text_contents=contents,
            term_tokenizer=tokenizer,
            index_statistics=SmoothedIndex(index),
            text_statistics=stats,
        ),
        "LNC1": Lnc1Axiom(text_contents=contents, term_tokenizer=tokenizer, text_statistics=stats),
        "LNC1/raw": Lnc1Axiom(text_contents=contents, term_tokenizer=tokenizer, text_statistics=raw),
        "TF_LNC": TfLncAxiom(text_contents=contents, term_tokenizer=tokenizer, text_statistics=stats),
        "LB1": Lb1Axiom(text_contents=contents, term_tokenizer=tokenizer, text_statistics=stats),
        "PROX1": Prox1Axiom(text_contents=contents, term_tokenizer=tokenizer),
        "PROX5": Prox5Axiom(text_contents=contents, term_tokenizer=tokenizer),
        "AND": AndAxiom(text_contents=contents, term_tokenizer=tokenizer),
        "M_AND": ModifiedAndAxiom(text_contents=contents, term_tokenizer=tokenizer),
    }
