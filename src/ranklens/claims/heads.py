"""The head claims as checks: ``soft_tf_heads`` and ``scoring_heads``.

Both discover on one half of the queries and are judged on the other (:mod:`ranklens.claims.discovery`).
When the model is the paper's (``cross-encoder/ms-marco-MiniLM-L-12-v2``) the overlap of the heads
found with the paper's lists is reported as a reference, never as the test.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ranklens.claims.counterexample import weak_heads_case
from ranklens.claims.discovery import (
    MIN_CASES,
    MOST,
    HeadDiscovery,
    PatchedCases,
    Route,
    discover_heads,
    patched_cases,
)
from ranklens.claims.idf_following import bm25_product, idf_following
from ranklens.claims.parts import LEVEL, Part, claim_result, not_measurable
from ranklens.claims.samples import CaseSample
from ranklens.claims.screen import Search
from ranklens.claims.selectivity import ablation, match_selectivity, related_selectivity
from ranklens.claims.statements import SCORING_HEADS, SOFT_TF_HEADS, ClaimText
from ranklens.models import Reranker
from ranklens.models.attention import Head
from ranklens.models.memory import release_freed_memory
from ranklens.models.patching import Progress
from ranklens.stats import ratio_effect, sign_bound
from ranklens.strategies import AlignedCases, aligned_cases
from ranklens.verdicts import CheckResult, Effect

PAPER_MODEL = "cross-encoder/ms-marco-MiniLM-L-12-v2"
PAPER_HEADS = {
    "soft_tf_heads": [
        (0, 8),
        (1, 7),
        (2, 1),
        (3, 1),
        (4, 9),
        (5, 7),
        (5, 9),
        (6, 3),
        (6, 5),
        (7, 9),
        (8, 0),
        (8, 1),
        (8, 8),
    ],
    "scoring_heads": [(10, 1), (10, 4), (10, 7), (10, 10)],
}
"""Lu, Chen, Eickhoff (2025), code release: matching heads and relevance-scoring heads of MiniLM-L-12."""


@dataclass(frozen=True)
class HeadClaim:
    """A head claim's record and what its discovery found (the curve claims reuse the heads)."""

    result: CheckResult
    discovery: HeadDiscovery

    def not_carrying(self) -> str | None:
        """Why the heads found cannot be examined further, or ``None`` when they carry the effect
        (their joint-recovery part cleared its threshold on enough cases). The curve claims and
        the BM25 part need only this: they ask *how* the carrying heads compute, so a head set
        that fails another part (e.g. selectivity) is still theirs to examine."""
        if "precondition" in self.result.details:
            return f"{self.result.check_id} was not measurable: {self.result.details['precondition']}"
        [carried] = [p for p in self.result.details["parts"] if p["name"] == "joint_recovery"]
        if carried["n"] >= carried["min_cases"] and carried["ci_low"] > carried["threshold"]:
            return None
        return (
            f"the {self.result.check_id} found do not carry most of the effect (joint recovery "
            f"{carried['value']:.3f} [{carried['ci_low']:.3f}, {carried['ci_high']:.3f}] on {carried['n']} cases)"
        )


def soft_tf_heads(
    reranker: Reranker,
    discovery: CaseSample,
    confirmation: CaseSample,
    *,
    delta: float,
    seed: int,
    related_judged: bool = False,
    search: Search = "screen",
    progress: Progress | None = None,
) -> HeadClaim:
    """A few heads carry the matching effect, and they attend to the matches selectively.

    Fails when the heads found (at most 10 % of all heads) recover under half of the effect (TF
    spread over many heads: ``planted-spread-tf``), when they prefer the appended term over a
    filler in its place by under a tenth of their attention to it (heads that count TF without
    attending to the matches: ``planted-no-saturation``), or when heads of their layers matched
    on attention prefer it as much. The related-word
    part is judged when ``related_judged`` (pass it when the model passes STMC1).
    """

    def selectivity_parts(confirm: PatchedCases, heads: Sequence[Head]) -> tuple[list[Part], dict[str, object]]:
        parts, details = match_selectivity(reranker, confirm, heads, seed=seed)
        related, more = related_selectivity(reranker, confirm, heads, seed=seed, judged=related_judged)
        return [*parts, *related], {"ablation": ablation(reranker, confirm, heads, seed), **details, **more}

    return head_claim(
        reranker,
        discovery,
        confirmation,
        claim_id="soft_tf_heads",
        route="query",
        text=SOFT_TF_HEADS,
        carries="the heads found carry most of the matching effect",
        more_parts=selectivity_parts,
        delta=delta,
        seed=seed,
        search=search,
        progress=progress,
    )


def scoring_heads(
    reranker: Reranker,
    discovery: CaseSample,
    confirmation: CaseSample,
    *,
    delta: float,
    seed: int,
    soft_tf: HeadClaim | None = None,
    search: Search = "screen",
    progress: Progress | None = None,
) -> HeadClaim:
    """A few late heads carry the matching effect to [CLS], weighting terms by IDF as BM25 does.

    Fails when the heads found recover under half of the effect through [CLS]; when their [CLS]
    attention does not rank the query's content words like IDF, or does so no better than the
    other heads of their layers (``planted-no-idf``: every term weighted alike). Reported beside
    it, when the heads of ``soft_tf`` carry the matching effect: how much of the heads'
    contribution IDF x soft-TF explains (R^2 against a shuffled-IDF null).
    """

    def idf_parts(confirm: PatchedCases, heads: Sequence[Head]) -> tuple[list[Part], dict[str, object]]:
        parts, details = idf_following(reranker, confirm, heads, seed=seed)
        why = "no soft-TF heads were given" if soft_tf is None else soft_tf.not_carrying()
        if soft_tf is None or why is not None:
            return parts, {**details, "bm25_product": f"not measured: {why}, so there is no soft-TF signal"}
        product = bm25_product(reranker, confirm, heads, soft_tf.discovery.heads_found, seed=seed)
        return parts, {**details, **product}

    return head_claim(
        reranker,
        discovery,
        confirmation,
        claim_id="scoring_heads",
        route="cls",
        text=SCORING_HEADS,
        carries="the heads found carry most of the effect to the logit through [CLS]",
        more_parts=idf_parts,
        delta=delta,
        seed=seed,
        search=search,
        progress=progress,
    )


MoreParts = Callable[[PatchedCases, Sequence[Head]], tuple[list[Part], dict[str, object]]]


def head_claim(
    reranker: Reranker,
    discovery: CaseSample,
    confirmation: CaseSample,
    *,
    claim_id: str,
    route: Route,
    text: ClaimText,
    carries: str,
    more_parts: MoreParts,
    delta: float,
    seed: int,
    progress: Progress | None,
    search: Search = "screen",
    cases: AlignedCases = aligned_cases,
    threshold: float = MOST,
    level: float = LEVEL,
    appended: str = "a query term",
) -> HeadClaim:
    """The shared protocol, for built-in and declared head claims alike: discover on one half,
    confirm the joint recovery (above ``threshold``, at ``level``) on the other (``search``: how
    discovery chooses the heads to patch exactly, :mod:`ranklens.claims.screen`), plus the claim's
    own parts (what the heads found attend to); then search ``cases`` for a case the heads carry
    under ``threshold`` of. ``appended`` names what the cases append, for the reason given when
    too few of them move the score."""
    discover = patched_cases(reranker, discovery.cases, route, delta=delta)
    found = discover_heads(reranker, discover, search=search, progress=progress)
    del discover  # its clean runs: the largest thing a claim holds, not needed after discovery
    release_freed_memory()
    confirm = patched_cases(reranker, confirmation.cases, route, delta=delta)
    details = _head_details(reranker, found, confirm, claim_id)
    if (reason := _unmeasurable(found, confirm, appended)) is not None:
        return HeadClaim(
            not_measurable(
                claim_id, reason, statement=text.statement, citation=text.citation, details=details, level=level
            ),
            found,
        )
    heads = found.heads_found
    every = confirm.joint_gain(reranker, heads, every_case=True)
    recovered = ratio_effect("joint_recovery", every[confirm.kept], confirm.gap, seed=seed, level=level)
    every_gap = confirm.runs.donor - confirm.runs.base
    details["sensitivity_every_case"] = {
        "joint_recovery": _interval(ratio_effect("joint_recovery", every, every_gap, seed=seed, level=level)),
        "cases": len(every),
        "note": "the same ratio over every confirmation case, those inside the neutral band included",
    }
    parts, more = more_parts(confirm, heads)
    kept = int(confirm.kept.sum())
    result = claim_result(
        claim_id,
        [Part(recovered, threshold, carries, n=kept, bound=sign_bound(level)), *parts],
        n=kept,
        statement=text.statement,
        citation=text.citation,
        details={**details, **more},
        level=level,
    )
    weak = weak_heads_case(reranker, heads, route, delta=delta, seed=seed, cases=cases, threshold=threshold)
    if weak is not None:
        result = dataclasses.replace(result, counterexamples=[f"minimal (Hypothesis): {weak}", *result.counterexamples])
    return HeadClaim(result, found)


def _unmeasurable(found: HeadDiscovery, confirm: PatchedCases, appended: str) -> str | None:
    kept = int(confirm.kept.sum())
    if found.kept < MIN_CASES or kept < MIN_CASES:
        return (
            f"appending {appended} moved the score beyond the neutral band in only {found.kept} discovery and "
            f"{kept} confirmation cases (need {MIN_CASES} each): there is no matching effect to attribute"
        )
    return None


def _head_details(reranker: Reranker, found: HeadDiscovery, confirm: PatchedCases, claim: str) -> dict[str, object]:
    details: dict[str, object] = {
        "head_recovery": [[_round(v) for v in row] for row in found.mean_recovery.tolist()],
        "heads_found": [list(h) for h in found.heads_found],
        "top_heads": [
            {"head": list(h), "mean_recovery": _round(float(found.mean_recovery[h]))} for h in found.ranking[:10]
        ],
        "head_screen": found.screen.details() if found.screen is not None else None,
        "joint_recovery_discovery": [_round(v) for v in found.joint_recovery],
        "patched_at": "query positions"
        if found.route == "query"
        else "[CLS] only, other positions held (path patching)",
        "discovery_cases_kept": found.kept,
        "discovery_cases_dropped_small_gap": found.dropped,
        "confirmation_cases_kept": int(confirm.kept.sum()),
        "confirmation_cases_dropped_small_gap": int((~confirm.kept).sum()),
    }
    if reranker.info.id == PAPER_MODEL:
        paper = set(PAPER_HEADS[claim])
        details["paper_heads_reference"] = {
            "paper": sorted(map(list, paper)),
            "overlap": sorted(list(h) for h in set(found.heads_found) & paper),
        }
    return details


def _interval(effect: Effect) -> dict[str, float | None]:
    return {"value": _round(effect.value), "ci_low": _round(effect.ci_low), "ci_high": _round(effect.ci_high)}


def _round(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 4)
