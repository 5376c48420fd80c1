"""Word-level document frequencies of the committed passages: the IDF the axioms rank terms by.

``idf(w)`` is BM25's (:func:`ranklens.ir.idf.idf`), N = number of passages, df = passages
containing ``w``; words never seen get ``df = 0``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache

from ranklens.data.corpus import load_corpus
from ranklens.ir.idf import idf
from ranklens.ir.text import STOPWORDS, words


@dataclass(frozen=True)
class WordStatistics:
    """Document frequencies of words in the committed passages."""

    n_documents: int
    document_frequency: dict[str, int]

    def idf(self, word: str) -> float:
        df = self.document_frequency.get(word, 0)
        return float(idf(df, self.n_documents))


@cache
def word_statistics() -> WordStatistics:
    """Word-level document frequencies over the fixture passages (computed once per process)."""
    passages = load_corpus().passages
    df: Counter[str] = Counter()
    for passage in passages:
        df.update(set(words(passage.text)))
    return WordStatistics(len(passages), dict(df))


@cache
def filler_vocabulary() -> tuple[str, ...]:
    """Candidate fillers: content words seen in 2 to 20 passages (real words, neither rare names
    nor near-stopwords), sorted so that a seeded choice is reproducible."""
    stats = word_statistics()
    return tuple(
        sorted(w for w, df in stats.document_frequency.items() if 2 <= df <= 20 and len(w) >= 4 and w not in STOPWORDS)
    )
