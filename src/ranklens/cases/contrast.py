"""A case: a linear contrast over the scores of a few (query, document) pairs.

Every axiom case is one number, ``sum(weight * score(query, document))``, oriented so that a
positive value agrees with the axiom: TFC1 is ``s(q, d+t) - s(q, d+f)``, TFC2 the second
difference ``-s(q, d+ff) + 2 s(q, d+tf) - s(q, d+tt)``. The difference-in-differences control
(SCIENCE.md: a token can move the score whatever the query) adds the same documents under a
query that contains none of the inserted words, with the weights negated, so what remains is
the effect of *matching*, not of the token.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ranklens.models import Pair

Term = tuple[str, str, float]
"""(query, document, weight)."""


@dataclass(frozen=True)
class Case:
    """One controlled comparison, with what was inserted where (``detail``) for the report."""

    axiom: str
    query: str
    document: str
    terms: tuple[Term, ...]
    detail: Mapping[str, str | int | float] = field(default_factory=dict)

    @property
    def case_id(self) -> str:
        """Stable across runs with the same seed: a hash of the axiom and the contrast."""
        text = repr((self.axiom, self.terms))
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    @property
    def pairs(self) -> list[Pair]:
        return [(query, document) for query, document, _ in self.terms]

    def value(self, scores: Mapping[Pair, float]) -> float:
        return sum(weight * scores[(query, document)] for query, document, weight in self.terms)

    def describe(self, value: float | None = None) -> str:
        """Readable text for a counterexample."""
        what = ", ".join(f"{k}={v}" for k, v in self.detail.items())
        shown = f" -> contrast {value:+.4g}" if value is not None else ""
        return f"{self.axiom}: query {self.query!r}; {what}; document {_short(self.document)!r}{shown}"


def contrast(
    axiom: str,
    query: str,
    document: str,
    treatment: Sequence[tuple[str, float]],
    *,
    off_query: str | None,
    detail: Mapping[str, str | int | float],
) -> Case:
    """A case from weighted documents under ``query`` and, negated, under ``off_query``."""
    terms = [(query, doc, weight) for doc, weight in treatment]
    if off_query is not None:
        terms += [(off_query, doc, -weight) for doc, weight in treatment]
    return Case(axiom, query, document, tuple(terms), dict(detail))


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
