"""Okapi BM25 over any tokens: one scorer for words (the default model's baseline) and WordPieces
(the planted model's target).

``score = sum over query occurrences t of idf(t) * tf (k1 + 1) / (tf + k1 (1 - b + b L / avgdl))``,
with ``L`` the document's token count. Every query *occurrence* counts (a term repeated in the
query counts twice, as the planted scoring head sums over query positions). ``k1 = inf`` gives
the linear-TF limit ``tf / (1 - b + b L / avgdl)``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ranklens.ir.idf import idf


def bm25(
    query_tokens: Sequence[str],
    doc_tokens: Sequence[str],
    *,
    idf_of: Callable[[str], float],
    avg_doc_len: float,
    k1: float = 1.2,
    b: float = 0.75,
) -> float:
    """BM25 of one document for one query, with the collection's ``idf_of`` and ``avg_doc_len``."""
    counts = Counter(doc_tokens)
    norm = 1.0 - b + b * len(doc_tokens) / avg_doc_len
    total = 0.0
    for token in query_tokens:
        tf = counts.get(token, 0)
        if tf:
            gain = tf / norm if math.isinf(k1) else tf * (k1 + 1.0) / (tf + k1 * norm)
            total += idf_of(token) * gain
    return total


@dataclass(frozen=True)
class Collection:
    """The statistics BM25 needs from a tokenized collection (unseen terms: ``df = 0``)."""

    n_documents: int
    avg_doc_len: float
    document_frequency: dict[str, int]

    @classmethod
    def of(cls, documents: Iterable[Sequence[str]]) -> Collection:
        docs = list(documents)
        df: Counter[str] = Counter(t for d in docs for t in set(d))
        return cls(len(docs), sum(map(len, docs)) / max(1, len(docs)), dict(df))

    def idf(self, token: str) -> float:
        return float(idf(self.document_frequency.get(token, 0), self.n_documents))

    def score(self, query_tokens: Sequence[str], doc_tokens: Sequence[str], *, k1: float, b: float) -> float:
        return bm25(query_tokens, doc_tokens, idf_of=self.idf, avg_doc_len=self.avg_doc_len, k1=k1, b=b)
