"""The Reranker: one loaded cross-encoder that scores pairs fast and exposes its internals."""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import Tensor
from transformers import PreTrainedModel
from transformers.tokenization_utils_base import PreTrainedTokenizerBase

from ranklens.errors import PairTooLongError, RanklensError
from ranklens.models.adapters import ArchitectureAdapter
from ranklens.models.cache import CacheKey, ScoreCache
from ranklens.models.checkpoint import Checkpoint
from ranklens.models.fingerprint import weights_fingerprint
from ranklens.models.hooks import FwdHooks, HookedModel, hook_name
from ranklens.models.memory import release_freed_memory
from ranklens.models.pairs import Pair, validate_pairs
from ranklens.models.window import checked_max_length

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


TOKENIZE_CHUNK = 512
Encoding = dict[str, np.ndarray]
"""One pair's token columns (input_ids, attention_mask, token_type_ids where used), unpadded."""


@dataclass(frozen=True)
class Batch:
    """Tokenised pairs, padded to the longest, on the model's device."""

    pairs: tuple[Pair, ...]
    inputs: Mapping[str, Tensor]  # each [batch, pos]
    lengths: tuple[int, ...]

    @property
    def input_ids(self) -> Tensor:
        return self.inputs["input_ids"]


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
        chunks = [by_length[start : start + size] for start in range(0, len(by_length), size)]
        for chunk in reversed(chunks):  # longest first: later, shorter batches reuse its freed memory
            batch = self._collate([unique[i] for i in chunk], [encodings[i] for i in chunk])
            for i, value in zip(chunk, self.forward(batch).tolist(), strict=True):
                scores[todo[unique[i]]] = value
                if use_cache:
                    self.cache.put(self._key(unique[i]), value)
        release_freed_memory(collect_cycles=False)
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
        """``[batch, num_labels]`` logits to ``[batch]`` scores (see :func:`~ranklens.models.loading.load_reranker`)."""
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

    def _tokenize(self, pairs: Sequence[Pair]) -> tuple[list[Encoding], list[int]]:
        """Each pair's token columns as compact int32 arrays, tokenised :data:`TOKENIZE_CHUNK` pairs
        at a time: the tokenizer's Python lists take about ten times the memory, and a suite
        tokenises all its pairs at once."""
        keys = ["input_ids", "attention_mask", *(["token_type_ids"] if self._uses_token_types else [])]
        encodings: list[Encoding] = []
        for start in range(0, len(pairs), TOKENIZE_CHUNK):
            chunk = pairs[start : start + TOKENIZE_CHUNK]
            encoded = self.tokenizer(
                [q for q, _ in chunk],
                [d for _, d in chunk],
                truncation=False,
                padding=False,
                return_token_type_ids=self._uses_token_types,
                return_attention_mask=True,
                verbose=False,
            )
            encodings += [{k: np.asarray(encoded[k][i], dtype=np.int32) for k in keys} for i in range(len(chunk))]
        return encodings, [len(e["input_ids"]) for e in encodings]

    def _collate(self, pairs: Sequence[Pair], encodings: Sequence[Encoding]) -> Batch:
        lengths = [len(e["input_ids"]) for e in encodings]
        width = max(lengths)
        pad_values = {"input_ids": self.tokenizer.pad_token_id or 0, "attention_mask": 0, "token_type_ids": 0}
        left = self.tokenizer.padding_side == "left"
        inputs: dict[str, Tensor] = {}
        for key in encodings[0]:
            rows = np.full((len(encodings), width), pad_values[key], dtype=np.int64)
            for row, encoding in zip(rows, encodings, strict=True):
                values = encoding[key]
                if left:
                    row[width - len(values) :] = values
                else:
                    row[: len(values)] = values
            inputs[key] = torch.from_numpy(rows).to(self.model.device)
        return Batch(tuple(pairs), inputs, tuple(lengths))


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
def _eager_attention(model: PreTrainedModel, *, needed: bool) -> Iterator[None]:
    """Switch to eager attention (the only kind that returns weights) for one block."""
    previous = model.config._attn_implementation
    if not needed or previous == "eager":
        yield
        return
    model.set_attn_implementation("eager")
    if model.config._attn_implementation != "eager":
        raise RanklensError(
            f"transformers could not switch {type(model).__name__} to eager attention, the only kind that returns "
            f"attention weights: it reads the module {type(model).__module__!r} from sys.modules to decide, and "
            "something removed it there (pytester does, for modules first imported inside its tests). Import that "
            "module before the model is loaded."
        )
    try:
        yield
    finally:
        model.set_attn_implementation(previous)


__all__ = ["Batch", "ModelInfo", "Pair", "Reranker", "hook_name", "validate_pairs"]
