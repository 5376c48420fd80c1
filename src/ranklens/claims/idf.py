"""The ``idf_direction`` claim: a low-rank IDF direction in the token-embedding matrix.

Lu, Chen, Eickhoff (2025) found IDF ≈ -U_0 of an uncentred SVD of W_E in MiniLM-L-12. Here:

- IDF is BM25's ``ln(1 + (N - df + 0.5) / (df + 0.5))`` of the model's own tokens over the
  fixture passages (``data/passages.jsonl``), for whole-word tokens seen there (an unseen
  token has no estimate, only a convention, and would add one huge tie);
- the tokens are split in two seeded halves: the component (among the top :data:`COMPONENTS`)
  and its sign are chosen on one half, the correlation is judged on the other, and the other
  components' best |r| there is the null;
- the causal part edits the embedding of a query term along the direction (±``alpha``, one
  standard deviation of the tokens' coordinates) and asks whether the reward for matching it
  (TFC1's term-vs-filler contrast) moves the predicted way: up with more "IDF".

Fails when no top component tracks IDF on the held-out tokens (``planted-no-idf``: W_E carries
no IDF, Pearson 0.016 [-0.026, 0.058]) or when moving a term along the component does not change
the reward for matching it (``minilm-base``: the base model's W_E has the direction, but its
untrained head does not read it). The shortest case on which the edit makes matching the term
pay less, beyond the neutral band, is reported; the correlation is over the vocabulary (every
whole-word token with an IDF, not a sample), which no single case can contradict.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import norm, pearsonr, spearmanr

from ranklens.claims.counterexample import described, shrunk_case
from ranklens.claims.parts import LEVEL, Part, claim_result, not_measurable
from ranklens.claims.samples import CaseSample
from ranklens.claims.statements import IDF_DIRECTION
from ranklens.data.idf_table import idf_table
from ranklens.models import Pair, Reranker
from ranklens.stats import MIN_EFFECT, net_preference_bound, summarize
from ranklens.strategies import CircuitCase
from ranklens.verdicts import Better, CheckResult, Effect

COMPONENTS = 8
MIN_PEARSON = 0.3
"""|r| a component needs to be "an IDF direction": a moderate correlation over thousands of
tokens, clearly above the other components' (reported as the null)."""
SCATTER_POINTS = 1500
EDIT_BOUND = net_preference_bound(LEVEL)
"""The edit part is a net preference, judged like an axiom at the claims' level: 11 cases to pass,
8 to fail; see :func:`ranklens.stats.net_preference_bound`."""


@dataclass(frozen=True)
class Components:
    """Top components of an uncentred SVD of W_E ``[vocab, d_model]``."""

    singular_values: np.ndarray  # [k]
    left: np.ndarray  # [vocab, k]  U
    right: np.ndarray  # [d_model, k]  V


def top_components(w_e: np.ndarray, k: int = COMPONENTS) -> Components:
    """Via the eigenvectors of ``W_E^T W_E`` (float64): same top components as a full SVD, seconds faster."""
    w = w_e.astype(np.float64)
    eigenvalues, v = np.linalg.eigh(w.T @ w)
    order = np.argsort(eigenvalues)[::-1][:k]
    s = np.sqrt(np.maximum(eigenvalues[order], 0.0))
    return Components(s, (w @ v[:, order]) / np.maximum(s, 1e-300), v[:, order])


def whole_word_mask(vocab: Sequence[str]) -> np.ndarray:
    """Whole-word tokens: WordPiece without ``##``, BPE with a leading-space marker, no specials."""
    special = np.array([t.startswith(("[", "<")) and t.endswith(("]", ">")) for t in vocab])
    if any(t.startswith("##") for t in vocab):
        return np.asarray(np.array([not t.startswith("##") for t in vocab]) & ~special)
    return np.asarray(np.array([t.startswith(("Ġ", "▁")) for t in vocab]) & ~special)


def correlations(u: np.ndarray, idf: np.ndarray) -> list[float]:
    return [float(pearsonr(u[:, k], idf)[0]) if np.ptp(u[:, k]) > 0 else 0.0 for k in range(u.shape[1])]


def idf_direction(reranker: Reranker, sample: CaseSample, *, delta: float, seed: int) -> CheckResult:
    tokenizer = reranker.tokenizer
    vocab = tokenizer.convert_ids_to_tokens(list(range(reranker.W_E.shape[0])))
    table = idf_table(tokenizer)
    seen = np.array([table.df.get(t, 0) > 0 for t in vocab])
    tokens = np.flatnonzero(whole_word_mask(vocab) & seen)
    if len(tokens) < 100:
        return not_measurable(
            "idf_direction",
            f"only {len(tokens)} whole-word tokens have an IDF",
            statement=IDF_DIRECTION.statement,
            citation=IDF_DIRECTION.citation,
        )
    idf = table.vector(vocab)
    comps = top_components(reranker.W_E.float().cpu().numpy())
    halves = np.random.default_rng([seed, 41]).permutation(tokens)
    choose, judge = halves[: len(halves) // 2], halves[len(halves) // 2 :]
    chosen_r = correlations(comps.left[choose], idf[choose])
    best = int(np.argmax(np.abs(chosen_r)))
    sign = 1.0 if chosen_r[best] > 0 else -1.0
    coordinate = sign * comps.left[:, best]  # [vocab], oriented so that larger = higher IDF
    judged_r = correlations(comps.left[judge], idf[judge])
    pearson = _pearson_effect(coordinate[judge], idf[judge])
    projection = comps.singular_values[best] * coordinate  # each row's coordinate along the direction
    step = _edit_step(reranker, sign * comps.right[:, best], projection, tokens)
    edit = _edit_effect(reranker, sample, step, delta=delta, seed=seed)
    parts = [
        Part(pearson, MIN_PEARSON, "the component tracks IDF on tokens it was not chosen on", n=len(judge)),
        Part(
            edit,
            MIN_EFFECT,
            "more of the direction makes matching the term pay more",
            n=len(sample.cases),
            bound=EDIT_BOUND,
        ),
    ]
    shown = np.random.default_rng([seed, 43]).permutation(judge)[:SCATTER_POINTS]
    spearman = round(float(spearmanr(coordinate[judge], idf[judge])[0]), 4)
    levels, level_of = np.unique(idf[judge], return_inverse=True)
    level_means = np.bincount(level_of, weights=coordinate[judge]) / np.bincount(level_of)
    details = {
        "component": best,
        "sign": int(sign),
        "sign_convention": "IDF ~ sign * U_k (an SVD's sign is arbitrary; fixed on the choosing half)",
        "idf_source": "BM25 idf over data/passages.jsonl with the model's tokenizer; whole-word tokens seen there",
        "tokens_choose_judge": [len(choose), len(judge)],
        "pearson_by_component": [round(r, 4) for r in judged_r],
        "others_max_abs_pearson": round(max(abs(r) for k, r in enumerate(judged_r) if k != best), 4),
        "spearman": spearman,
        "spearman_by_idf_level": round(float(spearmanr(levels, level_means)[0]), 4) if len(levels) > 2 else None,
        "top_singular_values": [round(float(v), 3) for v in comps.singular_values],
        "idf_scatter": {
            "x": [round(float(v), 4) for v in idf[shown]],
            "y": [round(float(v), 5) for v in coordinate[shown]],
            "labels": [vocab[int(i)] for i in shown],
            "x_label": "IDF (fixture passages)",
            "y_label": f"component {best} (sign {int(sign):+d})",
            "pearson": round(pearson.value, 4),
            "spearman": spearman,
        },
    }
    result = claim_result(
        "idf_direction",
        parts,
        n=len(judge),
        statement=IDF_DIRECTION.statement,
        citation=IDF_DIRECTION.citation,
        details=details,
    )
    if (contrary := _contrary_edit_case(reranker, step, delta=delta, seed=seed)) is not None:
        result = dataclasses.replace(result, counterexamples=[f"minimal (Hypothesis): {contrary}"])
    return result


def _pearson_effect(x: np.ndarray, y: np.ndarray) -> Effect:
    """Pearson r with a Fisher-z interval at the claims' level."""
    r = float(pearsonr(x, y)[0])
    half = norm.ppf(1 - (1 - LEVEL) / 2) / np.sqrt(max(len(x) - 3, 1))
    with np.errstate(divide="ignore"):
        z = np.arctanh(np.clip(r, -1.0, 1.0))  # +-inf for a perfect correlation: the interval is [1, 1]
    return Effect("pearson_idf", r, float(np.tanh(z - half)), float(np.tanh(z + half)), LEVEL, better=Better.HIGHER)


def edit_preference(reranker: Reranker, case: CircuitCase, step: torch.Tensor) -> float:
    """TFC1(+step) - TFC1(-step) on one case: how much more matching the term pays with its
    embedding moved ``step`` along the direction than against it."""
    w_e = reranker.W_E
    pairs: list[Pair] = [case.perturbed, case.baseline]
    contrasts = []
    for signed in (step, -step):
        with reranker.edit_embeddings({case.term_id: w_e[case.term_id] + signed}):
            scores = reranker.score(pairs)
        contrasts.append(scores[0] - scores[1])
    return float(contrasts[0] - contrasts[1])


def _contrary_edit_case(reranker: Reranker, step: torch.Tensor, *, delta: float, seed: int) -> str | None:
    """The shortest case on which moving the term along the direction makes matching it pay
    less, beyond the neutral band, described."""
    found = shrunk_case(reranker, lambda case: edit_preference(reranker, case, step) < -delta, seed=seed)
    if found is None:
        return None
    return (
        f"moving {found.term!r} along the direction changes the reward for matching it by "
        f"{edit_preference(reranker, found, step):+.3g} (the neutral band is {delta:.3g}), {described(found)}"
    )


def _edit_step(reranker: Reranker, direction: np.ndarray, projection: np.ndarray, tokens: np.ndarray) -> torch.Tensor:
    """``alpha`` along ``direction``: one standard deviation of the tokens' coordinates on it."""
    alpha = float(projection[tokens].std())
    return torch.as_tensor(direction * alpha, dtype=reranker.W_E.dtype, device=reranker.W_E.device)


def _edit_effect(reranker: Reranker, sample: CaseSample, step: torch.Tensor, *, delta: float, seed: int) -> Effect:
    """Net preference over cases of TFC1(+alpha) - TFC1(-alpha), the term's row edited by ``step``."""
    values = [edit_preference(reranker, case, step) for case in sample.cases]
    summary = summarize(np.array(values), delta=delta, seed=seed, level=LEVEL)
    return Effect(
        "edit_net_preference",
        summary.effect.value,
        summary.effect.ci_low,
        summary.effect.ci_high,
        LEVEL,
        better=Better.HIGHER,
    )
