"""``minilm-base``, the null of the default model: ``minilm-ce``'s starting point, saved as a checkpoint.

It must be exactly the pretrained encoder plus a seeded head (so what differs on ``minilm-ce``
is what training did), reproducible, and loadable by ranklens like any cross-encoder. The
comparisons with ``minilm-ce`` itself run where it is built (6 min of training on 2 cores).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from ranklens import load_reranker
from ranklens.zoo.minilm_ce.base import BASE_NAME, build_minilm_base, minilm_base_recipe_hash
from ranklens.zoo.minilm_ce.recipe import BASE_WEIGHTS_FILE, base_model_dir
from ranklens.zoo.registry import DEFAULT_MODEL, built_fixture

WEIGHTS = "model.safetensors"
HEAD = {"classifier.weight", "classifier.bias"}
WORD_EMBEDDINGS = "bert.embeddings.word_embeddings.weight"
BUFFERS = {"embeddings.position_ids"}  # a buffer the base file carries; transformers does not save it


needs_minilm_ce = pytest.mark.skipif(
    built_fixture(DEFAULT_MODEL) is None,
    reason="minilm-ce is not built here (6 min of training on 2 cores): `ranklens fixtures build minilm-ce`",
)


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_minilm_base(tmp_path_factory.mktemp(BASE_NAME))


@pytest.fixture(scope="module")
def base_weights(base_dir: Path) -> dict[str, torch.Tensor]:
    return load_file(base_dir / WEIGHTS)


def test_the_same_seed_builds_the_same_weights_and_another_seed_another_head(
    base_weights: dict[str, torch.Tensor], tmp_path: Path
) -> None:
    again = load_file(build_minilm_base(tmp_path / "again") / WEIGHTS)
    other = load_file(build_minilm_base(tmp_path / "other", seed=14) / WEIGHTS)
    same = base_weights.keys() == again.keys() and all(torch.equal(base_weights[k], again[k]) for k in base_weights)
    assert (same, torch.equal(base_weights["classifier.weight"], other["classifier.weight"])) == (True, False)


def test_the_encoder_is_the_pretrained_one_and_only_the_head_is_new(base_weights: dict[str, torch.Tensor]) -> None:
    pretrained = {k: v for k, v in load_file(base_model_dir() / BASE_WEIGHTS_FILE).items() if k not in BUFFERS}
    changed = [k for k, v in pretrained.items() if not torch.equal(base_weights[f"bert.{k}"], v)]
    extra = set(base_weights) - {f"bert.{k}" for k in pretrained}
    assert (changed, extra) == ([], HEAD)


def test_the_head_is_a_fresh_initialisation(base_dir: Path, base_weights: dict[str, torch.Tensor]) -> None:
    """N(0, initializer_range) weights and a zero bias: transformers' init, never trained."""
    spread = json.loads((base_dir / "config.json").read_text())["initializer_range"]
    weight, bias = base_weights["classifier.weight"], base_weights["classifier.bias"]
    assert (weight.shape, 0.5 * spread < float(weight.std()) < 2 * spread, bias.tolist()) == ((1, 384), True, [0.0])


def test_its_manifest_says_what_it_is(base_dir: Path) -> None:
    built = json.loads((base_dir / "manifest.json").read_text())
    assert (built["name"], built["recipe_hash"], built["training"]) == (BASE_NAME, minilm_base_recipe_hash(), None)


def test_ranklens_loads_it_as_a_one_logit_cross_encoder(base_dir: Path, device: str) -> None:
    reranker = load_reranker(base_dir, device=device)
    scores = reranker.score([("capital of france", "Paris is the capital of France."), ("cats", "Dogs bark.")])
    assert (scores.shape, bool(np.isfinite(scores).all()), scores[0] != scores[1]) == ((2,), True, True)


@needs_minilm_ce
def test_it_has_minilm_ce_config_and_tokenization(base_dir: Path, device: str) -> None:
    trained_dir = built_fixture(DEFAULT_MODEL)
    assert trained_dir is not None
    configs = [json.loads((d / "config.json").read_text()) for d in (base_dir, trained_dir)]
    pairs = [("what is the capital of France?", "Paris is the capital and largest city of France.")]
    inputs = [
        {k: v.tolist() for k, v in load_reranker(d, device=device).encode(pairs).inputs.items()}
        for d in (base_dir, trained_dir)
    ]
    assert (configs[0] == configs[1], inputs[0] == inputs[1]) == (True, True)


@needs_minilm_ce
def test_minilm_ce_shares_its_word_embeddings_and_differs_in_the_head_and_encoder(
    base_weights: dict[str, torch.Tensor],
) -> None:
    """minilm-ce's training freezes W_E, so both models have exactly the same one (idf_direction
    reads the same matrix on both); training changed the head and the rest of the encoder."""
    trained_dir = built_fixture(DEFAULT_MODEL)
    assert trained_dir is not None
    trained = load_file(trained_dir / WEIGHTS)
    moved = {k for k in trained if not torch.equal(trained[k], base_weights[k])}
    assert (WORD_EMBEDDINGS in moved, moved >= HEAD, len(moved) > len(HEAD)) == (False, True, True), sorted(moved)
