"""IDF of a model's own tokens over the fixture passages: the one IDF every claim uses.

Source: ``data/passages.jsonl`` (the committed corpus), tokenized with the model's own
tokenizer; formula BM25's ``ln(1 + (N - df + 0.5) / (df + 0.5))`` (``ranklens.data.term_stats``).
For the BERT-uncased WordPiece vocabulary this is the committed ``idf_wordpiece.json``.
"""

from __future__ import annotations

import functools

from ranklens.data.corpus import load_corpus
from ranklens.data.term_stats import IdfTable, build_idf_table


@functools.cache
def idf_table(tokenizer: object) -> IdfTable:
    """IDF of the model's own tokens over the fixture passages (stated source: data)."""
    return build_idf_table(load_corpus(), tokenizer)
