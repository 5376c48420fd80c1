"""The window: how many tokens a checkpoint can read, from its config files alone (no weights),
so that an unusable ``--ranklens-max-length`` is refused before anything is loaded."""

from __future__ import annotations

from pathlib import Path

from transformers import PretrainedConfig

from ranklens.errors import ModelLoadError
from ranklens.models.checkpoint import Checkpoint, tokenizer_settings

MIN_MAX_LENGTH = 8
"""Shortest window ranklens accepts. A pair needs its special tokens (up to four, RoBERTa's
``<s> q </s></s> d </s>``) and at least one token each of query and document; 8 leaves room for a
one-word query and a document word split in two. A bound computed from the tokenizer would be
tighter by a token or two, but it needs the tokenizer loaded, and option-time checks load nothing."""
DEFAULT_WINDOW = 512
"""The window assumed when neither the config nor the tokenizer states a limit."""
_NO_TOKENIZER_LIMIT = 1_000_000
"""transformers writes a huge ``model_max_length`` (1e30) when the tokenizer states none."""


def window_of(checkpoint: Checkpoint) -> int:
    """The longest input (tokens) the checkpoint reads, from config.json and tokenizer_config.json alone."""
    return model_window(checkpoint.config, tokenizer_max_length(checkpoint.path, checkpoint.model_id))[0]


def check_max_length(checkpoint: Checkpoint, max_length: int | None) -> int:
    """The window to use: ``max_length`` if the checkpoint can read it, else its whole window.

    Needs no weights, so ``--ranklens-max-length`` is refused when options are parsed.
    """
    tokenizer_limit = tokenizer_max_length(checkpoint.path, checkpoint.model_id)
    return checked_max_length(checkpoint.config, tokenizer_limit, max_length, checkpoint.model_id)


def model_window(config: PretrainedConfig, tokenizer_limit: int | None) -> tuple[int, list[str]]:
    """The window and what bounds it: position embeddings (less RoBERTa's offset) and the tokenizer."""
    limits: dict[str, int] = {}
    positions = getattr(config, "max_position_embeddings", None)
    if positions and getattr(config, "position_biased_input", True):
        offset = (config.pad_token_id or 0) + 1 if config.model_type in {"roberta", "xlm-roberta"} else 0
        limits["position embeddings"] = int(positions) - offset
    if tokenizer_limit and tokenizer_limit < _NO_TOKENIZER_LIMIT:
        limits["tokenizer model_max_length"] = int(tokenizer_limit)
    if not limits:
        return DEFAULT_WINDOW, []
    return min(limits.values()), [f"{name} {value}" for name, value in limits.items()]


def checked_max_length(
    config: PretrainedConfig, tokenizer_limit: int | None, requested: int | None, model_id: str
) -> int:
    """``requested`` if it is within ``MIN_MAX_LENGTH`` and the model's window, else a ModelLoadError."""
    window, bounds = model_window(config, tokenizer_limit)
    if requested is None:
        return window
    too_long = bool(bounds) and requested > window
    if isinstance(requested, bool) or not isinstance(requested, int) or requested < MIN_MAX_LENGTH or too_long:
        why = ", ".join(bounds) if bounds else f"no limit stated, so ranklens assumes {DEFAULT_WINDOW}"
        raise ModelLoadError(
            f"max_length={requested!r} is outside what {model_id!r} can read ({MIN_MAX_LENGTH}..{window} tokens): "
            f"the model's window is {window} tokens ({why}), and a (query, document) pair needs at least "
            f"{MIN_MAX_LENGTH}. Pass max_length (--ranklens-max-length) between {MIN_MAX_LENGTH} and {window}, or "
            "leave it unset to use the whole window."
        )
    return requested


def tokenizer_max_length(path: Path, model_id: str) -> int | None:
    """``model_max_length`` from ``tokenizer_config.json``, when it states a usable one."""
    value = tokenizer_settings(path, model_id).get("model_max_length")
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
