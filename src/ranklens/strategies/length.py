"""The length perturbations behind LNC1, LNC2 and TF-LNC (Fang, Tao, Zhai, SIGIR 2004; TOIS 2011).

LNC1 and TF-LNC are repeated under an off-topic query and negated (difference in differences):
a length bias that applies whatever the query is not length *normalisation* of matches, and a
random network has such biases. LNC2 is not: it forbids any penalty on a self-concatenated
document, query-independent or not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from ranklens.cases.contrast import Case, contrast
from ranklens.cases.perturb import append_text, insert_words, repeat
from ranklens.cases.terms import exact_query_terms, matches_any, query_terms
from ranklens.ir.text import surface_form, terms
from ranklens.strategies.context import CaseContext
from ranklens.strategies.sampling import Draw
from ranklens.strategies.words import off_queries, unrelated_texts


def lnc1(draw: Draw, ctx: CaseContext, query: str, document: str, params: Mapping[str, Any]) -> Case | None:
    """LNC1: adding text that contains no query term lowers the score: s(q, d) > s(q, d + u).

    u shares no WordPiece with the query or the off-query (stopword pieces too), not just no
    term: a model that matches pieces would otherwise see u add matches, and the added length
    would not be neutral for a model without length normalisation.
    Precondition: d holds at least one query term as written, so the query-term TF that the added
    text leaves unchanged is non-zero: with none (or only "roads" for "road"), "same TF" holds as
    0 = 0 and the case says nothing about normalising matches.
    """
    if not exact_query_terms(query, document):
        return None
    sentences = int(params.get("sentences", 1))
    off = draw(off_queries(ctx, set(terms(document))))
    added = draw(unrelated_texts(ctx, [query, off], sentences))
    docs = [(document, 1.0), (append_text(document, added), -1.0)]
    return contrast("LNC1", query, document, docs, off_query=off, detail={"added": added, "sentences": sentences})


def lnc2(draw: Draw, ctx: CaseContext, query: str, document: str, params: Mapping[str, Any]) -> Case | None:
    """LNC2: a document concatenated with itself is not scored below the document: s(q, dd) >= s(q, d).

    Non-strict: a difference inside the neutral band agrees. Precondition: d matches a query term.
    """
    if not matches_any(query, document):
        return None
    times = int(params.get("times", 2))
    docs = [(repeat(document, times), 1.0), (document, -1.0)]
    return contrast("LNC2", query, document, docs, off_query=None, detail={"times": times})


def tf_lnc(draw: Draw, ctx: CaseContext, query: str, document: str, params: Mapping[str, Any]) -> Case | None:
    """TF-LNC: adding a query term raises the score although the document gets longer: s(q, d + t) > s(q, d)."""
    candidates = query_terms(query, document)
    if not candidates:
        return None
    term = draw(st.sampled_from(candidates))
    off = draw(off_queries(ctx, {term}))
    docs = [(insert_words(document, [surface_form(term, query)], "append"), 1.0), (document, -1.0)]
    return contrast("TF-LNC", query, document, docs, off_query=off, detail={"term": term})
