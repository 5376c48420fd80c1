"""BM25's inverse document frequency (Robertson and Zaragoza 2009), the one formula ranklens uses.

``idf(t) = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))``: never negative, unlike the original
Robertson-Sparck Jones weight, so a term in most documents still counts a little (Lucene's choice).
Callers decide what an unseen term's ``df`` is (0 for words, 1 for the planted model's tokens).
"""

from __future__ import annotations

from typing import Any

import numpy as np

FORMULA = "idf(t) = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))"


def idf(df: int | float | np.ndarray, n_documents: int) -> Any:
    """IDF of a document frequency in a collection of ``n_documents``: a float for a scalar ``df``,
    an array for an array."""
    df_arr = np.asarray(df, dtype=np.float64)
    value = np.log1p((n_documents - df_arr + 0.5) / (df_arr + 0.5))
    return float(value) if np.ndim(value) == 0 else value
