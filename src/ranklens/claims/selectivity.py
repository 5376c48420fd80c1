"""What identifies a matching head: it attends to a query term's copy more than to a filler in the
same place, by more than heads that attend there as much (:mod:`ranklens.claims.head_nulls`).

"Attention mass on the matches rises from TF 1 to TF 2" holds for any head under softmax (two
copies beat one copy and a filler as soon as the copy's logit is finite), so it identifies
nothing. Selectivity can fail: heads that carry TF while weighing a match like any document token
(``planted-no-saturation``: under softmax, preferring the matches is what saturates) show none,
and heads found among many that all carry TF (``planted-spread-tf``) show none beyond their
neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ranklens.claims.discovery import MIN_CASES, PatchedCases
from ranklens.claims.head_nulls import appended_attention, matched_nulls, selectivity_excess
from ranklens.claims.parts import LEVEL, Part
from ranklens.data.related_terms import load_related_terms
from ranklens.ir.text import stem
from ranklens.models import Reranker
from ranklens.models.attention import Head
from ranklens.models.clean_runs import CleanRuns, clean_runs
from ranklens.models.interventions import zero_heads
from ranklens.stats import ratio_effect
from ranklens.strategies import CircuitCase
from ranklens.verdicts import Effect

SELECTIVE = 0.1
"""The found heads' selectivity, and their selectivity beyond the null, must each exceed a tenth
of their attention to the term: a smaller preference for the term over a filler, or over what
heads of their layers show, would not single them out as matching. (A margin of 0 could never
fail: heads that attend exactly like their null, ``planted-shared-attention``, sit on it.)"""
ABLATION_DRAWS = 10


def match_selectivity(
    reranker: Reranker, confirm: PatchedCases, heads: Sequence[Head], *, seed: int
) -> tuple[list[Part], dict[str, object]]:
    """The judged parts: the heads prefer the appended term over a filler in its place (by at least
    :data:`SELECTIVE` of their attention to it), and by more than matched null heads do.

    Two parts because they fail differently: heads that carry TF without preferring the matches
    (``planted-no-saturation``) fail the first with a tight interval, whatever the null's spread;
    heads that prefer query terms only as much as other heads of their layers fail the second
    (``planted-shared-attention``: those heads attend exactly alike and write nothing read).
    """
    attention = appended_attention(reranker, confirm.runs, confirm.cases).rows(confirm.kept)
    nulls = matched_nulls(heads, attention.total, seed=seed)
    own, null, scale = selectivity_excess(attention, heads, nulls)
    parts = [
        Part(
            ratio_effect("match_selectivity", own, scale, seed=seed, level=LEVEL),
            SELECTIVE,
            "they attend to the term's copy more than to a filler in its place",
            n=len(own),
        ),
        Part(
            ratio_effect("match_selectivity_over_null", own - null, scale, seed=seed, level=LEVEL),
            SELECTIVE,
            "more so than heads of their layers matched on attention to that place",
            n=len(own),
        ),
    ]
    return parts, {"null_heads": _null_summary(nulls, attention.total, heads)}


def related_selectivity(
    reranker: Reranker, confirm: PatchedCases, heads: Sequence[Head], *, seed: int, judged: bool
) -> tuple[list[Part], dict[str, object]]:
    """Selectivity for an appended *related* word (Moby thesaurus) beyond matched null heads, as a
    share of the heads' attention to the term itself: the "semantic" half of the soft-TF claim (1
    when they prefer a related word over a filler as much as they attend to the term). Judged only
    when the model passes STMC1 (it rewards related words at all); reported otherwise.

    The scale is the attention to the *term* (from the confirmation runs), not to the related
    word: heads that ignore related words attend to them about as little as to a filler, and a
    ratio over that near-zero attention would be noise, not a measured zero.
    """
    chosen, runs = _related_runs(reranker, confirm.cases)
    if runs is None:
        return [], {"related_word_selectivity": None, "related_word_cases": len(chosen), "related_word_judged": False}
    cases = [confirm.cases[i] for i in chosen]
    attention = appended_attention(reranker, runs, cases)
    nulls = matched_nulls(heads, attention.total, seed=seed)
    own, null, _ = selectivity_excess(attention, heads, nulls)
    to_term, _ = appended_attention(reranker, confirm.runs, confirm.cases).of(heads)
    effect = ratio_effect("related_word_selectivity_over_null", own - null, to_term[chosen], seed=seed, level=LEVEL)
    details = {"related_word_selectivity": _interval(effect), "related_word_cases": len(chosen)}
    details["related_word_judged"] = judged
    if not judged:
        return [], details
    meaning = "they attend to a related word over a filler, beyond matched heads (the model passes STMC1)"
    return [Part(effect, SELECTIVE, meaning, n=len(own))], details


def _related_runs(reranker: Reranker, cases: Sequence[CircuitCase]) -> tuple[list[int], CleanRuns | None]:
    """Indices of the cases with a one-token related word whose pairs align with the filler's, and
    the runs with the filler (baseline) and the related word (donor) appended."""
    related = load_related_terms()
    chosen, baseline, donor = [], [], []
    for index, case in enumerate(cases):
        options = related.get(case.term) or related.get(stem(case.term)) or ()
        single = [w for w in options if len(reranker.tokenizer(" " + w, add_special_tokens=False)["input_ids"]) == 1]
        if single and single[0] not in case.query.lower():
            chosen.append(index)
            baseline.append((case.query, case.with_appended([case.filler])))
            donor.append((case.query, case.with_appended([single[0]])))
    lengths = zip(reranker.token_lengths(baseline), reranker.token_lengths(donor), strict=True)
    aligned = [i for i, (a, b) in enumerate(lengths) if a == b]
    chosen = [chosen[i] for i in aligned]
    if len(aligned) < MIN_CASES:
        return chosen, None
    return chosen, clean_runs(reranker, [baseline[i] for i in aligned], [donor[i] for i in aligned])


def ablation(reranker: Reranker, confirm: PatchedCases, heads: Sequence[Head], seed: int) -> dict[str, object]:
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


def _null_summary(nulls: Sequence[Sequence[Head]], total: np.ndarray, heads: Sequence[Head]) -> dict[str, object]:
    drawn = sorted({h for draw in nulls for h in draw})
    return {
        "drawn_from": [list(h) for h in drawn],
        "attention_to_appended_found": [_round(float(total[h])) for h in heads],
        "attention_to_appended_null": [_round(float(total[h])) for h in drawn],
    }


def _interval(effect: Effect) -> dict[str, float | None]:
    return {"value": _round(effect.value), "ci_low": _round(effect.ci_low), "ci_high": _round(effect.ci_high)}


def _round(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 4)
