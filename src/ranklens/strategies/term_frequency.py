"""The term-frequency perturbations behind TFC1, TFC2, TFC3, TDC and LB1 (Fang, Tao, Zhai, SIGIR
2004; TOIS 2011; Lv and Zhai, CIKM 2011): each draws one controlled case from a (query, document).

Shared design (SCIENCE.md; Chen, Merullo, Eickhoff, SIGIR 2024): the treatment inserts query
terms, the control inserts filler words with the same WordPiece count at the same place, so the
two documents have equal token length; and every contrast is repeated under a query that
contains none of the inserted words, negated (difference in differences), so that a token that
moves the score by itself, whatever the query, cancels out. What remains is the effect of
*matching*.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from ranklens.cases.contrast import Case, contrast
from ranklens.cases.perturb import insert_words
from ranklens.cases.terms import query_terms
from ranklens.ir.text import surface_form, words
from ranklens.strategies.context import CaseContext
from ranklens.strategies.sampling import Draw
from ranklens.strategies.words import fillers, middle_offsets, off_queries

IDF_GAP = 1.0
"""TDC: the rarer term's IDF exceeds the commoner's by at least this (nats); a smaller gap would
ask the model to separate terms whose weights barely differ even in BM25."""
IDF_SIMILAR = 0.5
"""TFC3: the two terms' IDFs differ by at most this, the axiom's "similar discrimination"."""


def _place(document: str, inserted: list[str], params: Mapping[str, Any], offset: float) -> str:
    return insert_words(document, inserted, params.get("position", "append"), offset=offset)


def _term_with_filler(
    draw: Draw, ctx: CaseContext, query: str, document: str, params: Mapping[str, Any], *, absent: bool
) -> tuple[str, str, str, str, float] | None:
    """A query term (and its written form), a filler of equal token length, an off-topic query and
    an insertion offset (drawn for ``middle`` only): the shared draw of TFC1, LB1 and TFC2."""
    candidates = query_terms(query, document, absent=absent)
    if not candidates:
        return None
    term = draw(st.sampled_from(candidates))
    written = surface_form(term, query)
    filler = draw(fillers(written, avoid=words(query) + words(document), count_pieces=ctx.count_pieces))
    off = draw(off_queries(ctx, {term, filler}))
    offset = draw(middle_offsets()) if params.get("position") == "middle" else 0.5
    return term, written, filler, off, offset


def tfc1(draw: Draw, ctx: CaseContext, query: str, document: str, params: Mapping[str, Any]) -> Case | None:
    """TFC1: s(q, d + t) > s(q, d + f) for a query term t and a filler f of equal token length."""
    chosen = _term_with_filler(draw, ctx, query, document, params, absent=params.get("absent", False))
    if chosen is None:
        return None
    term, written, filler, off, offset = chosen
    docs = [(_place(document, [written], params, offset), 1.0), (_place(document, [filler], params, offset), -1.0)]
    axiom = "LB1" if params.get("absent") else "TFC1"
    return contrast(
        axiom,
        query,
        document,
        docs,
        off_query=off,
        detail={"term": term, "filler": filler, "position": params.get("position", "append")},
    )


def tfc2(draw: Draw, ctx: CaseContext, query: str, document: str, params: Mapping[str, Any]) -> Case | None:
    """TFC2: the gain of the (k+1)-th added occurrence is smaller than the gain of the k-th.

    Documents with k-1, k and k+1 added occurrences, padded with fillers to equal length; the
    contrast is the negated second difference -s(k-1) + 2 s(k) - s(k+1).
    """
    chosen = _term_with_filler(draw, ctx, query, document, params, absent=False)
    if chosen is None:
        return None
    term, written, filler, off, offset = chosen
    step = int(params.get("step", 1))
    total = step + 1

    def with_terms(k: int) -> str:
        return _place(document, [written] * k + [filler] * (total - k), params, offset)

    docs = [(with_terms(step - 1), -1.0), (with_terms(step), 2.0), (with_terms(step + 1), -1.0)]
    return contrast(
        "TFC2",
        query,
        document,
        docs,
        off_query=off,
        detail={"term": term, "filler": filler, "step": step, "position": params.get("position", "append")},
    )


def _two_terms(draw: Draw, ctx: CaseContext, query: str, document: str, accept: Any) -> tuple[str, str] | None:
    """Two query terms absent from ``document`` with equal token length for which ``accept(a, b)``."""
    candidates = query_terms(query, document, absent=True)
    pairs = [
        (a, b)
        for a in candidates
        for b in candidates
        if a != b and ctx.count_pieces(a) == ctx.count_pieces(b) and accept(a, b)
    ]
    return draw(st.sampled_from(pairs)) if pairs else None


def tfc3(draw: Draw, ctx: CaseContext, query: str, document: str, params: Mapping[str, Any]) -> Case | None:
    """TFC3: with two query terms of similar IDF, d + t1 t2 beats d + t1 t1 (covering both)."""
    idf = ctx.stats.idf
    similar = _two_terms(draw, ctx, query, document, lambda a, b: abs(idf(a) - idf(b)) <= IDF_SIMILAR)
    if similar is None:
        return None
    first, second = similar
    off = draw(off_queries(ctx, {first, second}))
    first_w, second_w = surface_form(first, query), surface_form(second, query)
    docs = [
        (insert_words(document, [first_w, second_w], "append"), 1.0),
        (insert_words(document, [first_w, first_w], "append"), -1.0),
    ]
    return contrast("TFC3", query, document, docs, off_query=off, detail={"covered": first, "added": second})


def tdc(draw: Draw, ctx: CaseContext, query: str, document: str, params: Mapping[str, Any]) -> Case | None:
    """TDC: adding the rarer (higher-IDF) of two query terms helps more than adding the commoner."""
    apart = _two_terms(draw, ctx, query, document, lambda a, b: ctx.stats.idf(a) - ctx.stats.idf(b) >= IDF_GAP)
    if apart is None:
        return None
    rare, common = apart
    off = draw(off_queries(ctx, {rare, common}))
    docs = [
        (insert_words(document, [surface_form(rare, query)], "append"), 1.0),
        (insert_words(document, [surface_form(common, query)], "append"), -1.0),
    ]
    return contrast(
        "TDC",
        query,
        document,
        docs,
        off_query=off,
        detail={
            "rare": rare,
            "idf_rare": round(ctx.stats.idf(rare), 2),
            "common": common,
            "idf_common": round(ctx.stats.idf(common), 2),
        },
    )
