"""Aligned cases for the circuit claims: a query term appended against a filler appended.

Patching needs the two runs token-aligned, so a circuit case is stricter than an axiom case
(SCIENCE.md, Lu et al. 2025; Chen, Merullo, Eickhoff 2024):

- the term is a query word absent from the document, and it and the filler are each *one* token
  in context (so "the document positions holding the term" are exactly the inserted ones, and
  attention to them is one number per head);
- everything is appended, so baseline and perturbed differ only at the appended positions;
- the query must contain the term's token (a tokenizer that spells a word differently at the
  start of a text, as BPE does, would otherwise give no query position to read attention from).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from hypothesis import strategies as st
from transformers import PreTrainedTokenizerBase

from ranklens.cases.terms import query_terms
from ranklens.data.sources import filler_vocabulary
from ranklens.ir.text import surface_form, words
from ranklens.models import Pair
from ranklens.strategies.corpus import source_pairs
from ranklens.strategies.sampling import Draw


@dataclass(frozen=True)
class CircuitCase:
    """A query, a document without the term, and one-token ``term`` / ``filler`` to append."""

    query: str
    document: str
    term: str
    filler: str
    term_id: int
    filler_id: int

    def with_appended(self, tokens: Sequence[str]) -> str:
        return " ".join([self.document, *tokens])

    def tf_document(self, tf: int, total: int) -> str:
        """``tf`` copies of the term then ``total - tf`` fillers: equal length for every ``tf``."""
        return self.with_appended([self.term] * tf + [self.filler] * (total - tf))

    @property
    def baseline(self) -> Pair:
        return (self.query, self.tf_document(0, 1))

    @property
    def perturbed(self) -> Pair:
        return (self.query, self.tf_document(1, 1))


class AlignedCases(Protocol):
    """What builds a head claim's cases: :func:`aligned_cases`, or your own with its shape (e.g. a
    related word appended instead of the query term), so a declared claim is drawn, split and
    searched exactly as the built-in ones are."""

    def __call__(
        self, tokenizer: PreTrainedTokenizerBase, *, fits: Callable[[Pair], bool], pairs: st.SearchStrategy[Pair]
    ) -> st.SearchStrategy[CircuitCase | None]: ...


def aligned_cases(
    tokenizer: PreTrainedTokenizerBase,
    *,
    fits: Callable[[Pair], bool],
    pairs: st.SearchStrategy[Pair] | None = None,
) -> st.SearchStrategy[CircuitCase | None]:
    """A :class:`CircuitCase` from a pair of ``pairs`` (default :func:`source_pairs`): a uniform
    choice among the query's one-token terms absent from the document, and a uniform one-token
    filler sharing no token with query or document; ``None`` when there is none, or when the
    perturbed run does not ``fit`` the model's window."""
    sources = pairs if pairs is not None else source_pairs()

    @st.composite
    def cases(draw: Draw) -> CircuitCase | None:
        query, document = draw(sources)
        single = single_token_words(tokenizer, filler_vocabulary())
        query_ids = tokenizer(query, add_special_tokens=False)["input_ids"]
        document_ids = set(tokenizer(document, add_special_tokens=False)["input_ids"])
        candidates = []
        for term in query_terms(query, document, absent=True):
            written = surface_form(term, query)
            ids = tokenizer(" " + written, add_special_tokens=False)["input_ids"]
            if len(ids) == 1 and ids[0] in query_ids and ids[0] not in document_ids:
                candidates.append((written, int(ids[0])))
        banned, query_words = set(query_ids) | document_ids, set(words(query))
        pool = [w for w, token in single.items() if token not in banned and w not in query_words]
        if not candidates or not pool:
            return None
        written, term_id = draw(st.sampled_from(candidates))
        filler = draw(st.sampled_from(pool))
        case = CircuitCase(query, document, written, filler, term_id, single[filler])
        return case if fits(case.perturbed) else None

    return cases()


def unrelated_tokens(tokenizer: PreTrainedTokenizerBase, query: str, count: int) -> st.SearchStrategy[list[str]]:
    """``count`` distinct one-token filler words sharing no token with ``query`` (the length
    claim's added text), uniformly; no value when fewer qualify."""
    avoid = set(tokenizer(query, add_special_tokens=False)["input_ids"])
    pool = [w for w, token in single_token_words(tokenizer, filler_vocabulary()).items() if token not in avoid]
    if len(pool) < count:
        return st.nothing()
    return st.lists(st.sampled_from(pool), min_size=count, max_size=count, unique=True)


@functools.cache
def single_token_words(tokenizer: PreTrainedTokenizerBase, vocabulary: tuple[str, ...]) -> dict[str, int]:
    """Filler-vocabulary words that are one token in context, with that token's id."""
    found: dict[str, int] = {}
    for word in vocabulary:
        ids = tokenizer(" " + word, add_special_tokens=False)["input_ids"]
        if len(ids) == 1:
            found[word] = int(ids[0])
    return found
