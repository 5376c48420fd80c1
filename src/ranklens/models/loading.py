"""Load a checkpoint into a :class:`~ranklens.models.reranker.Reranker`, or refuse it with the cause.

A reranker whose head was initialised at random, or whose weights do not match its config,
would give plausible, meaningless scores, so every such checkpoint is refused here with a
message naming the file, the cause and the fix.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer, PreTrainedModel
from transformers.tokenization_utils_base import PreTrainedTokenizerBase
from transformers.utils import logging as hf_logging

from ranklens.errors import ModelLoadError
from ranklens.models.adapters import adapter_for
from ranklens.models.cache import ScoreCache
from ranklens.models.checkpoint import Checkpoint, locate_checkpoint, one_line
from ranklens.models.placement import parse_dtype, resolve_device
from ranklens.models.reranker import Reranker
from ranklens.models.tokenizer_check import check_tokenizer_fits_model
from ranklens.models.window import check_max_length


def load_reranker(
    model: str | os.PathLike[str],
    *,
    name: str | None = None,
    device: str | torch.device | None = None,
    dtype: str | torch.dtype | None = None,
    max_length: int | None = None,
    revision: str | None = None,
    allow_pickle: bool = False,
    cache: ScoreCache | None = None,
) -> Reranker:
    """Load a cross-encoder from a Hugging Face id or a local directory.

    Accepts plain transformers checkpoints and sentence-transformers CrossEncoder directories.
    The score is the raw logit for a single-logit head, and the relevant-class logit margin
    ``logit[relevant] - logit[other]`` for a two-logit head (the relevant class is the label
    named relevant/positive/true/…, else index 1); no sigmoid or softmax, so effects are on
    the scale the model computes. ``name`` is what the report calls the model (default: ``model``
    as given). ``trust_remote_code`` is never enabled; pickled weights are
    read only with ``allow_pickle=True``. ``device`` defaults to CUDA when available, ``dtype``
    to float32, ``max_length`` to the model's window.

    A checkpoint that cannot be scored faithfully raises :class:`~ranklens.errors.ModelLoadError`
    naming the file, the cause and the fix: a bad device or dtype, damaged or malformed files, a
    tokenizer that is not the model's, weights that do not match config.json or leave any
    parameter to random initialisation.
    """
    torch_device = resolve_device(device)
    torch_dtype = parse_dtype(dtype)
    checkpoint = locate_checkpoint(model, revision=revision, allow_pickle=allow_pickle)
    if name is not None:
        checkpoint = dataclasses.replace(checkpoint, model_id=name)
    check_max_length(checkpoint, max_length)  # before any weights are read
    adapter = adapter_for(checkpoint.config.model_type)
    tokenizer = _load_tokenizer(checkpoint)
    hf_model = _load_model(checkpoint, torch_dtype, torch_device)
    return Reranker(hf_model, tokenizer, checkpoint, adapter, max_length=max_length, cache=cache)


def _load_tokenizer(checkpoint: Checkpoint) -> PreTrainedTokenizerBase:
    """The checkpoint's tokenizer, refused unless it can be the one the model was trained with."""
    try:
        tokenizer: PreTrainedTokenizerBase = AutoTokenizer.from_pretrained(checkpoint.path)
    except Exception as error:  # transformers/tokenizers raise many kinds here; all mean the same to the user
        raise ModelLoadError(
            f"{checkpoint.model_id!r}: no usable tokenizer in {str(checkpoint.path)!r} "
            f"({type(error).__name__}: {one_line(error)}). Save the tokenizer with the model: "
            "`tokenizer.save_pretrained(dir)`."
        ) from error
    check_tokenizer_fits_model(tokenizer, checkpoint.config, checkpoint.model_id)
    return tokenizer


def _load_model(checkpoint: Checkpoint, dtype: torch.dtype, device: torch.device) -> PreTrainedModel:
    """The model on ``device``, refused when transformers fails or would initialise any weight at random."""
    try:
        with quiet_transformers(), _quiet_load_report():
            model, loading = AutoModelForSequenceClassification.from_pretrained(
                checkpoint.path,
                dtype=dtype,
                use_safetensors=not checkpoint.pickle_weights,
                ignore_mismatched_sizes=True,  # refused below with a ModelLoadError, not as log text
                output_loading_info=True,
            )
    except MemoryError:
        raise
    except Exception as error:  # anything transformers/safetensors raises here means an unreadable checkpoint
        raise ModelLoadError(
            f"{checkpoint.model_id!r}: transformers could not load the weights in {str(checkpoint.weights_file)!r} "
            f"({type(error).__name__}: {one_line(error)}); re-save or re-download the checkpoint."
        ) from error
    _refuse_mismatched_weights(model, loading.get("mismatched_keys") or (), checkpoint)
    _refuse_missing_weights(model, loading.get("missing_keys") or (), checkpoint)
    loaded: PreTrainedModel = model.to(device).eval()
    return loaded


_Mismatch = tuple[str, tuple[int, ...], tuple[int, ...]]
"""transformers' ``mismatched_keys`` entry: (name, shape in the checkpoint, shape the config implies)."""


def _refuse_mismatched_weights(model: PreTrainedModel, mismatched: Iterable[Any], checkpoint: Checkpoint) -> None:
    """Saved tensors whose shape is not the one config.json implies (transformers would re-initialise them)."""
    entries: list[_Mismatch] = [(str(k), tuple(saved), tuple(wanted)) for k, saved, wanted in mismatched]
    if not entries:
        return
    entries.sort(key=_head_first(model))
    shown = ", ".join(f"{k} (checkpoint {list(saved)}, config {list(wanted)})" for k, saved, wanted in entries[:5])
    raise ModelLoadError(
        f"{checkpoint.model_id!r}: the weights in {str(checkpoint.weights_file)!r} do not match config.json: "
        f"{len(entries)} tensor(s) have other shapes than the config implies: {shown}{_more(entries, 5)}. "
        "transformers would re-initialise them at random, which makes every score meaningless. Correct config.json "
        "(num_labels, hidden_size, vocab_size, ...) to describe the saved weights, or re-save the model and its "
        "config together with save_pretrained()."
    )


def _refuse_missing_weights(model: PreTrainedModel, missing: Iterable[str], checkpoint: Checkpoint) -> None:
    """Parameters the checkpoint does not hold: transformers would initialise them at random."""
    keys = [entry[0] for entry in sorted(((str(k), (), ()) for k in missing), key=_head_first(model))]
    if not keys:
        return
    raise ModelLoadError(
        f"{checkpoint.model_id!r}: the weights in {str(checkpoint.weights_file)!r} lack {len(keys)} tensor(s) the "
        f"model needs: {', '.join(keys[:8])}{_more(keys, 8)}. transformers would initialise them at random, and a "
        "reranker with a random head (or layer) scores noise. Pass a checkpoint with a trained head, saved with "
        "save_pretrained() after fine-tuning, or check that config.json's 'architectures' matches the weights."
    )


def _head_first(model: PreTrainedModel) -> Callable[[_Mismatch], tuple[bool, int, str]]:
    """Sort key: tensors outside the base model (the head) first, then the largest, then by name."""
    prefix = f"{getattr(model, 'base_model_prefix', '')}."

    def key(entry: _Mismatch) -> tuple[bool, int, str]:
        name, saved, _ = entry
        return (name.startswith(prefix), -math.prod(saved), name)

    return key


def _more(items: Sequence[object], shown: int) -> str:
    return f" and {len(items) - shown} more" if len(items) > shown else ""


@contextmanager
def _quiet_load_report() -> Iterator[None]:
    """Library code never prints: hide transformers' LOAD REPORT table (ranklens raises its own error)."""
    previous = hf_logging.get_verbosity()
    hf_logging.set_verbosity(logging.ERROR)
    try:
        yield
    finally:
        hf_logging.set_verbosity(previous)


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """Library code never prints: hide transformers' weight-loading progress bar."""
    enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        if enabled:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]
