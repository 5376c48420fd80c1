"""The Reranker: one loaded cross-encoder that scores pairs fast and exposes its internals."""

from __future__ import annotations

import inspect
import logging
import math
import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor
from transformers import AutoModelForSequenceClassification, AutoTokenizer, PreTrainedModel
from transformers.tokenization_utils_base import PreTrainedTokenizerBase
from transformers.utils import logging as hf_logging

from ranklens.errors import InvalidPairError, ModelLoadError, PairTooLongError
from ranklens.models.adapters import ArchitectureAdapter, adapter_for
from ranklens.models.cache import CacheKey, ScoreCache
from ranklens.models.checkpoint import (
    Checkpoint,
    check_max_length,
    checked_max_length,
    locate_checkpoint,
    one_line,
)
from ranklens.models.fingerprint import weights_fingerprint
from ranklens.models.hooks import FwdHooks, HookedModel, hook_name
from ranklens.models.placement import parse_dtype, resolve_device
from ranklens.models.tokenizer_check import check_tokenizer_fits_model

Pair = tuple[str, str]
DEFAULT_BATCH_SIZE = 32
_RELEVANT_LABELS = {"relevant", "positive", "pos", "true", "yes", "1", "label_1", "entailment"}


@dataclass(frozen=True)
class ModelInfo:
    """What the report says about the model (DESIGN.md, report contract: ``model``)."""

    id: str
    path: str
    revision: str | None
    architecture: str
    model_type: str
    adapter: str
    n_layers: int
    n_heads: int
    d_model: int
    d_head: int
    d_ff: int
    num_labels: int
    score_definition: str
    max_length: int
    fingerprint: str
    dtype: str
    device: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Batch:
    """Tokenised pairs, padded to the longest, on the model's device."""

    pairs: tuple[Pair, ...]
    inputs: Mapping[str, Tensor]  # each [batch, pos]
    lengths: tuple[int, ...]

    @property
    def input_ids(self) -> Tensor:
        return self.inputs["input_ids"]


def load_reranker(
    model: str | os.PathLike[str],
    *,
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
    the scale the model computes. ``trust_remote_code`` is never enabled; pickled weights are
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


class Reranker:
    """A cross-encoder with fast cached scoring and access to its internals.

    Scoring sorts pairs by length, pads each batch only to its own longest pair and runs under
    ``torch.inference_mode``; a pair that does not fit the window is reported, never truncated.
    """

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        checkpoint: Checkpoint,
        adapter: ArchitectureAdapter,
        *,
        max_length: int | None = None,
        cache: ScoreCache | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.checkpoint = checkpoint
        self.adapter = adapter
        self.hooked = HookedModel(model, adapter)
        self.cache = cache if cache is not None else ScoreCache()
        self.batch_size = batch_size
        self.max_length = _window(model, tokenizer, max_length, checkpoint.model_id)
        self._uses_token_types = (
            "token_type_ids" in inspect.signature(model.forward).parameters
            and int(getattr(model.config, "type_vocab_size", 0) or 0) >= 2
        )
        labels = {int(k): str(v) for k, v in (model.config.id2label or {0: "LABEL_0"}).items()}
        self._relevant_index, score_definition = _score_definition(labels)
        fingerprint = weights_fingerprint(checkpoint.path)
        self.info = ModelInfo(
            id=checkpoint.model_id,
            path=str(checkpoint.path),
            revision=checkpoint.revision,
            architecture=type(model).__name__,
            model_type=model.config.model_type,
            adapter=adapter.name,
            n_layers=self.hooked.n_layers,
            n_heads=self.hooked.n_heads,
            d_model=self.hooked.d_model,
            d_head=self.hooked.d_head,
            d_ff=self.hooked.d_ff,
            num_labels=len(labels),
            score_definition=score_definition,
            max_length=self.max_length,
            fingerprint=fingerprint,
            dtype=str(model.dtype).removeprefix("torch."),
            device=str(model.device),
        )
        self._namespace = f"{fingerprint}:{self.info.dtype}"
        self._warm_up()

    # -- scoring -------------------------------------------------------------------------

    def score(self, pairs: Sequence[Pair], *, batch_size: int | None = None, use_cache: bool = True) -> np.ndarray:
        """Scores for ``pairs`` (float64 array, input order), served from the cache where possible.

        The cache is bypassed while hooks or embedding edits are active, and with ``use_cache=False``
        (used by the invariants, which must see fresh forward passes).

        Pairs that fit are scored (and cached) even when some do not; then
        :class:`~ranklens.errors.PairTooLongError` names the ones that do not fit and carries
        the partial scores (NaN where a pair does not fit) in ``error.scores``.
        """
        pairs = validate_pairs(pairs)
        scores = np.full(len(pairs), np.nan)
        use_cache = use_cache and self.hooked.active == 0
        todo: dict[Pair, list[int]] = {}
        for i, pair in enumerate(pairs):
            cached = self.cache.get(self._key(pair)) if use_cache else None
            if cached is None:
                todo.setdefault(pair, []).append(i)
            else:
                scores[i] = cached
        unique = list(todo)
        encodings, lengths = self._tokenize(unique)
        fitting = [i for i, n in enumerate(lengths) if n <= self.max_length]
        size = batch_size or self.batch_size
        by_length = sorted(fitting, key=lambda i: lengths[i])
        for start in range(0, len(by_length), size):
            chunk = by_length[start : start + size]
            batch = self._collate([unique[i] for i in chunk], [encodings[i] for i in chunk])
            for i, value in zip(chunk, self.forward(batch).tolist(), strict=True):
                scores[todo[unique[i]]] = value
                if use_cache:
                    self.cache.put(self._key(unique[i]), value)
        too_long = sorted((todo[unique[i]][0], lengths[i]) for i in set(range(len(unique))) - set(fitting))
        if too_long:
            error = PairTooLongError([i for i, _ in too_long], [n for _, n in too_long], self.max_length)
            error.scores = scores  # type: ignore[attr-defined]
            raise error
        return scores

    def token_lengths(self, pairs: Sequence[Pair]) -> np.ndarray:
        """Length in tokens of each pair as the model would see it, special tokens included."""
        return np.asarray(self._tokenize(validate_pairs(pairs))[1], dtype=np.int64)

    def fits(self, pairs: Sequence[Pair]) -> np.ndarray:
        """Which pairs fit the model's window (a boolean array)."""
        return self.token_lengths(pairs) <= self.max_length

    def encode(self, pairs: Sequence[Pair]) -> Batch:
        """One padded batch of ``pairs`` in input order, for internals and interventions."""
        pairs = validate_pairs(pairs)
        encodings, lengths = self._tokenize(pairs)
        too_long = [(i, n) for i, n in enumerate(lengths) if n > self.max_length]
        if too_long:
            raise PairTooLongError([i for i, _ in too_long], [n for _, n in too_long], self.max_length)
        return self._collate(pairs, encodings)

    def forward(self, batch: Batch) -> np.ndarray:
        """Scores of one batch, no cache, with whatever hooks are installed."""
        with torch.inference_mode():
            return self.logits_to_scores(self.model(**batch.inputs).logits).double().cpu().numpy()

    def logits_to_scores(self, logits: Tensor) -> Tensor:
        """``[batch, num_labels]`` logits to ``[batch]`` scores (see :func:`load_reranker`)."""
        if logits.shape[-1] == 1:
            return logits[:, 0].float()
        other = 1 - self._relevant_index
        return (logits[:, self._relevant_index] - logits[:, other]).float()

    # -- internals -------------------------------------------------------------------------

    def hook_names(self) -> list[str]:
        return self.hooked.hook_names()

    @contextmanager
    def hooks(self, fwd_hooks: FwdHooks) -> Iterator[None]:
        """Install hooks for a block (see :mod:`ranklens.models.hooks`); always removed."""
        with self.hooked.hooks(fwd_hooks):
            yield

    @contextmanager
    def edit_embeddings(self, rows: Mapping[int, Tensor]) -> Iterator[None]:
        """Replace token-embedding rows for a block; restored afterwards."""
        with self.hooked.edit_embeddings(rows):
            yield

    @contextmanager
    def resume_from(self, layer: int, hidden: Tensor) -> Iterator[None]:
        """Run only layers ``layer..`` from ``hidden`` (see :meth:`HookedModel.resume_from`)."""
        with self.hooked.resume_from(layer, hidden):
            yield

    @property
    def W_E(self) -> Tensor:  # noqa: N802 - TransformerLens' name for the embedding matrix
        return self.hooked.W_E

    def run_with_hooks(self, batch: Batch, fwd_hooks: FwdHooks) -> np.ndarray:
        """Scores of ``batch`` with ``fwd_hooks`` installed for this one forward pass."""
        with self.hooks(fwd_hooks):
            return self.forward(batch)

    def run_with_cache(
        self, batch: Batch, names: Sequence[str] | None = None, fwd_hooks: FwdHooks = ()
    ) -> tuple[np.ndarray, dict[str, Tensor]]:
        """Scores and the activations at ``names`` (all hook points if ``None``) for one batch.

        Returns detached tensors keyed by hook name (shapes in :mod:`ranklens.models.hooks`).
        Attention patterns need eager attention; the model is switched for this call only.
        """
        wanted = list(self.hook_names() if names is None else names)
        points = [self.hooked.point(name) for name in wanted]
        cache: dict[str, Tensor] = {}

        def save(activation: Tensor, point: object) -> None:
            cache[point.name] = activation.detach().clone()  # type: ignore[attr-defined]

        recorders = [(p.name, save) for p in points if p.site != "attn.hook_pattern"]
        patterns = [p for p in points if p.site == "attn.hook_pattern"]
        with self.hooks([*fwd_hooks, *recorders]), _eager_attention(self.model, needed=bool(patterns)):
            with torch.inference_mode():
                output = self.model(**batch.inputs, output_attentions=bool(patterns))
            for point in patterns:
                cache[point.name] = output.attentions[point.layer].detach()  # [batch, head, q, k]
        scores = self.logits_to_scores(output.logits).double().cpu().numpy()
        return scores, {name: cache[name] for name in wanted}

    # -- plumbing --------------------------------------------------------------------------

    def _warm_up(self) -> None:
        """One tiny forward pass that captures a pattern: it proves the checkpoint runs, and lets
        transformers install its own permanent output-capturing hooks now, so that the model's
        hook state is the same before and after every ranklens context."""
        self.run_with_cache(self.encode([("ranklens", "warm up")]), [hook_name(0, "attn.hook_pattern")])

    def _key(self, pair: Pair) -> CacheKey:
        return (self._namespace, pair[0], pair[1], self.max_length)

    def _tokenize(self, pairs: Sequence[Pair]) -> tuple[list[dict[str, list[int]]], list[int]]:
        if not pairs:
            return [], []
        encoded = self.tokenizer(
            [q for q, _ in pairs],
            [d for _, d in pairs],
            truncation=False,
            padding=False,
            return_token_type_ids=self._uses_token_types,
            return_attention_mask=True,
            verbose=False,
        )
        keys = ["input_ids", "attention_mask", *(["token_type_ids"] if self._uses_token_types else [])]
        encodings = [{k: encoded[k][i] for k in keys} for i in range(len(pairs))]
        return encodings, [len(e["input_ids"]) for e in encodings]

    def _collate(self, pairs: Sequence[Pair], encodings: Sequence[dict[str, list[int]]]) -> Batch:
        lengths = [len(e["input_ids"]) for e in encodings]
        width = max(lengths)
        pad_values = {"input_ids": self.tokenizer.pad_token_id or 0, "attention_mask": 0, "token_type_ids": 0}
        left = self.tokenizer.padding_side == "left"
        inputs: dict[str, Tensor] = {}
        for key in encodings[0]:
            padding = [[pad_values[key]] * (width - len(e[key])) for e in encodings]
            rows = [pad + e[key] if left else e[key] + pad for e, pad in zip(encodings, padding, strict=True)]
            inputs[key] = torch.tensor(rows, dtype=torch.long, device=self.model.device)
        return Batch(tuple(pairs), inputs, tuple(lengths))


def validate_pairs(pairs: Sequence[Pair]) -> list[Pair]:
    """Check pairs are (str, str) of valid, visible text; the error names the first bad pair."""
    checked: list[Pair] = []
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise InvalidPairError(
                f"pair #{i} is {pair!r}; each pair must be a (query, document) tuple of two strings."
            )
        query, document = pair
        for role, text in (("query", query), ("document", document)):
            _check_text(i, role, text)
        checked.append((query, document))
    return checked


_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf"})
"""Unicode categories that carry no visible text: controls (NUL, BEL, ESC, ...) and format characters
(zero-width space and joiners, word joiner, byte-order mark, soft hyphen). A text made only of these
and whitespace is blank: tokenizers drop them, and the model would score an empty text."""


def _check_text(index: int, role: str, text: object) -> None:
    if not isinstance(text, str):
        raise InvalidPairError(f"pair #{index}: the {role} is {type(text).__name__} {text!r}, not a string.")
    surrogate = next((at for at, ch in enumerate(text) if 0xD800 <= ord(ch) <= 0xDFFF), None)
    if surrogate is not None:
        raise InvalidPairError(
            f"pair #{index}: the {role} holds a lone surrogate U+{ord(text[surrogate]):04X} at character {surrogate} "
            f"({text[max(0, surrogate - 12) : surrogate + 12]!r}), which is not valid Unicode and cannot be "
            'tokenised (it usually comes from bytes decoded with errors="surrogateescape"). Decode the text with '
            'errors="replace" or remove the code point.'
        )
    if all(ch.isspace() or unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in text):
        raise InvalidPairError(
            f"pair #{index}: the {role} is empty or blank ({text!r}: only whitespace, control or zero-width "
            "characters); a cross-encoder score of empty text is meaningless. Drop the pair or give it a "
            f"non-empty {role}."
        )


def _window(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, requested: int | None, model_id: str) -> int:
    """The longest input the model can read: position embeddings (less RoBERTa's offset) and tokenizer."""
    tokenizer_limit = getattr(tokenizer, "model_max_length", None)
    limit = tokenizer_limit if isinstance(tokenizer_limit, int) else None
    return checked_max_length(model.config, limit, requested, model_id)


def _score_definition(labels: Mapping[int, str]) -> tuple[int, str]:
    if len(labels) == 1:
        return 0, "raw logit of the single-logit head"
    named = [i for i, label in labels.items() if label.lower() in _RELEVANT_LABELS]
    relevant = named[0] if len(named) == 1 else 1
    return relevant, (
        f"logit margin logit[{relevant}] - logit[{1 - relevant}] (relevant class {labels.get(relevant, relevant)!r})"
    )


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


@contextmanager
def _eager_attention(model: PreTrainedModel, *, needed: bool) -> Iterator[None]:
    """Switch to eager attention (the only kind that returns weights) for one block."""
    previous = model.config._attn_implementation
    if not needed or previous == "eager":
        yield
        return
    model.set_attn_implementation("eager")
    try:
        yield
    finally:
        model.set_attn_implementation(previous)


__all__ = ["Batch", "ModelInfo", "Pair", "Reranker", "hook_name", "load_reranker", "validate_pairs"]
