"""Small "setters" on top of the hook engine: each returns ``fwd_hooks`` for ``Reranker.hooks``.

    with reranker.hooks(zero_heads([(3, 1), (5, 7)], positions=query_mask)):
        ablated = reranker.score(pairs)

``positions`` selects where an intervention applies: ``None`` for every position, a sequence of
position indices (the same for every row), or a boolean mask ``[batch, pos]``. A source cache
(from :meth:`Reranker.run_with_cache`) must come from a batch of the same shape: patching needs
aligned tokens, which is why the controlled perturbations keep token lengths equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeAlias

import torch
from torch import Tensor

from ranklens.models.hooks import HookFn, HookPoint, hook_name

Positions: TypeAlias = Sequence[int] | Tensor | None
Head = tuple[int, int]
FwdHook = tuple[str, HookFn]
_HeadWriter = Callable[[Tensor, HookPoint, list[int]], Tensor]


def zero_heads(heads: Iterable[Head], *, positions: Positions = None) -> list[FwdHook]:
    """Zero-ablate heads' outputs (``hook_z``) at ``positions``."""
    return _per_layer_heads(heads, lambda z, _point, idx: _write(z, idx, positions, torch.zeros_like(z)))


def mean_ablate_heads(
    heads: Iterable[Head], means: Mapping[str, Tensor], *, positions: Positions = None
) -> list[FwdHook]:
    """Replace heads' outputs by a mean activation: ``means[hook_z name]`` is ``[head, d_head]``
    (or ``[pos, head, d_head]``), e.g. averaged over a reference batch's real tokens."""

    def fn(z: Tensor, point: HookPoint, idx: list[int]) -> Tensor:
        mean = means[point.name].to(z.device, z.dtype)
        return _write(z, idx, positions, mean.expand_as(z) if mean.dim() == 2 else mean.unsqueeze(0).expand_as(z))

    return _per_layer_heads(heads, fn)


def patch_heads(heads: Iterable[Head], source: Mapping[str, Tensor], *, positions: Positions = None) -> list[FwdHook]:
    """Replace heads' outputs with those of another run (``source``: a ``run_with_cache`` result)."""

    def fn(z: Tensor, point: HookPoint, idx: list[int]) -> Tensor:
        donor = source[point.name].to(z.device, z.dtype)  # [batch, pos, head, d_head]
        if donor.shape != z.shape:
            raise ValueError(
                f"cannot patch {point.name}: source activation has shape {tuple(donor.shape)}, the run has "
                f"{tuple(z.shape)}. Patch between batches of equal size and token length."
            )
        return _write(z, idx, positions, donor)

    return _per_layer_heads(heads, fn)


def set_neurons(
    layer: int, neurons: Sequence[int], values: Tensor | float, *, positions: Positions = None
) -> list[FwdHook]:
    """Set FFN neurons (``mlp.hook_post``) of one layer to ``values`` (broadcast over batch and pos)."""
    index = list(neurons)

    def fn(post: Tensor, _: HookPoint) -> Tensor:  # post: [batch, pos, d_ff]
        new = post.clone()
        target = torch.as_tensor(values, dtype=post.dtype, device=post.device)
        mask = _position_mask(post, positions)  # [batch, pos]
        new[..., index] = torch.where(mask.unsqueeze(-1), target.expand_as(new[..., index]), post[..., index])
        return new

    return [(hook_name(layer, "mlp.hook_post"), fn)]


def ablate_neurons(layer: int, neurons: Sequence[int], *, positions: Positions = None) -> list[FwdHook]:
    """Zero-ablate FFN neurons of one layer."""
    return set_neurons(layer, neurons, 0.0, positions=positions)


def _per_layer_heads(heads: Iterable[Head], write: _HeadWriter) -> list[FwdHook]:
    by_layer: dict[int, list[int]] = {}
    for layer, head in heads:
        by_layer.setdefault(layer, []).append(head)
    hooks: list[FwdHook] = []
    for layer, idx in sorted(by_layer.items()):
        hooks.append((hook_name(layer, "attn.hook_z"), _bind_heads(write, sorted(set(idx)))))
    return hooks


def _bind_heads(write: _HeadWriter, heads: list[int]) -> HookFn:
    def fn(z: Tensor, point: HookPoint) -> Tensor:
        return write(z, point, heads)

    return fn


def _write(z: Tensor, heads: list[int], positions: Positions, values: Tensor) -> Tensor:
    """``z`` with ``values`` written at (selected positions, ``heads``); z is [batch, pos, head, d_head]."""
    mask = _position_mask(z, positions)[:, :, None, None]  # [batch, pos, 1, 1]
    head_mask = torch.zeros(z.shape[2], dtype=torch.bool, device=z.device)
    head_mask[heads] = True
    return torch.where(mask & head_mask[None, None, :, None], values, z)


def _position_mask(activation: Tensor, positions: Positions) -> Tensor:
    batch, pos = activation.shape[:2]
    if positions is None:
        return torch.ones(batch, pos, dtype=torch.bool, device=activation.device)
    if isinstance(positions, Tensor) and positions.dtype == torch.bool:
        if positions.shape != (batch, pos):
            raise ValueError(f"position mask has shape {tuple(positions.shape)}, expected {(batch, pos)}")
        return positions.to(activation.device)
    mask = torch.zeros(batch, pos, dtype=torch.bool, device=activation.device)
    mask[:, list(map(int, positions))] = True
    return mask
