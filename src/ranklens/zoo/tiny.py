"""Tiny random-init cross-encoder checkpoints, one per supported architecture.

The harness must be exercised against every model family it claims to support,
but real checkpoints are large and need the network. These fixtures are the
smallest models that still have the *real structure* of each family (the same
``*ForSequenceClassification`` class, multi-head attention with more than one
head, the family's own tokenizer kind and pair format) so that module paths,
hooks, masks and tokenization quirks are the same as on production rerankers.
Everything is built offline and deterministically: the same seed gives
byte-identical files, in any process.

Known family differences the fixtures keep rather than hide: DeBERTa-v2 has no
SDPA implementation in transformers (it loads with eager attention), and
only BERT and ELECTRA take segment ids (``token_type_ids``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import (
    AutoConfig,
    AutoModelForSequenceClassification,
    PreTrainedConfig,
    PreTrainedTokenizerBase,
)

from ranklens.data.wordpiece import bert_wordpiece
from ranklens.zoo.tokenizers import deberta_tokenizer, modernbert_tokenizer, roberta_tokenizer, xlmr_tokenizer

__all__ = ["TINY_ARCHITECTURES", "build_tiny_checkpoint"]

TINY_ARCHITECTURES: tuple[str, ...] = (
    "bert",
    "electra",
    "roberta",
    "xlm-roberta",
    "distilbert",
    "modernbert",
    "deberta-v2",
)


@dataclass(frozen=True)
class _Dims:
    """Shared tiny dimensions: small enough to build in milliseconds, yet with
    several heads (d_head = hidden / heads = 8) and layers so that per-head and
    per-layer code paths are not degenerate."""

    hidden: int = 32
    layers: int = 2
    heads: int = 4
    intermediate: int = 64
    # Ordinary passages must fit the positional window, as in real rerankers.
    max_positions: int = 512
    # At the usual 0.02 a model this small is nearly input-independent (scores
    # of different pairs agree to ~1e-4), so no test could tell a correct
    # masking or attribution path from a broken one. 0.2 spreads scores over
    # ~0.1-1 while staying far from float32 trouble (padded vs unpadded ~1e-7).
    init_std: float = 0.2


_DIMS = _Dims()


def _special_ids(tokenizer: PreTrainedTokenizerBase) -> dict[str, Any]:
    """Config entries that must agree with the tokenizer: embedding rows and the pad id
    (the embedding ``padding_idx``, and RoBERTa's position offset)."""
    return {
        "vocab_size": len(tokenizer),
        "pad_token_id": tokenizer.pad_token_id,
    }


def _encoder_dims() -> dict[str, Any]:
    """BERT-family config names for the shared tiny dimensions."""
    return {
        "hidden_size": _DIMS.hidden,
        "num_hidden_layers": _DIMS.layers,
        "num_attention_heads": _DIMS.heads,
        "intermediate_size": _DIMS.intermediate,
        "max_position_embeddings": _DIMS.max_positions,
        "initializer_range": _DIMS.init_std,
    }


def _bert(tok: PreTrainedTokenizerBase) -> dict[str, Any]:
    return {**_encoder_dims(), **_special_ids(tok), "type_vocab_size": 2}


def _electra(tok: PreTrainedTokenizerBase) -> dict[str, Any]:
    # embedding_size == hidden_size, as in ELECTRA-base rerankers: no embeddings_project.
    return {**_bert(tok), "embedding_size": _DIMS.hidden}


def _roberta(tok: PreTrainedTokenizerBase) -> dict[str, Any]:
    # Positions start at pad_token_id + 1, so 512 tokens need 514 position rows.
    return {
        **_encoder_dims(),
        **_special_ids(tok),
        "max_position_embeddings": _DIMS.max_positions + 2,
        "type_vocab_size": 1,
        "bos_token_id": tok.cls_token_id,
        "eos_token_id": tok.sep_token_id,
    }


def _distilbert(tok: PreTrainedTokenizerBase) -> dict[str, Any]:
    return {
        **_special_ids(tok),
        "dim": _DIMS.hidden,
        "n_layers": _DIMS.layers,
        "n_heads": _DIMS.heads,
        "hidden_dim": _DIMS.intermediate,
        "max_position_embeddings": _DIMS.max_positions,
        "initializer_range": _DIMS.init_std,
    }


def _modernbert(tok: PreTrainedTokenizerBase) -> dict[str, Any]:
    # Keep ModernBERT's alternation of global and sliding-window layers (so that
    # code path is exercised) but make the window cover the whole 512-token
    # context, so the sliding layer is exactly equivalent to a global one.
    return {
        **_encoder_dims(),
        **_special_ids(tok),
        "cls_token_id": tok.cls_token_id,
        "sep_token_id": tok.sep_token_id,
        "bos_token_id": tok.cls_token_id,
        "eos_token_id": tok.sep_token_id,
        "layer_types": ["full_attention", "sliding_attention"],
        "local_attention": 2 * _DIMS.max_positions,
    }


def _deberta_v2(tok: PreTrainedTokenizerBase) -> dict[str, Any]:
    # DeBERTa-v3 layout: disentangled relative attention, no absolute positions,
    # no segment embeddings.
    return {
        **_encoder_dims(),
        **_special_ids(tok),
        "type_vocab_size": 0,
        "relative_attention": True,
        "position_biased_input": False,
        "pos_att_type": ["p2c", "c2p"],
        "max_relative_positions": -1,
        "position_buckets": 256,
        "norm_rel_ebd": "layer_norm",
        "share_att_key": True,
    }


@dataclass(frozen=True)
class _Recipe:
    """How to build one architecture: HF ``model_type``, tokenizer factory, config kwargs."""

    model_type: str
    tokenizer: Callable[[], PreTrainedTokenizerBase]
    config: Callable[[PreTrainedTokenizerBase], dict[str, Any]]


def _segmented_wordpiece() -> PreTrainedTokenizerBase:
    return bert_wordpiece(with_token_types=True, max_length=_DIMS.max_positions)


def _plain_wordpiece() -> PreTrainedTokenizerBase:
    """DistilBERT's: no ``token_type_ids`` (the model has no segment embeddings)."""
    return bert_wordpiece(with_token_types=False, max_length=_DIMS.max_positions)


_RECIPES: dict[str, _Recipe] = {
    "bert": _Recipe("bert", _segmented_wordpiece, _bert),
    "electra": _Recipe("electra", _segmented_wordpiece, _electra),
    "roberta": _Recipe("roberta", lambda: roberta_tokenizer(_DIMS.max_positions), _roberta),
    "xlm-roberta": _Recipe("xlm-roberta", lambda: xlmr_tokenizer(_DIMS.max_positions), _roberta),
    "distilbert": _Recipe("distilbert", _plain_wordpiece, _distilbert),
    "modernbert": _Recipe("modernbert", lambda: modernbert_tokenizer(_DIMS.max_positions), _modernbert),
    "deberta-v2": _Recipe("deberta-v2", lambda: deberta_tokenizer(_DIMS.max_positions), _deberta_v2),
}
assert tuple(_RECIPES) == TINY_ARCHITECTURES


def build_tiny_checkpoint(
    architecture: str,
    directory: Path,
    *,
    seed: int = 0,
    num_labels: int = 1,
    config: Mapping[str, Any] | None = None,
) -> Path:
    """Save a tiny random-init cross-encoder (model + tokenizer) for ``architecture`` into ``directory``.

    The result loads offline with ``AutoModelForSequenceClassification`` and
    ``AutoTokenizer`` (safetensors weights). The same ``seed`` gives bit-identical
    weights and the global torch RNG is left untouched, so fixtures never perturb
    the tests that use them. ``num_labels`` is 1 (a single relevance logit) or 2
    (two-class rerankers). ``config`` overrides entries of the model config (e.g. a deeper or
    BERT-base-sized network for a benchmark). Existing files in ``directory`` are overwritten.
    Returns ``directory``.
    """
    recipe = _RECIPES.get(architecture)
    if recipe is None:
        raise ValueError(f"unknown architecture {architecture!r}; expected one of: {', '.join(TINY_ARCHITECTURES)}")
    if num_labels not in (1, 2):
        raise ValueError(f"num_labels must be 1 or 2, got {num_labels!r}")
    tokenizer = recipe.tokenizer()
    settings: PreTrainedConfig = AutoConfig.for_model(
        recipe.model_type, num_labels=num_labels, **{**recipe.config(tokenizer), **(config or {})}
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = AutoModelForSequenceClassification.from_config(settings, dtype=torch.float32)  # type: ignore[no-untyped-call]
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
    return directory
