"""Each planted mechanism is where the manifest says it is, and each lesion removes only its own.

These are the ground-truth controls of the circuit suite: checked directly on weights and
activations through the project's own Reranker and hooks, never through the claims under test.
Every tolerance is derived from the construction (see ``ranklens.zoo.planted.layout``),
not fitted to the outcome:

- float32 and LayerNorm's residual bias put ~1e-4 relative noise on head outputs and
  attention masses, so "exactly linear / flat / unchanged" means within 1e-2 (or 1e-3 where
  no large logit multiplies the noise);
- the ln(IDF) read-out is piecewise linear to ~1 % (24 knots), so attention "proportional to
  IDF" is checked to 3 %.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from scipy.stats import pearsonr, spearmanr

from ranklens import Reranker
from ranklens.cases import sample_pairs
from ranklens.data.corpus import load_corpus
from ranklens.data.term_stats import load_idf_table
from ranklens.models import Pair
from ranklens.zoo.planted.build import PLANTED_VARIANTS, build_planted, read_manifest
from ranklens.zoo.planted.layout import SoftTfLogits

PLANTED = "planted"
LESIONED = [v for v in PLANTED_VARIANTS if v.startswith("planted")]
FILLERS = ("lantern", "pebble", "violin", "saddle")
MAX_TF = 5
APPENDED = (0, 20, 40, 80)


@pytest.fixture(scope="module")
def truth(planted_checkpoint: Callable[[str], Path]) -> dict[str, Any]:
    ground_truth = read_manifest(planted_checkpoint(PLANTED))["ground_truth"]
    assert isinstance(ground_truth, dict)
    return ground_truth


@dataclass(frozen=True)
class Probe:
    """A fixture pair, a one-piece query term absent from the passage, and a filler absent from both."""

    query: str
    term: str
    passage: str
    filler: str

    def tf_docs(self) -> list[str]:
        """passage + k x term + (MAX_TF - k) x filler, k = 1..MAX_TF: TF varies, length does not."""
        return [" ".join([self.passage, *[self.term] * k, *[self.filler] * (MAX_TF - k)]) for k in range(1, MAX_TF + 1)]

    def length_docs(self) -> list[str]:
        """passage + 2 x term + n x filler: length varies, TF does not."""
        return [" ".join([self.passage, self.term, self.term, *[self.filler] * n]) for n in APPENDED]


@pytest.fixture(scope="module")
def probes(planted_reranker: Callable[[str], Reranker]) -> list[Probe]:
    tok = planted_reranker(PLANTED).tokenizer
    out = []
    for query, passage in sample_pairs(n=60, seed=21):
        q, d = tok.tokenize(query), set(tok.tokenize(passage))
        terms = [t for t in q if t.isalpha() and len(t) > 3 and t not in d]
        fillers = [f for f in FILLERS if tok.tokenize(f) == [f] and f not in q and f not in d]
        if terms and fillers:
            out.append(Probe(query, terms[0], passage, fillers[0]))
        if len(out) == 4:
            return out
    raise AssertionError(f"only {len(out)} probes found in the fixture sample")


def heads(truth: dict[str, Any][str, Any], key: str) -> list[tuple[int, int]]:
    value = truth[key]
    assert isinstance(value, list)
    return [(int(layer), int(head)) for layer, head in value]


def match_mass(reranker: Reranker, cases: Sequence[tuple[str, str, str]], at: list[tuple[int, int]]) -> np.ndarray:
    """Attention mass from the query position of ``term`` to the document positions of ``term``,
    averaged over the heads ``at``, for each ``(query, document, term)``: ``[cases]``."""
    batch = reranker.encode([(q, d) for q, d, _ in cases])
    names = sorted({f"blocks.{layer}.attn.hook_pattern" for layer, _ in at})
    _, cache = reranker.run_with_cache(batch, names)
    ids, types = batch.inputs["input_ids"].cpu(), batch.inputs["token_type_ids"].cpu()
    out = np.zeros(len(cases))
    for i, (_, _, term) in enumerate(cases):
        (term_id,) = reranker.tokenizer(term, add_special_tokens=False)["input_ids"]
        q_pos = int(torch.nonzero((ids[i] == term_id) & (types[i] == 0))[0])
        d_pos = torch.nonzero((ids[i] == term_id) & (types[i] == 1))[:, 0]
        for layer, head in at:
            pattern = cache[f"blocks.{layer}.attn.hook_pattern"].cpu()  # [batch, head, query_pos, key_pos]
            out[i] += float(pattern[i, head, q_pos, d_pos].sum()) / len(at)
    return out


@pytest.fixture(scope="module")
def curves(
    planted_reranker: Callable[[str], Reranker], truth: dict[str, Any], probes: list[Probe]
) -> Callable[..., list[np.ndarray]]:
    """Soft-TF mass curves per probe, ``kind`` "tf" (k = 1..MAX_TF at fixed length) or "length"
    (0..80 filler tokens appended at TF 2); one batched forward pass per (variant, kind, heads)."""
    computed: dict[tuple[str, str, tuple[tuple[int, int], ...]], list[np.ndarray]] = {}

    def get(variant: str, kind: str, at: list[tuple[int, int]] | None = None) -> list[np.ndarray]:
        at = at or heads(truth, "soft_tf_heads")
        key = (variant, kind, tuple(at))
        if key not in computed:
            docs = [p.tf_docs() if kind == "tf" else p.length_docs() for p in probes]
            cases = [(p.query, d, p.term) for p, ds in zip(probes, docs, strict=True) for d in ds]
            flat = match_mass(planted_reranker(variant), cases, at)
            computed[key] = list(flat.reshape(len(probes), -1))
        return computed[key]

    return get


def curvature(curve: np.ndarray) -> np.ndarray:
    """Second differences over the first gain: < 0 concave, 0 linear."""
    return np.diff(curve, n=2) / (curve[1] - curve[0])


def relevant_and_other(n: int, seed: int) -> tuple[list[Pair], np.ndarray]:
    corpus = load_corpus()
    text = {q.qid: q.text for q in corpus.queries} | {p.pid: p.text for p in corpus.passages}
    relevant = {(text[r.qid], text[r.pid]) for r in corpus.qrels if r.relevance > 0}
    pairs = sample_pairs(n=n, seed=seed)
    return pairs, np.array([p in relevant for p in pairs])


def margin(scores: np.ndarray, is_relevant: np.ndarray) -> float:
    return float(scores[is_relevant].mean() - scores[~is_relevant].mean())


def zero_neurons(indices: Sequence[int]) -> Callable[[torch.Tensor, object], torch.Tensor]:
    def hook(activation: torch.Tensor, _: object) -> torch.Tensor:  # [batch, pos, d_ff]
        out = activation.clone()
        out[..., list(indices)] = 0.0
        return out

    return hook


def zero_heads(indices: Sequence[int]) -> Callable[[torch.Tensor, object], torch.Tensor]:
    def hook(z: torch.Tensor, _: object) -> torch.Tensor:  # [batch, pos, head, d_head]
        out = z.clone()
        out[:, :, list(indices)] = 0.0
        return out

    return hook


# -- every variant -----------------------------------------------------------------------------


@pytest.mark.parametrize("variant", PLANTED_VARIANTS)
def test_every_variant_loads_and_scores_finitely(variant: str, planted_reranker: Callable[[str], Reranker]) -> None:
    scores = planted_reranker(variant).score(sample_pairs(n=8, seed=1))
    assert np.isfinite(scores).all(), f"{variant}: non-finite scores {scores}"


@pytest.mark.parametrize("variant", [PLANTED, "random-init"])
def test_builds_are_deterministic(variant: str, planted_checkpoint: Callable[[str], Path], tmp_path: Path) -> None:
    again = build_planted(tmp_path / "again", variant=variant, measure=False)
    other_seed = build_planted(tmp_path / "seed1", variant=variant, seed=1, measure=False)
    reference = (planted_checkpoint(variant) / "model.safetensors").read_bytes()
    assert (again / "model.safetensors").read_bytes() == reference, f"{variant}: same seed, different weights"
    assert (other_seed / "model.safetensors").read_bytes() != reference, f"{variant}: seed is ignored"


@pytest.mark.parametrize("variant", LESIONED)
def test_each_lesion_changes_one_recipe_field(variant: str, planted_checkpoint: Callable[[str], Path]) -> None:
    recipe = read_manifest(planted_checkpoint(variant))["recipe"]
    planted = read_manifest(planted_checkpoint(PLANTED))["recipe"]
    # d_model and n_heads only make room (planted-spread-tf needs 8 heads of 64 dims).
    described = ("name", "lesion", "fails", "unmeasured", "d_model", "n_heads")
    changed = sorted(k for k in recipe if recipe[k] != planted[k] and k not in described)
    assert len(changed) == (0 if variant == PLANTED else 1), f"{variant} differs from planted in {changed}"


@pytest.mark.parametrize("variant", LESIONED)
def test_layer_norms_act_as_fixed_scalings(
    variant: str, planted_reranker: Callable[[str], Reranker], truth: dict[str, Any]
) -> None:
    """The anchors make every LayerNorm ~ identity on the signal dims (bias |s|^2 / 4C^2 ~ 1e-5)."""
    reranker = planted_reranker(variant)
    layout = truth["residual_layout"]
    signal = torch.tensor(
        [i for i in range(reranker.info.d_model) if i not in (layout["anchor_pos"], layout["anchor_neg"])]
    )
    batch = reranker.encode(sample_pairs(n=12, seed=4))
    real = batch.inputs["attention_mask"].bool().cpu()  # [batch, pos]
    records: list[tuple[torch.Tensor, torch.Tensor]] = []
    norms = [m for m in reranker.model.modules() if isinstance(m, torch.nn.LayerNorm)]
    handles = [m.register_forward_hook(lambda _, a, o: records.append((a[0].cpu(), o.cpu()))) for m in norms]
    try:
        reranker.forward(batch)
    finally:
        for handle in handles:
            handle.remove()
    errors = [
        float(((y[..., signal] - x[..., signal]).norm(dim=-1) / x[..., signal].norm(dim=-1))[real].max())
        for x, y in records
    ]
    assert len(errors) == 2 * reranker.info.n_layers + 1 and max(errors) < 1e-3, f"{variant}: LN errors {errors}"


# -- layer 0: the query-term flag -------------------------------------------------------------


def test_flag_head_marks_exactly_the_document_tokens_that_occur_in_the_query(
    planted_reranker: Callable[[str], Reranker], truth: dict[str, Any]
) -> None:
    reranker = planted_reranker(PLANTED)
    assert truth["query_flag_head"] == [0, 0]
    batch = reranker.encode(sample_pairs(n=16, seed=6))
    _, cache = reranker.run_with_cache(batch, ["blocks.0.hook_resid_post"])
    flag = cache["blocks.0.hook_resid_post"][..., truth["residual_layout"]["flag"]].cpu()  # [batch, pos]
    ids, types = batch.inputs["input_ids"].cpu(), batch.inputs["token_type_ids"].cpu()
    special = torch.tensor(reranker.tokenizer.all_special_ids)
    worst = 0.0
    for i in range(len(batch.pairs)):
        query_ids = set(ids[i][(types[i] == 0) & ~torch.isin(ids[i], special)].tolist())
        doc = (types[i] == 1) & ~torch.isin(ids[i], special) & batch.inputs["attention_mask"][i].bool().cpu()
        expected = torch.tensor([float(t in query_ids) for t in ids[i][doc].tolist()])
        worst = max(worst, float((flag[i][doc] - expected).abs().max()))
    assert worst < 1e-3, f"flag off by up to {worst:.2e} at document tokens"


# -- layer 1: soft-TF heads ---------------------------------------------------------------------


@pytest.mark.parametrize(("k1", "b"), [(1.2, 0.75), (math.inf, 0.75), (1.2, 0.0), (0.9, 0.4)])
def test_soft_tf_logits_make_the_attention_mass_bm25s_tf_term(k1: float, b: float) -> None:
    """The recipe's algebra: value scale x mass on matches == BM25's TF term, exactly."""
    avgdl = 81.68
    logits = SoftTfLogits.from_bm25(k1, b, avgdl, penalty=20.0)
    big_a, big_b = math.exp(logits.sink), math.exp(logits.non_match)
    worst = 0.0
    for length in (20, 80, 160):
        norm = 1 - b + b * length / avgdl
        for tf in range(1, 6):
            mass = tf / (big_a + length * big_b + tf * (1 - big_b))
            bm25_tf = tf / norm if math.isinf(k1) else tf * (k1 + 1) / (tf + k1 * norm)
            worst = max(worst, abs(logits.value_scale * mass / bm25_tf - 1))
    assert worst < 1e-9 or (b == 0.0 and worst < 1e-6), f"k1={k1}, b={b}: off by {worst:.2e}"


def test_soft_tf_mass_rises_and_saturates_in_planted(curves: Callable[..., list[np.ndarray]]) -> None:
    tf = curves(PLANTED, "tf")
    ok = all((np.diff(c) > 0).all() and (curvature(c) < -0.05).all() for c in tf)
    assert ok, f"TF 1..{MAX_TF} masses {[c.round(4) for c in tf]}, curvature {[curvature(c) for c in tf]}"


def test_soft_tf_mass_is_linear_in_tf_without_saturation(curves: Callable[..., list[np.ndarray]]) -> None:
    tf = curves("planted-no-saturation", "tf")
    ok = all((np.diff(c) > 0).all() and (np.abs(curvature(c)) < 1e-2).all() for c in tf)
    assert ok, f"no-saturation curvature {[curvature(c).round(4) for c in tf]} (want |.| < 0.01)"


@pytest.mark.parametrize("variant", [PLANTED, "planted-no-saturation"])
def test_soft_tf_mass_falls_as_unrelated_text_is_appended(
    variant: str, curves: Callable[..., list[np.ndarray]]
) -> None:
    """Length normalisation; kept by the no-saturation lesion, which must change only TF."""
    length = curves(variant, "length")
    ok = all((np.diff(c) < 0).all() and c[-1] < 0.85 * c[0] for c in length)
    assert ok, f"{variant}: mass after appending {APPENDED} filler tokens: {[c.round(4) for c in length]}"


def test_soft_tf_mass_ignores_length_without_length_norm(curves: Callable[..., list[np.ndarray]]) -> None:
    length = curves("planted-no-length-norm", "length")
    drift = max(float(np.abs(c / c[0] - 1).max()) for c in length)
    assert drift < 1e-3, f"no-length-norm mass moves by {drift:.2e} as filler is appended: {length}"


def test_no_length_norm_lesion_keeps_saturation(curves: Callable[..., list[np.ndarray]]) -> None:
    tf = curves("planted-no-length-norm", "tf")
    assert all((curvature(c) < -0.05).all() for c in tf), f"curvature {[curvature(c) for c in tf]}"


@pytest.mark.parametrize("variant", ["planted-no-idf", "planted-moved-neurons"])
def test_other_lesions_leave_the_soft_tf_heads_unchanged(variant: str, curves: Callable[..., list[np.ndarray]]) -> None:
    pairs = zip(
        curves(variant, "tf") + curves(variant, "length"),
        curves(PLANTED, "tf") + curves(PLANTED, "length"),
        strict=True,
    )
    gaps = [float(np.abs(lesioned / planted - 1).max()) for lesioned, planted in pairs]
    assert max(gaps) < 1e-3, f"{variant}: soft-TF masses differ from planted by up to {max(gaps):.2e}"


def test_decoy_head_has_the_soft_tf_pattern_but_no_effect(
    planted_reranker: Callable[[str], Reranker],
    truth: dict[str, Any],
    curves: Callable[..., list[np.ndarray]],
    probes: list[Probe],
) -> None:
    """The decoy (head 2.2) attends like a soft-TF head, yet zeroing it leaves scores alone; zeroing
    the two soft-TF heads removes the matching signal (a query-term insertion no longer helps)."""
    reranker = planted_reranker(PLANTED)
    (decoy,) = heads(truth, "decoy_heads")
    soft_tf = [h for _, h in heads(truth, "soft_tf_heads")]
    # rtol 1e-3: a layer later, the LayerNorms' small scaling error (~1e-4) has compounded once more.
    decoy_curves = zip(curves(PLANTED, "tf", [decoy]), curves(PLANTED, "tf"), strict=True)
    same = all(np.allclose(a, b, rtol=1e-3) for a, b in decoy_curves)
    batch = reranker.encode([(p.query, d) for p in probes for d in (p.tf_docs()[0], p.tf_docs()[-1])])
    base = reranker.forward(batch)
    no_decoy = reranker.run_with_hooks(batch, [(f"blocks.{decoy[0]}.attn.hook_z", zero_heads([decoy[1]]))])
    no_soft_tf = reranker.run_with_hooks(batch, [("blocks.1.attn.hook_z", zero_heads(soft_tf))])
    gain, gain_without = base[1::2] - base[::2], no_soft_tf[1::2] - no_soft_tf[::2]
    decoy_effect = np.abs(no_decoy - base).max() / np.abs(base).max()
    assert same and decoy_effect < 1e-3 and np.abs(gain_without).max() < 1e-3 * gain.min(), (
        f"decoy pattern equal: {same}; zeroing it moves scores by {decoy_effect:.2e} (relative); "
        f"TF 1->5 gain {gain} becomes {gain_without} without the soft-TF heads"
    )


def test_spread_tf_shares_the_same_scores_over_eight_heads(
    planted_reranker: Callable[[str], Reranker], planted_checkpoint: Callable[[str], Path], probes: list[Probe]
) -> None:
    """The behaviour without the "few heads" mechanism: planted's ranking, with each of the eight
    layer-1 heads carrying an eighth of the TF gain (zeroing one removes 1/8, zeroing two 1/4)."""
    spread = planted_reranker("planted-spread-tf")
    pairs = [(p.query, d) for p in probes for d in (p.tf_docs()[0], p.tf_docs()[-1])]
    # Not bit-equal: the noise neurons read random directions of a wider residual stream.
    sample = sample_pairs(n=120, seed=2)
    same = float(spearmanr(spread.score(sample), planted_reranker(PLANTED).score(sample))[0])
    soft_tf = [
        h for _, h in heads(read_manifest(planted_checkpoint("planted-spread-tf"))["ground_truth"], "soft_tf_heads")
    ]
    batch = spread.encode(pairs)
    base = spread.forward(batch)
    gain = base[1::2] - base[::2]
    shares = []
    for head in soft_tf:
        zeroed = spread.run_with_hooks(batch, [("blocks.1.attn.hook_z", zero_heads([head]))])
        shares.append(float(np.mean(1 - (zeroed[1::2] - zeroed[::2]) / gain)))
    assert len(soft_tf) == 8 and same > 0.99 and all(0.1 < x < 0.15 for x in shares), (
        f"{len(soft_tf)} heads; Spearman with planted's scores {same:.4f}; TF gain share per head {shares}"
    )


# -- layer 2: scoring heads and the IDF direction ---------------------------------------------


def cls_to_query_attention(
    reranker: Reranker, pairs: Sequence[Pair], head: tuple[int, int]
) -> list[tuple[np.ndarray, list[str]]]:
    """Per pair: [CLS]'s attention to each query token of the scoring head, and the tokens."""
    batch = reranker.encode(pairs)
    name = f"blocks.{head[0]}.attn.hook_pattern"
    _, cache = reranker.run_with_cache(batch, [name])
    special = torch.tensor(reranker.tokenizer.all_special_ids)
    out = []
    for i in range(len(pairs)):
        ids = batch.inputs["input_ids"][i].cpu()
        query = (batch.inputs["token_type_ids"][i].cpu() == 0) & ~torch.isin(ids, special)
        out.append(
            (
                cache[name][i, head[1], 0].cpu()[query].double().numpy(),
                reranker.tokenizer.convert_ids_to_tokens(ids[query]),
            )
        )
    return out


def test_scoring_heads_attend_to_query_terms_in_proportion_to_idf(
    planted_reranker: Callable[[str], Reranker], truth: dict[str, Any]
) -> None:
    table = load_idf_table()
    floor = truth["idf_neurons"]["floor"]
    spreads = []
    for head in heads(truth, "scoring_heads"):
        for attention, tokens in cls_to_query_attention(planted_reranker(PLANTED), sample_pairs(n=12, seed=8), head):
            ratio = attention / np.maximum([table.idf(t) for t in tokens], floor)
            spreads.append(float(ratio.max() / ratio.min() - 1))
    assert max(spreads) < 0.03, f"[CLS]->query attention / IDF varies by up to {max(spreads):.3f} within a query"


def test_scoring_heads_weight_query_terms_alike_without_idf(
    planted_reranker: Callable[[str], Reranker], truth: dict[str, Any]
) -> None:
    spreads = []
    for head in heads(truth, "scoring_heads"):
        for attention, _ in cls_to_query_attention(
            planted_reranker("planted-no-idf"), sample_pairs(n=12, seed=8), head
        ):
            spreads.append(float(attention.max() / attention.min() - 1))
    assert max(spreads) < 1e-3, f"no-idf [CLS] attention varies by {max(spreads):.2e} across query terms"


@pytest.mark.parametrize(("variant", "present"), [(PLANTED, True), ("planted-no-idf", False), ("random-init", False)])
def test_idf_direction_is_a_top_svd_component_only_where_planted(
    variant: str, present: bool, planted_reranker: Callable[[str], Reranker]
) -> None:
    reranker = planted_reranker(variant)
    w_e = reranker.W_E.double().cpu().numpy()  # [vocab, d_model]
    vocab = reranker.tokenizer.convert_ids_to_tokens(list(range(w_e.shape[0])))
    words = np.array([not (t.startswith("##") or t.startswith("[")) for t in vocab])
    idf = load_idf_table().vector(vocab)
    # Top-8 left singular vectors of the uncentred matrix, via the small Gram matrix.
    eigenvalues, v = np.linalg.eigh(w_e[words].T @ w_e[words])
    top = v[:, np.argsort(eigenvalues)[::-1][:8]]  # [d_model, 8]
    u = w_e[words] @ top  # [words, 8], columns proportional to U_k
    rs = np.array([abs(pearsonr(u[:, k], idf[words])[0]) for k in range(8)])
    if present:
        assert rs[0] > 0.99 and np.delete(rs, 0).max() < 0.05, f"|r| of top-8 components with IDF: {rs.round(3)}"
    else:
        assert rs.max() < 0.05, f"{variant}: |r| of top-8 components with IDF: {rs.round(3)}"


# -- relevance neurons ----------------------------------------------------------------------------


def test_zeroing_the_relevance_neurons_collapses_the_margin_only_where_they_are(
    planted_reranker: Callable[[str], Reranker], planted_checkpoint: Callable[[str], Path]
) -> None:
    pairs, is_relevant = relevant_and_other(24, seed=9)
    named = read_manifest(planted_checkpoint(PLANTED))["ground_truth"]["relevance_neurons"]
    moved = read_manifest(planted_checkpoint("planted-moved-neurons"))["ground_truth"]["relevance_neurons"]
    site = f"blocks.{named['layer']}.mlp.hook_post"
    others = sorted(set(range(planted_reranker(PLANTED).info.d_ff)) - set(named["indices"]) - set(moved["indices"]))
    random8 = list(np.random.default_rng(0).choice(others, size=len(named["indices"]), replace=False))

    batches = {v: planted_reranker(v).encode(pairs) for v in (PLANTED, "planted-moved-neurons")}
    intact = {v: margin(planted_reranker(v).forward(b), is_relevant) for v, b in batches.items()}

    def ratio(variant: str, indices: Sequence[int]) -> float:
        ablated = planted_reranker(variant).run_with_hooks(batches[variant], [(site, zero_neurons(indices))])
        return margin(ablated, is_relevant) / intact[variant]

    ratios = {
        "planted, named": ratio(PLANTED, named["indices"]),
        "planted, 8 random": ratio(PLANTED, random8),
        "moved, planted's indices": ratio("planted-moved-neurons", named["indices"]),
        "moved, its own": ratio("planted-moved-neurons", moved["indices"]),
    }
    ok = ratios["planted, named"] < 0.05 and ratios["moved, its own"] < 0.05
    ok = ok and ratios["planted, 8 random"] > 0.95 and ratios["moved, planted's indices"] > 0.95
    assert ok, f"margin after ablation / margin before: {ratios}"


# -- behaviour --------------------------------------------------------------------------------------


def test_tfc1_appending_a_query_term_beats_a_filler_in_planted(
    planted_reranker: Callable[[str], Reranker], probes: list[Probe]
) -> None:
    """TFC1 with the filler control, and the difference-in-differences control: the same insertion
    under a query without the term gains nothing."""
    reranker = planted_reranker(PLANTED)
    gains, placebo = [], []
    for probe in probes:
        with_term, with_filler = f"{probe.passage} {probe.term}", f"{probe.passage} {probe.filler}"
        s = reranker.score([(probe.query, with_term), (probe.query, with_filler)])
        gains.append(s[0] - s[1])
        other = "history of a mountain railway"
        t = reranker.score([(other, with_term), (other, with_filler)])
        placebo.append(t[0] - t[1])
    assert min(gains) > 0 and max(np.abs(placebo)) < 0.01 * min(gains), f"TFC1 gains {gains}, placebo {placebo}"


def test_planted_scores_rank_like_bm25(planted_reranker: Callable[[str], Reranker]) -> None:
    """The construction is BM25 (k1 1.2, b 0.75) up to a <= 1 % ln(IDF) read-out error and a
    per-query factor from the scoring heads' sink, which can only swap near-ties across queries."""
    reranker = planted_reranker(PLANTED)
    table = load_idf_table()
    pairs = sample_pairs(n=120, seed=2)
    tok = reranker.tokenizer
    reference = [table.bm25(tok.tokenize(q), tok.tokenize(d)) for q, d in pairs]
    rho = float(spearmanr(reranker.score(pairs), reference)[0])
    assert rho > 0.98, f"Spearman with BM25 on 120 fixture pairs is {rho:.4f}"


def test_manifests_state_the_ground_truth(planted_checkpoint: Callable[[str], Path]) -> None:
    missing = {}
    for variant in LESIONED:
        truth = read_manifest(planted_checkpoint(variant))["ground_truth"]
        keys = ("soft_tf_heads", "query_flag_head", "scoring_heads", "idf_direction", "relevance_neurons")
        missing[variant] = [k for k in keys if k not in truth]
    null = read_manifest(planted_checkpoint("random-init"))
    assert not any(missing.values()) and null["ground_truth"] is None, f"missing: {missing}"
