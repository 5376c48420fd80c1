"""Gradients with respect to activations only, for attribution (patching estimates, integrated gradients)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from torch import nn

TOKENS_PER_BACKWARD = 4096
"""Tokens per forward-and-backward batch: what the backward pass keeps (attention probabilities
included) grows with the batch, so it is bounded by tokens rather than rows."""


@contextmanager
def parameters_frozen(model: nn.Module) -> Iterator[None]:
    """The model's parameters out of the autograd graph for the block, restored in ``finally``:
    attribution wants the score's gradient with respect to activations, and a graph that also
    reaches every weight keeps the inputs of every linear layer for a backward pass that never
    comes."""
    wanted = [p for p in model.parameters() if p.requires_grad]
    for parameter in wanted:
        parameter.requires_grad_(False)
    try:
        yield
    finally:
        for parameter in wanted:
            parameter.requires_grad_(True)
