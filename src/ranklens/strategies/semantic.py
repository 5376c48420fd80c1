"""The semantic term matching perturbations behind STMC1 and STMC2 (Fang and Zhai, SIGIR 2006).

Related words come from a committed table derived from the Moby Thesaurus
(ranklens.data.related_terms). Both axioms insert single words of equal WordPiece count at
the end of the document and use the difference-in-differences control.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from ranklens.cases.contrast import Case, contrast
from ranklens.cases.perturb import insert_words
from ranklens.data.related_terms import load_related_terms
from ranklens.ir.text import surface_form, words
from ranklens.strategies.context import CaseContext
from ranklens.strategies.sampling import Draw
from ranklens.strategies.words import fillers, off_queries, related_pairs


def _related(draw: Draw, ctx: CaseContext, query: str, document: str) -> tuple[str, str] | None:
    """A query term absent from d and a related word absent from q and d, of equal token length."""
    options = related_pairs(ctx, query, document)
    return draw(st.sampled_from(options)) if options else None


def stmc1(draw: Draw, ctx: CaseContext, query: str, document: str, params: Mapping[str, Any]) -> Case | None:
    """STMC1: adding a word related to a query term beats adding an unrelated filler: s(d + r) > s(d + f)."""
    chosen = _related(draw, ctx, query, document)
    if chosen is None:
        return None
    term, related = chosen
    avoid = [*words(query), *words(document), *load_related_terms().get(term, ())]
    filler = draw(fillers(related, avoid=avoid, count_pieces=ctx.count_pieces))
    off = draw(off_queries(ctx, {term, related, filler}))
    docs = [(insert_words(document, [related], "append"), 1.0), (insert_words(document, [filler], "append"), -1.0)]
    return contrast(
        "STMC1", query, document, docs, off_query=off, detail={"term": term, "related": related, "filler": filler}
    )


def stmc2(draw: Draw, ctx: CaseContext, query: str, document: str, params: Mapping[str, Any]) -> Case | None:
    """STMC2: adding the query term itself beats adding a related word: s(d + t) > s(d + r)."""
    chosen = _related(draw, ctx, query, document)
    if chosen is None:
        return None
    term, related = chosen
    off = draw(off_queries(ctx, {term, related}))
    docs = [
        (insert_words(document, [surface_form(term, query)], "append"), 1.0),
        (insert_words(document, [related], "append"), -1.0),
    ]
    return contrast("STMC2", query, document, docs, off_query=off, detail={"term": term, "related": related})
