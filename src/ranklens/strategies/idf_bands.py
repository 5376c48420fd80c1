"""Query terms by IDF band: a term of a query whose IDF lies in a band, drawn uniformly.

IDF is the word-level BM25 IDF over the case source's passages (``ctx.stats.idf``), the one TDC
and TFC3 compare their terms by. A band is half-open, ``lo <= idf < hi``, given as bounds or by
name: ``low``, ``mid`` and ``high`` cut the IDF of the source's query terms (each query's
distinct terms, over all the source's queries) at its terciles, so each holds about a third of
the terms queries contribute (terciles of the whole vocabulary would not: most words occur in one
passage, so its upper two thirds would tie).

TDC draws its (rarer, commoner) pair uniformly among the ordered pairs an IDF gap apart; a rarer
term drawn from a band and then a commoner one would weigh each pair by one over its rarer term's
partners, a different population, so TDC keeps its own draw.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence

import numpy as np
from hypothesis import strategies as st

from ranklens.cases.terms import query_terms
from ranklens.data.word_stats import WordStatistics
from ranklens.ir.text import terms
from ranklens.strategies.context import CaseContext

IdfBand = tuple[float, float]
"""``(lo, hi)``: IDF at least ``lo`` and below ``hi``."""

BANDS = ("low", "mid", "high")


def idf_bands(ctx: CaseContext) -> Mapping[str, IdfBand]:
    """``low``, ``mid`` and ``high``: the case source's query terms cut at their IDF terciles."""
    return _bands(ctx.stats, tuple(ctx.queries))


@functools.cache
def _bands(stats: WordStatistics, queries: tuple[str, ...]) -> Mapping[str, IdfBand]:
    """Cached per word statistics (hashed by identity) and query list: the terciles are fixed for a
    source, and recomputing them on every draw would cost more than the draw."""
    idf = [stats.idf(term) for query in queries for term in terms(query)]
    first, second = (float(edge) for edge in np.quantile(idf, [1 / 3, 2 / 3])) if idf else (math.inf, math.inf)
    return {"low": (-math.inf, first), "mid": (first, second), "high": (second, math.inf)}


def band_terms(
    ctx: CaseContext, query: str, document: str = "", *, band: str | IdfBand, absent: bool = False
) -> list[str]:
    """Terms of ``query`` (with ``absent``, only those ``document`` lacks in every form) whose IDF
    lies in ``band``: the options :func:`idf_band_terms` draws from, so a perturbation can return
    ``None`` on an empty list, as a failed precondition, before drawing."""
    if isinstance(band, str) and band not in BANDS:
        raise ValueError(f"unknown IDF band {band!r}: give one of {', '.join(BANDS)}, or (lo, hi) bounds")
    lo, hi = idf_bands(ctx)[band] if isinstance(band, str) else band
    return [term for term in query_terms(query, document, absent=absent) if lo <= ctx.stats.idf(term) < hi]


def idf_band_terms(
    ctx: CaseContext, query: str, document: str = "", *, band: str | IdfBand, absent: bool = False
) -> st.SearchStrategy[str]:
    """A term of ``query`` whose IDF lies in ``band``, uniformly among :func:`band_terms` (nothing
    when none qualifies: the draw is rejected)."""
    options: Sequence[str] = band_terms(ctx, query, document, band=band, absent=absent)
    return st.sampled_from(options) if options else st.nothing()
