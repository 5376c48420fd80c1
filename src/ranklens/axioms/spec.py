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
from ranklens.cases.terms import PieceCounter, WordStatistics, occurs, terms, words


@dataclass(frozen=True)
class CaseContext:
    """What builders may consult: the model's piece counter, word statistics, other queries."""

    count_pieces: PieceCounter
    stats: WordStatistics
    queries: Sequence[str]
    passages: Sequence[str]

    def off_query(self, avoid: set[str], rng: np.random.Generator, attempts: int = 50) -> str | None:
        """A fixture query that contains none of ``avoid`` (the difference-in-differences control)."""
        for index in rng.integers(0, len(self.queries), size=attempts):
            query = self.queries[int(index)]
            if not avoid & set(words(query)) and not any(occurs(a, query) for a in avoid):
                return query
        return None

    def unrelated_text(
        self, avoid: set[str], sentences: int, rng: np.random.Generator, attempts: int = 50
    ) -> str | None:
        """``sentences`` sentences from one passage in which no word of ``avoid`` occurs in any form."""
        for index in rng.integers(0, len(self.passages), size=attempts):
            parts = [s.strip() for s in self.passages[int(index)].split(". ") if s.strip()]
            text = ". ".join(parts[:sentences]).rstrip(".") + "."
            if len(parts) >= sentences and not any(occurs(a, text) for a in avoid):
                return text
        return None


Builder = Callable[[CaseContext, str, str, np.random.Generator, Mapping[str, Any]], Case | None]


@dataclass(frozen=True)
class AxiomSpec:
    """A registered axiom with one set of parameters."""

    axiom_id: str
    statement: str
    citation: str
    build: Builder
    params: Mapping[str, Any] = field(default_factory=dict)
    strict: bool = True
    """Strict axioms need s(treatment) > s(control); for non-strict ones (LNC2) a tie agrees."""

    @property
    def name(self) -> str:
        suffix = ",".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.axiom_id}[{suffix}]" if suffix else self.axiom_id


def query_terms(query: str, document: str, *, absent: bool = False) -> list[str]:
    """Terms of ``query``; with ``absent``, only those that occur in ``document`` in no form at all
    (no inflection, no derivation: see :func:`~ranklens.cases.terms.occurs`)."""
    return [t for t in terms(query) if not (absent and occurs(t, document))]


def matches_any(query: str, document: str) -> bool:
    """Whether ``document`` holds some query term in some form."""
    return any(occurs(t, document) for t in terms(query))
