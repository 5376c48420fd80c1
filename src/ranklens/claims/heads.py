"""The head claims as checks: ``soft_tf_heads`` and ``scoring_heads``.

Both discover on one half of the queries and are judged on the other (:mod:`ranklens.claims.discovery`).
When the model is the paper's (``cross-encoder/ms-marco-MiniLM-L-12-v2``) the overlap of the heads
found with the paper's lists is reported as a reference, never as the test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import spearmanr

from ranklens.claims.discovery import (
    MIN_CASES,
    MOST,
    HeadDiscovery,
    PatchedCases,
    Route,
    discover_heads,
    match_attention_gain,
    patched_cases,
)
from ranklens.claims.parts import LEVEL, Part, claim_result, not_measurable
from ranklens.claims.samples import CaseSample, CircuitCase, mass_by_tf
from ranklens.claims.statements import SCORING_HEADS, SOFT_TF_HEADS, ClaimText
from ranklens.data.idf_table import idf_table
from ranklens.data.related_terms import load_related_terms
from ranklens.ir.text import stem
from ranklens.models import Reranker
from ranklens.models.attention import Head
from ranklens.models.clean_runs import clean_runs
from ranklens.models.interventions import zero_heads
from ranklens.models.patching import Progress, query_positions
from ranklens.stats import mean_effect, ratio_effect
from ranklens.verdicts import CheckResult, Effect

ABLATION_DRAWS = 10
IDF_RHO = 0.2
"""Scoring heads "follow IDF" when [CLS]->query-token attention ranks query tokens like IDF with
a mean Spearman above 0.2: weaker agreement could come from position or length alone."""
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


def soft_tf_heads(
    reranker: Reranker,
    discovery: CaseSample,
    confirmation: CaseSample,
    *,
    delta: float,
    seed: int,
    progress: Progress | None = None,
) -> HeadClaim:
    def attention_part(confirm: PatchedCases, heads: Sequence[Head]) -> tuple[Part, dict[str, object]]:
        mass = mass_by_tf(reranker, confirmation.cases, heads, [1, 2])  # [case, tf]
        rise = ratio_effect("match_attention_rise", mass[:, 1] - mass[:, 0], mass[:, 0], seed=seed, level=LEVEL)
        gain = match_attention_gain(reranker, confirm.runs, confirm.cases, heads)
        selective = mean_effect("match_selectivity", gain, seed=seed, level=LEVEL)
        details = {
            "ablation": _ablation(reranker, confirm, heads, seed),
            "match_selectivity": _interval(selective),
            **_related_attention(reranker, confirmation.cases, heads, seed),
        }
        meaning = "their attention mass on the matching tokens rises from TF 1 to TF 2"
        return Part(rise, 0.0, meaning, n=len(mass)), details

    return _head_claim(
        reranker,
        discovery,
        confirmation,
        claim_id="soft_tf_heads",
        route="query",
        text=SOFT_TF_HEADS,
        carries="the heads found carry most of the matching effect",
        second_part=attention_part,
        delta=delta,
        seed=seed,
        progress=progress,
    )


def scoring_heads(
    reranker: Reranker,
    discovery: CaseSample,
    confirmation: CaseSample,
    *,
    delta: float,
    seed: int,
    progress: Progress | None = None,
) -> HeadClaim:
    def idf_part(confirm: PatchedCases, heads: Sequence[Head]) -> tuple[Part, dict[str, object]]:
        rhos = _idf_following(reranker, confirm, heads)
        rho = mean_effect("cls_attention_idf_spearman", rhos, seed=seed, level=LEVEL)
        return Part(rho, IDF_RHO, "their [CLS] attention ranks query tokens like IDF", n=len(rhos)), {}

    return _head_claim(
        reranker,
        discovery,
        confirmation,
        claim_id="scoring_heads",
        route="cls",
        text=SCORING_HEADS,
        carries="the heads found carry most of the effect to the logit through [CLS]",
        second_part=idf_part,
        delta=delta,
        seed=seed,
        progress=progress,
    )


SecondPart = Callable[[PatchedCases, Sequence[Head]], tuple[Part, dict[str, object]]]


def _head_claim(
    reranker: Reranker,
    discovery: CaseSample,
    confirmation: CaseSample,
    *,
    claim_id: str,
    route: Route,
    text: ClaimText,
    carries: str,
    second_part: SecondPart,
    delta: float,
    seed: int,
    progress: Progress | None,
) -> HeadClaim:
    """The shared protocol: discover on one half, confirm the joint recovery on the other, plus
    the claim's own second part (what the heads found attend to)."""
    found = discover_heads(reranker, patched_cases(reranker, discovery.cases, route, delta=delta), progress=progress)
    confirm = patched_cases(reranker, confirmation.cases, route, delta=delta)
    details = _head_details(reranker, found, confirm, claim_id)
    if (reason := _unmeasurable(found, confirm)) is not None:
        return HeadClaim(
            not_measurable(claim_id, reason, statement=text.statement, citation=text.citation, details=details),
            found,
        )
    heads = found.heads_found
    recovered = ratio_effect("joint_recovery", confirm.joint_gain(reranker, heads), confirm.gap, seed=seed, level=LEVEL)
    part, more = second_part(confirm, heads)
    kept = int(confirm.kept.sum())
    result = claim_result(
        claim_id,
        [Part(recovered, MOST, carries, n=kept), part],
        n=kept,
        statement=text.statement,
        citation=text.citation,
        details={**details, **more},
    )
    return HeadClaim(result, found)


def _unmeasurable(found: HeadDiscovery, confirm: PatchedCases) -> str | None:
    kept = int(confirm.kept.sum())
    if found.kept < MIN_CASES or kept < MIN_CASES:
        return (
            f"appending a query term moved the score beyond the neutral band in only {found.kept} discovery and "
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


def _ablation(reranker: Reranker, confirm: PatchedCases, heads: Sequence[Head], seed: int) -> dict[str, object]:
    """Vast et al.'s view: the score drop of the perturbed pairs when the heads are zero-ablated,
    against ablating as many random heads (one mean drop per draw)."""
    pairs = [c.perturbed for c, k in zip(confirm.cases, confirm.kept, strict=True) if k]
    batch = reranker.encode(pairs)
    clean = reranker.forward(batch)

    def drop(chosen: Sequence[Head]) -> float:
        return float((clean - reranker.run_with_hooks(batch, zero_heads(chosen))).mean())

    n_layers, n_heads = reranker.info.n_layers, reranker.info.n_heads
    others = [(layer, head) for layer in range(n_layers) for head in range(n_heads) if (layer, head) not in heads]
    rng = np.random.default_rng([seed, 23])
    draws = [
        drop([others[int(i)] for i in rng.choice(len(others), len(heads), replace=False)])
        for _ in range(ABLATION_DRAWS)
    ]
    return {
        "effect": _round(drop(heads)),
        "random": [_round(d) for d in draws],
        "label": "score drop when zero-ablated",
    }


def _related_attention(
    reranker: Reranker, cases: Sequence[CircuitCase], heads: Sequence[Head], seed: int
) -> dict[str, object]:
    """Attention from the query term to an appended *related* word (Moby thesaurus) minus to a filler."""
    related = load_related_terms()
    pairs_term, pairs_filler, kept = [], [], []
    for case in cases:
        options = related.get(case.term) or related.get(stem(case.term)) or ()
        single = [w for w in options if len(reranker.tokenizer(" " + w, add_special_tokens=False)["input_ids"]) == 1]
        if single and single[0] not in case.query.lower():
            pairs_term.append((case.query, case.with_appended([single[0]])))
            pairs_filler.append((case.query, case.with_appended([case.filler])))
            kept.append(case)
    if not pairs_term:
        return {"related_word_attention_gain": None, "related_word_cases": 0}
    lengths = zip(reranker.token_lengths(pairs_term), reranker.token_lengths(pairs_filler), strict=True)
    aligned = [i for i, (a, b) in enumerate(lengths) if a == b]
    if len(aligned) < MIN_CASES:
        return {"related_word_attention_gain": None, "related_word_cases": len(aligned)}
    chosen = [kept[i] for i in aligned]
    runs = clean_runs(reranker, [pairs_filler[i] for i in aligned], [pairs_term[i] for i in aligned])
    gain = match_attention_gain(reranker, runs, chosen, heads)
    effect = mean_effect("related_word_attention_gain", gain, seed=seed, level=LEVEL)
    return {"related_word_attention_gain": _interval(effect), "related_word_cases": len(chosen)}


def _interval(effect: Effect) -> dict[str, float | None]:
    return {"value": _round(effect.value), "ci_low": _round(effect.ci_low), "ci_high": _round(effect.ci_high)}


def _idf_following(reranker: Reranker, confirm: PatchedCases, heads: Sequence[Head]) -> np.ndarray:
    """Per kept case: Spearman of the heads' [CLS]->query-token attention with the tokens' IDF."""
    runs, c = confirm.runs, len(confirm.cases)
    query = query_positions(reranker, runs, [x.query for x in confirm.cases])
    table = idf_table(reranker.tokenizer)
    ids = runs.inputs["input_ids"]
    attention = torch.stack([runs.patterns[layer][c:, head, 0, :].float() for layer, head in heads]).mean(
        0
    )  # [case, k]
    rhos = []
    for row in np.flatnonzero(confirm.kept):
        positions = torch.nonzero(query[row])[:, 0]
        tokens = reranker.tokenizer.convert_ids_to_tokens(ids[row, positions].tolist())
        idf = np.array([table.idf(t) for t in tokens])
        if len(set(idf.tolist())) < 3:
            continue
        rho = spearmanr(attention[row, positions].cpu().numpy(), idf)[0]
        rhos.append(0.0 if np.isnan(rho) else float(rho))
    return np.array(rhos)


def _round(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 4)
