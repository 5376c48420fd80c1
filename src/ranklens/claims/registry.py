"""The claim family: every mechanistic claim, what it states, and the function that measures it.

The family and its words are fixed in :mod:`ranklens.claims.statements` (the lowest claims
module, so the claim modules can read them without importing this one, which imports them);
here each is paired with its measuring function, as :data:`ranklens.axioms.AXIOMS` pairs each
axiom with its case builder. Every spec satisfies :class:`ranklens.checks.CheckSpec`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ranklens.checks import spec_name
from ranklens.claims.heads import HeadClaim, scoring_heads, soft_tf_heads
from ranklens.claims.idf import idf_direction
from ranklens.claims.length_normalization import length_normalization
from ranklens.claims.neurons import relevance_neurons
from ranklens.claims.saturation import saturation
from ranklens.claims.statements import CLAIM_IDS, CLAIM_TEXTS
from ranklens.verdicts import CheckResult, Kind

Measure = Callable[..., CheckResult | HeadClaim]
"""A claim's measuring function. Each takes the model and what that claim needs (case samples,
the neutral band, a seed; the curve claims also the soft-TF :class:`HeadClaim`), so the signatures
differ. The head claims return a :class:`HeadClaim` (the record in ``.result``, plus the heads
found, which the curve claims reuse); the others return the record itself."""


@dataclass(frozen=True)
class ClaimSpec:
    """A registered claim: the mechanistic counterpart of :class:`ranklens.axioms.AxiomSpec`."""

    check_id: str
    statement: str
    citation: str
    measure: Measure
    params: Mapping[str, Any] = field(default_factory=dict)
    """Claims take no instance parameters today: a claim is checked once per model."""

    @property
    def kind(self) -> Kind:
        return Kind.CLAIM

    @property
    def name(self) -> str:
        return spec_name(self.check_id, self.params)


_MEASURES: Mapping[str, Measure] = {
    "soft_tf_heads": soft_tf_heads,
    "saturation": saturation,
    "length_normalization": length_normalization,
    "scoring_heads": scoring_heads,
    "idf_direction": idf_direction,
    "relevance_neurons": relevance_neurons,
}

CLAIMS: tuple[ClaimSpec, ...] = tuple(
    ClaimSpec(check_id, CLAIM_TEXTS[check_id].statement, CLAIM_TEXTS[check_id].citation, _MEASURES[check_id])
    for check_id in CLAIM_IDS
)
"""Every claim, in the family's order (:data:`ranklens.claims.statements.CLAIM_IDS`)."""


def claim(check_id: str) -> ClaimSpec:
    """The spec of ``check_id`` (e.g. ``"saturation"``); the error lists the valid names."""
    for spec in CLAIMS:
        if spec.name == check_id:
            return spec
    raise KeyError(f"Unknown claim {check_id!r}; registered: {', '.join(s.name for s in CLAIMS)}")
