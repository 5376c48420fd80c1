"""Term tokenizers and corpus statistics in ir_axioms' own protocols, built offline.

ir_axioms' default tokenizer is spaCy's ``en_core_web_sm`` (lower-cased lemmas, spaCy stopwords
and punctuation removed); that model is not on PyPI. Two tokenizers stand in:

* ``ranklens``: our notion of a term (lower-case alphabetic words of three letters or more, our
  stopword list). Same terms on both sides, so a disagreement is a logic error in one of the two
  constructions.
* ``lemma``: ir_axioms' own ``SpacyTermTokenizer`` code on a model-free spaCy pipeline (the blank
  English tokenizer, spaCy's stopwords, the lookup lemmatizer with tables from the PyPI package
  ``spacy-lookups-data``): the closest offline stand-in for its default. A disagreement or
  abstention here that ``ranklens`` does not show comes from tokenisation, stopwords or lemmas.

IDF comes from the committed passages through ir_axioms' ``IndexStatistics`` (``ln(N / df)``, 0
for an unseen term: its formula, not ours).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from math import log
from typing import Any

import spacy
from ir_axioms.tools import IndexStatistics, SimpleTextStatistics, TermTokenizer
from ir_axioms.tools.tokenizer import SpacyTermTokenizer
from spacy.language import Language

from ranklens.ir.text import STOPWORDS, words


@dataclass(frozen=True, kw_only=True)
class RanklensTerms(TermTokenizer):
    """ranklens' notion of a term (``ranklens.ir.text.terms``), kept in order with repeats."""

    name: str = "ranklens"

    def terms(self, text: str) -> Sequence[str]:
        return ranklens_terms(text)


@cache
def ranklens_terms(text: str) -> tuple[str, ...]:
    """Our terms of ``text`` in order, with repeats (``ranklens.ir.text.terms`` drops repeats)."""
    return tuple(w for w in words(text) if len(w) >= 3 and w not in STOPWORDS)


@dataclass(frozen=True, kw_only=True)
class LemmaTerms(SpacyTermTokenizer):
    """ir_axioms' default term tokenizer (its own code) on a model-free spaCy pipeline.

    The blank English pipeline has ``en_core_web_sm``'s tokenizer rules and stopword list; the
    lookup lemmatizer stands in for the model's POS-aware one (so a few lemmas differ, e.g. for
    proper nouns, which the model leaves alone). Memoised: the axioms tokenise each text many times.
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


TOKENIZERS: Mapping[str, Callable[[], TermTokenizer]] = {"ranklens": RanklensTerms, "lemma": LemmaTerms}


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


class RawCounts(SimpleTextStatistics[Any]):
    """Raw term counts where ir_axioms divides by document length (Fang et al. state LNC1 on
    counts: ``c(w, d2) = c(w, d1)`` for every query term; a relative TF moves with the length that
    LNC1 varies, so ir_axioms' own LNC1 precondition holds on an LNC1 pair with a query term in d
    only when the added text is short)."""

    def term_frequencies(self, document: Any) -> Mapping[str, float]:
        return {term: float(count) for term, count in self.term_counts(document).items()}
