"""What an axiom is in ranklens: a statement, a citation, and the perturbation that draws its cases.

The perturbation is a Hypothesis strategy step (a :data:`Perturbation`): given a source
(query, document) it draws the rest of one :class:`~ranklens.cases.contrast.Case`, or returns
``None`` when the pair does not meet its precondition (the draw is then counted as skipped,
never scored). Its contrast is oriented so positive values agree with the axiom. The same
strategy gives the verdict sample (drawn uniformly, :mod:`ranklens.strategies.sampling`) and
the counterexample search (Hypothesis' own generation and shrinking).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from ranklens.cases.contrast import Case
from ranklens.checks import spec_name
from ranklens.models import Pair
from ranklens.stats import MIN_EFFECT
from ranklens.strategies import CaseContext, Perturbation, perturbed_cases
from ranklens.verdicts import Kind


@dataclass(frozen=True)
class AxiomSpec:
    """A registered axiom with one set of parameters (a :class:`ranklens.checks.CheckSpec`)."""

    axiom_id: str
    statement: str
    citation: str
    build: Perturbation
    params: Mapping[str, Any] = field(default_factory=dict)
    strict: bool = True
    """Strict axioms need s(treatment) > s(control); for non-strict ones (LNC2) a tie agrees."""
    min_effect: float = MIN_EFFECT
    """The net preference the interval must clear to pass (and lie under to fail)."""

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

    def cases(self, ctx: CaseContext, pairs: st.SearchStrategy[Pair] | None = None) -> st.SearchStrategy[Case | None]:
        """This axiom's cases drawn from ``pairs`` (default: the case source's population)."""
        return perturbed_cases(self.build, ctx, self.params, pairs)
