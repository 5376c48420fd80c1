"""The words and texts a perturbation inserts, each drawn uniformly from those that qualify.

A filler has the WordPiece count of the word it stands in for (so treatment and control have
equal token length); an off-topic query shares no inserted word (the difference-in-differences
control); unrelated text shares no WordPiece with the queries it is read under.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hypothesis import strategies as st

from ranklens.cases.terms import PieceCounter, query_terms
from ranklens.data.related_terms import load_related_terms
from ranklens.data.sources import filler_vocabulary
from ranklens.ir.text import occurs, surface_form, terms, words
from ranklens.strategies.context import CaseContext

MIDDLE_OFFSETS = (0.2, 0.8)
"""Where a ``middle`` insertion lands, as a fraction of the document's words: inside the text,
away from both ends (which ``append`` and ``prepend`` test)."""


def fillers(
    like: str, *, avoid: Iterable[str], count_pieces: PieceCounter, vocabulary: Sequence[str] | None = None
) -> st.SearchStrategy[str]:
    """A filler word with the token count of ``like``, none of ``avoid``, not ``like`` itself."""
    banned = {*avoid, like}
    target = count_pieces(like)
    pool = vocabulary if vocabulary is not None else filler_vocabulary()
    return st.sampled_from(pool).filter(lambda w: w not in banned and count_pieces(w) == target)


def off_queries(ctx: CaseContext, avoid: Iterable[str]) -> st.SearchStrategy[str]:
    """A query of the source that contains none of ``avoid`` in any form."""
    banned = set(avoid)
    return st.sampled_from(ctx.queries).filter(
        lambda q: not banned & set(words(q)) and not any(occurs(a, q) for a in banned)
    )


def unrelated_texts(ctx: CaseContext, avoid: Sequence[str], sentences: int) -> st.SearchStrategy[str]:
    """The first ``sentences`` sentences of a passage sharing nothing with any text in ``avoid``:
    none of its terms in any form and none of its WordPieces, stopword and sub-word pieces included,
    since a model may match any piece (the planted fixture matches them all)."""
    banned_pieces = {piece for text in avoid for piece in ctx.pieces(text)}
    banned_terms = {term for text in avoid for term in terms(text)}
    return (
        st.sampled_from(ctx.openings(sentences))
        .filter(
            lambda opening: (
                banned_pieces.isdisjoint(opening[1]) and not any(occurs(t, opening[0]) for t in banned_terms)
            )
        )
        .map(lambda opening: opening[0])
    )


def middle_offsets() -> st.SearchStrategy[float]:
    """Where a ``middle`` insertion goes, uniform over :data:`MIDDLE_OFFSETS`."""
    return st.floats(*MIDDLE_OFFSETS)


def related_pairs(ctx: CaseContext, query: str, document: str) -> list[tuple[str, str]]:
    """(query term absent from d, related word absent from q and d) of equal token length."""
    related = load_related_terms()
    banned = set(words(query)) | set(words(document))
    return [
        (term, word)
        for term in query_terms(query, document, absent=True)
        for word in related.get(term, ())
        if word not in banned
        and not occurs(word, document)
        and ctx.count_pieces(word) == ctx.count_pieces(surface_form(term, query))
    ]
