"""IDF of a model's own tokens over the case source's whole corpus: the one IDF every claim uses.

Source: the passages of the run's case source (:func:`ranklens.data.sources.active_source`; the
committed ``data/passages.jsonl`` by default), tokenized with the model's own tokenizer; formula
BM25's ``ln(1 + (N - df + 0.5) / (df + 0.5))`` (``ranklens.data.term_stats``). For the built-in
corpus and the BERT-uncased WordPiece vocabulary this is the committed ``idf_wordpiece.json``.
"""

from __future__ import annotations

import functools

from ranklens.data.case_source import CaseSource
from ranklens.data.sources import active_source
from ranklens.data.term_stats import IdfTable, build_idf_table


def idf_table(tokenizer: object) -> IdfTable:
    """IDF of the model's own tokens over the active case source's passages."""
    return _idf_table(tokenizer, active_source())


@functools.cache
def _idf_table(tokenizer: object, source: CaseSource) -> IdfTable:
    return build_idf_table(source.passage_texts(), tokenizer)
