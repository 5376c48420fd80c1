"""Semantic term matching: STMC1 and STMC2 (Fang and Zhai, SIGIR 2006).

Related words come from a committed table derived from the Moby Thesaurus
(ranklens.data.related_terms). Both axioms insert single words of equal WordPiece count at
the end of the document and use the difference-in-differences control.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ranklens.axioms.spec import CaseContext
from ranklens.cases.contrast import Case, contrast
from ranklens.cases.perturb import insert_words
from ranklens.cases.terms import choose_filler, query_terms
from ranklens.data.related_terms import load_related_terms
from ranklens.ir.text import occurs, surface_form, words


def _related(ctx: CaseContext, query: str, document: str, rng: np.random.Generator) -> tuple[str, str] | None:
    """A query term absent from d and a related word absent from q and d, of equal token length."""
    related = load_related_terms()
    banned = set(words(query)) | set(words(document))
    options = [
        (term, word)
        for term in query_terms(query, document, absent=True)
        for word in related.get(term, ())
        if word not in banned
        and not occurs(word, document)
        and ctx.count_pieces(word) == ctx.count_pieces(surface_form(term, query))
    ]
    return options[int(rng.integers(len(options)))] if options else None


def stmc1(
    ctx: CaseContext, query: str, document: str, rng: np.random.Generator, params: Mapping[str, Any]
) -> Case | None:
    """STMC1: adding a word related to a query term beats adding an unrelated filler: s(d + r) > s(d + f)."""
    chosen = _related(ctx, query, document, rng)
    if chosen is None:
        return None
    term, related = chosen
    filler = choose_filler(
        related,
        avoid=[*words(query), *words(document), *load_related_terms().get(term, ())],
        count_pieces=ctx.count_pieces,
        rng=rng,
    )
    off = ctx.off_query({term, related, filler or related}, rng)
    if filler is None or off is None:
        return None
    docs = [(insert_words(document, [related], "append"), 1.0), (insert_words(document, [filler], "append"), -1.0)]
    return contrast(
        "STMC1", query, document, docs, off_query=off, detail={"term": term, "related": related, "filler": filler}
    )


def stmc2(
    ctx: CaseContext, query: str, document: str, rng: np.random.Generator, params: Mapping[str, Any]
) -> Case | None:
    """STMC2: adding the query term itself beats adding a related word: s(d + t) > s(d + r)."""
    chosen = _related(ctx, query, document, rng)
    if chosen is None:
        return None
    term, related = chosen
    off = ctx.off_query({term, related}, rng)
    if off is None:
        return None
    docs = [
        (insert_words(document, [surface_form(term, query)], "append"), 1.0),
        (insert_words(document, [related], "append"), -1.0),
    ]
    return contrast("STMC2", query, document, docs, off_query=off, detail={"term": term, "related": related})
