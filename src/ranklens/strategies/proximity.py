"""The proximity and coverage perturbations behind PROX (Tao and Zhai, SIGIR 2007) and AND (Zheng
and Fang, ECIR 2010).

Both keep the multiset of tokens fixed or length-matched and change only where the query terms
are or whether all of them are there; both use the difference-in-differences control.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from ranklens.cases.contrast import Case, contrast
from ranklens.cases.perturb import insert_words
from ranklens.cases.terms import exact_query_terms, in_another_form_only, matches_any, query_terms
from ranklens.ir.text import surface_form, terms, words
from ranklens.strategies.context import CaseContext
from ranklens.strategies.sampling import Draw
from ranklens.strategies.words import fillers, off_queries

MAX_COVERED_TERMS = 3


def prox(draw: Draw, ctx: CaseContext, query: str, document: str, params: Mapping[str, Any]) -> Case | None:
    """PROX: two query terms side by side beat the same two terms at opposite ends of the document.

    Same tokens in both documents; only the distance between the two terms changes.
    Precondition: d holds no query term in any form, so the added pair is the only occurrence of
    any query term (with other query terms in d, "side by side at the end" can lengthen the mean
    gap between query terms and a proximity-aware model would rightly prefer "far apart").
    """
    if matches_any(query, document):
        return None
    candidates = query_terms(query, document)
    if len(candidates) < 2:
        return None
    first, second = draw(st.lists(st.sampled_from(candidates), min_size=2, max_size=2, unique=True))
    off = draw(off_queries(ctx, {first, second}))
    first_w, second_w = surface_form(first, query), surface_form(second, query)
    near = insert_words(document, [first_w, second_w], "append")
    far = insert_words(insert_words(document, [first_w], "prepend"), [second_w], "append")
    return contrast(
        "PROX", query, document, [(near, 1.0), (far, -1.0)], off_query=off, detail={"first": first, "second": second}
    )


def coverage(draw: Draw, ctx: CaseContext, query: str, document: str, params: Mapping[str, Any]) -> Case | None:
    """AND: a document holding every query term beats the same document missing one of them, whose
    place is taken by a filler of equal token length.

    The query terms d lacks (two to :data:`MAX_COVERED_TERMS` of them; more would make the added
    text a list of keywords) are appended, so the treatment holds every query term as written.
    Strict, so that exact, stemmed and WordPiece matching all read the case alike: every query term
    is in d as written or in no form at all (:func:`~ranklens.cases.terms.in_any_form`: no word of
    d shares its stem, begins with it or is begun by it, which rules out its WordPiece sequence
    too). With "roads" in d, the treatment would lack "road" exactly but hold it stemmed.
    """
    if in_another_form_only(query, document):
        return None
    present = exact_query_terms(query, document)
    candidates = [t for t in terms(query) if t not in present]
    if not 2 <= len(candidates) <= MAX_COVERED_TERMS:
        return None
    dropped = draw(st.sampled_from(candidates))
    written = {t: surface_form(t, query) for t in candidates}
    filler = draw(fillers(written[dropped], avoid=words(query) + words(document), count_pieces=ctx.count_pieces))
    off = draw(off_queries(ctx, {*candidates, filler}))
    partial = [filler if term == dropped else written[term] for term in candidates]
    candidates = [written[t] for t in candidates]
    docs = [(insert_words(document, candidates, "append"), 1.0), (insert_words(document, partial, "append"), -1.0)]
    return contrast(
        "AND",
        query,
        document,
        docs,
        off_query=off,
        detail={"terms": " ".join(candidates), "dropped": dropped, "filler": filler},
    )
