"""Your own head claim: "a few attention heads carry the effect of this perturbation".

A :class:`HeadClaimSpec` is a statement, a citation and the strategy that builds its token-aligned
cases (:class:`~ranklens.strategies.AlignedCases`: one token appended in the perturbed run, a
one-token filler in its place in the baseline), plus where to patch. :func:`declared_head_claim`
runs it through the built-in head claims' own protocol (:func:`ranklens.claims.heads.head_claim`):
heads are ranked by single-head recovery on the discovery half of the queries, the shortest top-k
(at most a tenth of all heads) that recovers 0.8 is taken, and the claim is judged on the other
half. It **fails** when those heads' joint recovery lies below ``min_recovery`` (the effect is
spread over many heads, or carried elsewhere), and is ``inconclusive`` when too few cases move
the score beyond the neutral band: then there is no effect to attribute.

Its intervals are at the level of the claim family with every declared claim in it (Bonferroni
over the built-in claims plus the declared ones, :func:`declared_level`), so a declared claim is
held to a standard at least as strict as a built-in one. The built-in claims keep their own level
(:data:`ranklens.claims.parts.LEVEL`), so their verdicts do not depend on which files a run
collects; the family-wise 95 % covers the built-in claims, not the built-in and declared together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ranklens.claims.discovery import MOST, PatchedCases, Route
from ranklens.claims.heads import HeadClaim, head_claim
from ranklens.claims.parts import Part
from ranklens.claims.samples import CaseSample
from ranklens.claims.screen import Search
from ranklens.claims.selectivity import ablation
from ranklens.claims.statements import CLAIM_IDS, ClaimText
from ranklens.models import Reranker
from ranklens.models.attention import Head
from ranklens.models.patching import Progress
from ranklens.stats import family_level
from ranklens.strategies import AlignedCases
from ranklens.verdicts import Kind

ROUTES: Mapping[str, str] = {
    "query": "the heads found carry more than {:g} of the effect (patched at the query positions)",
    "cls": "the heads found carry more than {:g} of the effect to the logit through [CLS]",
}


@dataclass(frozen=True)
class HeadClaimSpec:
    """A head claim of your own (a :class:`ranklens.checks.CheckSpec`), for the ``claim_check`` fixture."""

    name: str
    """The report's ``check_id``: not a built-in claim's."""
    statement: str
    citation: str
    cases: AlignedCases
    """Builds the claim's cases from the model's tokenizer, a ``fits`` predicate and the pairs to
    start from, like :func:`ranklens.strategies.aligned_cases` (which gives the soft-TF cases)."""
    route: Route = "query"
    """``"query"``: patch the heads at the query positions (where soft-TF heads write);
    ``"cls"``: path-patch them at [CLS] alone, every other position held (scoring heads)."""
    min_recovery: float = MOST
    """The joint recovery the heads found must exceed on the confirmation half."""

    def __post_init__(self) -> None:
        if not self.name or self.name in CLAIM_IDS:
            raise ValueError(f"{self.name!r} is empty or a built-in claim's name: give your claim an id of its own.")
        if self.route not in ROUTES:
            raise ValueError(f"route {self.route!r}: patch at the query positions ('query') or at [CLS] ('cls').")
        if not 0 < self.min_recovery <= 1:
            raise ValueError(f"min_recovery {self.min_recovery}: a share of the effect, in (0, 1].")

    @property
    def check_id(self) -> str:
        return self.name

    @property
    def kind(self) -> Kind:
        return Kind.CLAIM

    @property
    def params(self) -> Mapping[str, Any]:
        """None: a claim is checked once per model."""
        return MappingProxyType({})


def declared_level(declared: int) -> float:
    """The interval level of a declared claim when ``declared`` claims join the built-in family."""
    return family_level(len(CLAIM_IDS) + max(declared, 1))


def declared_head_claim(
    reranker: Reranker,
    spec: HeadClaimSpec,
    discovery: CaseSample,
    confirmation: CaseSample,
    *,
    delta: float,
    seed: int,
    declared: int = 1,
    search: Search = "screen",
    progress: Progress | None = None,
) -> HeadClaim:
    """``spec`` measured on its own discovery and confirmation cases (drawn from ``spec.cases``,
    :func:`ranklens.claims.samples.circuit_cases`); ``declared`` is how many claims the session declares.

    Judged: the joint recovery alone. Reported beside it: the score drop when the heads found are
    zero-ablated, against as many random heads (Vast et al.'s view; not judged, as ablation moves
    the score for reasons other than the perturbation)."""

    def reported(confirm: PatchedCases, heads: Sequence[Head]) -> tuple[list[Part], dict[str, object]]:
        return [], {"ablation": ablation(reranker, confirm, heads, seed)}

    return head_claim(
        reranker,
        discovery,
        confirmation,
        claim_id=spec.name,
        route=spec.route,
        text=ClaimText(spec.statement, spec.citation),
        carries=ROUTES[spec.route].format(spec.min_recovery),
        more_parts=reported,
        delta=delta,
        seed=seed,
        progress=progress,
        search=search,
        cases=spec.cases,
        threshold=spec.min_recovery,
        level=declared_level(declared),
        appended="the cases' token instead of their filler",
    )
