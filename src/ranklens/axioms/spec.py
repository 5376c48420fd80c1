"""What an axiom is in ranklens: a registered factory of controlled cases, and its parameters.

An axiom builds one :class:`~ranklens.cases.contrast.Case` from a source (query, document) pair,
or returns ``None`` when the pair does not meet its precondition (the case is then counted as
skipped, never scored). Its contrast is oriented so positive values agree with the axiom.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ranklens.cases.contrast import Case
from ranklens.cases.terms import PieceCounter, PieceSplitter
from ranklens.checks import spec_name
from ranklens.data.word_stats import WordStatistics
from ranklens.ir.text import occurs, terms, words
from ranklens.verdicts import Kind


@dataclass(frozen=True)
class CaseContext:
    """What builders may consult: the model's tokenizer, word statistics, other queries."""

    count_pieces: PieceCounter
    pieces: PieceSplitter
    stats: WordStatistics
    queries: Sequence[str]
    passages: Sequence[str]
    _openings: dict[int, list[tuple[str, frozenset[str]]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Per sentence count: each passage's opening sentences and their WordPieces (built once)."""

    def off_query(self, avoid: set[str], rng: np.random.Generator, attempts: int = 50) -> str | None:
        """A fixture query that contains none of ``avoid`` (the difference-in-differences control)."""
        for index in rng.integers(0, len(self.queries), size=attempts):
            query = self.queries[int(index)]
            if not avoid & set(words(query)) and not any(occurs(a, query) for a in avoid):
                return query
        return None

    def unrelated_text(self, avoid: Sequence[str], sentences: int, rng: np.random.Generator) -> str | None:
        """The first ``sentences`` sentences of a random passage that share nothing with any text in
        ``avoid``: none of its terms in any form, and none of its WordPieces, stopword and sub-word
        pieces included, since a model may match any piece (the planted fixture matches them all).

        Passages are tried in a seeded random order: the draw is uniform over those that qualify
        and fails only when none does.
        """
        banned_pieces = {piece for text in avoid for piece in self.pieces(text)}
        banned_terms = {term for text in avoid for term in terms(text)}
        openings = self._passage_openings(sentences)
        for index in rng.permutation(len(openings)):
            text, pieces = openings[int(index)]
            if banned_pieces.isdisjoint(pieces) and not any(occurs(t, text) for t in banned_terms):
                return text
        return None

    def _passage_openings(self, sentences: int) -> list[tuple[str, frozenset[str]]]:
        """Passages' first ``sentences`` sentences with their pieces as appended text (after a space,
        which is what a BPE tokenizer sees there)."""
        if sentences not in self._openings:
            openings = []
            for passage in self.passages:
                parts = [s.strip() for s in passage.split(". ") if s.strip()]
                if len(parts) >= sentences:
                    text = ". ".join(parts[:sentences]).rstrip(".") + "."
                    openings.append((text, frozenset(self.pieces(" " + text))))
            self._openings[sentences] = openings
        return self._openings[sentences]


Builder = Callable[[CaseContext, str, str, np.random.Generator, Mapping[str, Any]], Case | None]


@dataclass(frozen=True)
class AxiomSpec:
    """A registered axiom with one set of parameters (a :class:`ranklens.checks.CheckSpec`)."""

    axiom_id: str
    statement: str
    citation: str
    build: Builder
    params: Mapping[str, Any] = field(default_factory=dict)
    strict: bool = True
    """Strict axioms need s(treatment) > s(control); for non-strict ones (LNC2) a tie agrees."""

    @property
    def check_id(self) -> str:
        """The report's ``check_id``: the axiom's id, shared by all its parameter sets."""
        return self.axiom_id

    @property
    def kind(self) -> Kind:
        return Kind.AXIOM

    @property
    def name(self) -> str:
        return spec_name(self.axiom_id, self.params)
