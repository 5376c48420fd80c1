"""``minilm-base``: the null for ``minilm-ce``, i.e. the same model before its first training step.

Why it exists: ``minilm-ce`` starts from the pretrained bi-encoder all-MiniLM-L6-v2 and is
fine-tuned with its word embeddings frozen, so a finding on ``minilm-ce`` may come from the
pretrained encoder rather than from relevance training (``idf_direction`` reads W_E, which is
the base model's unchanged). This fixture is that encoder with the seeded, untrained
classification head ``minilm-ce`` starts from (one shared :func:`~.training.initial_model`, same
seed), saved in the same layout: a check that passes here as well as on ``minilm-ce`` says
nothing about what training added. Building it takes seconds; no held-out metrics are taken
at build time (scoring the held-out lists takes minutes on two cores).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ranklens.zoo.minilm_ce.manifest import MANIFEST_FILE, base_model_section, library_versions
from ranklens.zoo.minilm_ce.recipe import DEFAULT_RECIPE, DEFAULT_SEED, MODEL_NAME, base_fingerprint, base_model_dir
from ranklens.zoo.minilm_ce.training import initial_model, torch_session

BASE_NAME = "minilm-base"
BASE_REVISION = 1


def minilm_base_fingerprint(*, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The inputs that decide the weights: the seed of the head and everything the base checkpoint decides."""
    return {"name": BASE_NAME, "revision": BASE_REVISION, "seed": seed, **base_fingerprint()}


def minilm_base_recipe_hash(*, seed: int = DEFAULT_SEED) -> str:
    """sha256 over the name, revision, seed, base weights and tokenizer hashes, and library majors."""
    canonical = json.dumps(minilm_base_fingerprint(seed=seed), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def build_minilm_base(directory: Path, *, seed: int = DEFAULT_SEED) -> Path:
    """Write the base encoder with its seeded fresh head under ``directory``; same seed, same weights."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with torch_session(DEFAULT_RECIPE.training.num_threads):
        model, tokenizer = initial_model(base_model_dir(), seed)
        model.save_pretrained(str(directory))
        tokenizer.save_pretrained(str(directory))
    fingerprint = minilm_base_fingerprint(seed=seed)
    built = {
        "name": BASE_NAME,
        "recipe_hash": minilm_base_recipe_hash(seed=seed),
        "seed": seed,
        "what": f"{MODEL_NAME} before its first training step: the pretrained encoder and pooler, and a "
        f"classification head drawn by transformers' initialisation under torch.manual_seed({seed}) "
        "(weights ~ N(0, initializer_range), bias 0); no training",
        "why": f"the null for {MODEL_NAME}: a finding that holds here too comes from the pretrained "
        "bi-encoder (or from the check itself), not from relevance training. idf_direction reads W_E, "
        f"which {MODEL_NAME}'s training leaves frozen, so both models have the same W_E",
        "base_model": base_model_section(fingerprint["base_weights_sha256"]),
        "training": None,
        "libraries": library_versions(),
    }
    (directory / MANIFEST_FILE).write_text(json.dumps(built, indent=2) + "\n", encoding="utf-8")
    return directory
