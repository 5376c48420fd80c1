"""Fillers and token-length matching: the vocabulary the perturbations draw on.

The model sees WordPieces, so every choice that must keep token lengths equal (a filler for a
term, a related word for a term) compares WordPiece counts through the model's own tokenizer
(:class:`PieceCounter`).
"""

from __future__ import annotations

from collections.abc import Callable

from ranklens.ir.text import occurs, terms, words

PieceCounter = Callable[[str], int]
"""How many WordPieces (tokens) a single word becomes under the model's tokenizer."""

PieceSplitter = Callable[[str], list[str]]
"""The WordPieces (tokens, no special tokens) a text becomes under the model's tokenizer."""


def query_terms(query: str, document: str, *, absent: bool = False) -> list[str]:
    """Terms of ``query``; with ``absent``, only those that occur in ``document`` in no form at all
    (no inflection, no derivation: see :func:`~ranklens.ir.text.occurs`)."""
    return [t for t in terms(query) if not (absent and occurs(t, document))]


def matches_any(query: str, document: str) -> bool:
    """Whether ``document`` holds some query term in some form."""
    return any(occurs(t, document) for t in terms(query))


def exact_query_terms(query: str, document: str) -> list[str]:
    """Terms of ``query`` that ``document`` holds as written (the same word, not another form): the
    occurrences a term count sees, so a length axiom has a non-zero TF to normalise."""
    present = set(words(document))
    return [t for t in terms(query) if t in present]


def in_any_form(term: str, document: str) -> bool:
    """Whether ``document`` holds ``term`` in any form: :func:`~ranklens.ir.text.occurs`, or a term
    of ``document`` that ``term`` extends, which the light stemmer misses where it over-strips
    ("sources" stems to "sourc", so "source" would not count)."""
    return occurs(term, document) or any(term.startswith(w) for w in terms(document))


def in_another_form_only(query: str, document: str) -> list[str]:
    """Terms of ``query`` that ``document`` holds only in another form ("roads" for "road"): present
    to a stemmer or lemmatiser, absent to an exact count, so neither a present nor an absent term."""
    exact = set(exact_query_terms(query, document))
    return [t for t in terms(query) if t not in exact and in_any_form(t, document)]
