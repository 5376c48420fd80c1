"""The torch side of ``minilm-ce``: a deterministic session, the optimizer, the training loop, scoring.

Torch and transformers are imported inside the functions, so hashing the recipe or reading the
corpus never pays for them. Any change here that alters RNG use or the order of operations
changes the weights built under an unchanged recipe hash.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ranklens.zoo.minilm_ce.dataset import TrainingGroup
from ranklens.zoo.minilm_ce.recipe import TrainingRecipe


@contextlib.contextmanager
def torch_session(num_threads: int) -> Iterator[None]:
    """Fixed thread count, deterministic kernels, quiet transformers; all restored afterwards."""
    import torch
    from transformers.utils import logging as hf_logging

    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    torch.set_num_threads(num_threads)
    torch.use_deterministic_algorithms(True)
    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        with torch.random.fork_rng(devices=[]):
            yield
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]


def load_base(base: Path) -> tuple[Any, Any]:
    """The base encoder with a new one-logit classification head, and its tokenizer."""
    from transformers import AutoTokenizer, BertForSequenceClassification

    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    model = BertForSequenceClassification.from_pretrained(str(base), num_labels=1, local_files_only=True)
    return model, tokenizer


def initial_model(base: Path, seed: int) -> tuple[Any, Any]:
    """:func:`load_base` with the head drawn from ``seed``: ``minilm-ce`` before its first step, and ``minilm-base``.

    Both fixtures start here, so the null differs from the trained model by training alone.
    """
    import torch

    torch.manual_seed(seed)
    return load_base(base)


def _optimizer(model: Any, recipe: TrainingRecipe, total_steps: int) -> tuple[Any, Any]:
    """AdamW, a faster rate for the new classifier head, linear warmup then linear decay."""
    import torch

    if recipe.freeze_word_embeddings:
        model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    head = [p for n, p in model.named_parameters() if n.startswith("classifier.") and p.requires_grad]
    body = [p for n, p in model.named_parameters() if not n.startswith("classifier.") and p.requires_grad]
    optimizer = torch.optim.AdamW(
        [{"params": body, "lr": recipe.learning_rate}, {"params": head, "lr": recipe.head_learning_rate}],
        weight_decay=recipe.weight_decay,
    )
    warmup = max(1, round(recipe.warmup_fraction * total_steps))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _encode(tokenizer: Any, queries: Sequence[str], passages: Sequence[str], max_length: int) -> Any:
    return tokenizer(
        list(queries),
        list(passages),
        truncation="only_second",
        max_length=max_length,
        padding=True,
        return_tensors="pt",
    )


def _length_order(pairs: Sequence[tuple[str, str]]) -> list[int]:
    return sorted(range(len(pairs)), key=lambda i: (len(pairs[i][0]) + len(pairs[i][1]), i))


def _pair_logits(model: Any, tokenizer: Any, pairs: Sequence[tuple[str, str]], chunk: int, max_length: int) -> Any:
    """Logits in input order, computed over length-sorted chunks so each chunk pads only to its own longest pair.

    Padding a whole step to its longest pair costs ~1.5x the compute on this corpus; on
    two CPU cores that is most of the build budget.
    """
    import torch

    order = _length_order(pairs)
    parts = []
    for start in range(0, len(order), chunk):
        idx = order[start : start + chunk]
        enc = _encode(tokenizer, [pairs[i][0] for i in idx], [pairs[i][1] for i in idx], max_length)
        parts.append(model(**enc).logits.view(-1))
    inverse = torch.empty(len(order), dtype=torch.long)
    inverse[torch.tensor(order)] = torch.arange(len(order))
    return torch.cat(parts)[inverse]


def train(
    model: Any, tokenizer: Any, groups: Sequence[TrainingGroup], recipe: TrainingRecipe, tick: Callable[[], None]
) -> list[float]:
    """Listwise softmax cross-entropy, relevant passage at index 0 of every group; returns step losses."""
    import torch
    from torch.nn import functional

    steps = math.ceil(len(groups) / recipe.queries_per_step)
    optimizer, scheduler = _optimizer(model, recipe, steps)
    model.train()
    losses = []
    for step in range(steps):
        batch = groups[step * recipe.queries_per_step : (step + 1) * recipe.queries_per_step]
        pairs = [(g.query, p) for g in batch for p in g.passages]
        logits = _pair_logits(model, tokenizer, pairs, recipe.forward_chunk, recipe.max_length).view(len(batch), -1)
        loss = functional.cross_entropy(logits, torch.zeros(len(batch), dtype=torch.long))
        loss.backward()  # type: ignore[no-untyped-call]
        torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.max_grad_norm)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        tick()
    model.eval()
    return losses


def score_pairs(
    model: Any,
    tokenizer: Any,
    pairs: Sequence[tuple[str, str]],
    *,
    batch_size: int,
    max_length: int,
    tick: Callable[[], None] = lambda: None,
) -> list[float]:
    """Raw logits for (query, passage) pairs; batches formed in length order to cut padding."""
    import torch

    order = _length_order(pairs)
    scores = [0.0] * len(pairs)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            enc = _encode(tokenizer, [pairs[i][0] for i in idx], [pairs[i][1] for i in idx], max_length)
            for i, s in zip(idx, model(**enc).logits.view(-1).tolist(), strict=True):
                scores[i] = s
            tick()
    return scores
