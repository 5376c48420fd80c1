"""Word-level document frequencies of a corpus: the IDF the axioms rank terms by.

``idf(w)`` is BM25's (:func:`ranklens.ir.idf.idf`), N = number of passages, df = passages
containing ``w``; words never seen get ``df = 0``. :class:`WordCounter` counts one passage at a
time, so a corpus of any size is counted without holding its text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from ranklens.ir.idf import idf
from ranklens.ir.text import STOPWORDS, words


@dataclass(frozen=True, eq=False)
class WordStatistics:
    """Document frequencies of words over ``n_documents`` passages (hashed by identity: one per
    case source, so per-source caches key on it)."""

    n_documents: int
    document_frequency: dict[str, int]
    avg_words: float = 0.0

    def idf(self, word: str) -> float:
        df = self.document_frequency.get(word, 0)
        return float(idf(df, self.n_documents))


@dataclass
class WordCounter:
    """Streams passages into :class:`WordStatistics`."""

    df: Counter[str] = field(default_factory=Counter)
    n_documents: int = 0
    total_words: int = 0

    def add(self, text: str) -> None:
        found = words(text)
        self.df.update(set(found))
        self.n_documents += 1
        self.total_words += len(found)

    def statistics(self) -> WordStatistics:
        return WordStatistics(self.n_documents, dict(self.df), self.total_words / max(1, self.n_documents))


def count_words(texts: Iterable[str]) -> WordStatistics:
    counter = WordCounter()
    for text in texts:
        counter.add(text)
    return counter.statistics()


@cache
def filler_words(stats: WordStatistics) -> tuple[str, ...]:
    """Candidate fillers: content words seen in 2 to 20 passages (real words, neither rare names
    nor near-stopwords), sorted so that a seeded choice is reproducible. On a corpus much larger
    than the committed 800 passages the band scales with it (df between N/400 and N/40)."""
    scale = max(1.0, stats.n_documents / 800)
    low, high = 2 * scale, 20 * scale
    return tuple(
        sorted(
            w for w, df in stats.document_frequency.items() if low <= df <= high and len(w) >= 4 and w not in STOPWORDS
        )
    )
