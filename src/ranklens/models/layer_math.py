"""Post-LN encoder layers spelled out, so a patched run can recompute only what a patch changed.

Hooks plus :meth:`HookedModel.resume_from` recompute every position of every layer after a patch.
For the post-LayerNorm encoder layer of BERT, RoBERTa, XLM-R, ELECTRA and DistilBERT the same
layer can be evaluated piece by piece::

    q, k, v = W_Q x, W_K x, W_V x                      per position
    z       = softmax(q k^T / sqrt(d_head) + mask) v   per query position, over all keys
    h       = LN_1(W_O z + x)                          per position
    out     = LN_2(W_2 act(W_1 h) + h)                 per position

so keys and values are recomputed only where the input changed, and the rest only at the
positions whose output is needed. The weights are the model's own modules; this file only fixes
the order of operations, and ``tests/unit/test_layer_math.py`` checks it against each family's
forward pass. Families with other layers (DeBERTa's relative attention, ModernBERT's pre-LN
rotary layers) have no entry and keep the hook path.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F  # noqa: N812 - the conventional alias
from torch import Tensor, nn


@dataclass(frozen=True)
class PostLNPaths:
    """Attribute paths, relative to one layer module, of the parts of a post-LN encoder layer."""

    query: str
    key: str
    value: str
    attention_output: str
    attention_norm: str
    ffn_input: str
    activation: str
    ffn_output: str
    ffn_norm: str


BERT_LAYER = PostLNPaths(
    query="attention.self.query",
    key="attention.self.key",
    value="attention.self.value",
    attention_output="attention.output.dense",
    attention_norm="attention.output.LayerNorm",
    ffn_input="intermediate.dense",
    activation="intermediate.intermediate_act_fn",
    ffn_output="output.dense",
    ffn_norm="output.LayerNorm",
)
DISTILBERT_LAYER = PostLNPaths(
    query="attention.q_lin",
    key="attention.k_lin",
    value="attention.v_lin",
    attention_output="attention.out_lin",
    attention_norm="sa_layer_norm",
    ffn_input="ffn.lin1",
    activation="ffn.activation",
    ffn_output="ffn.lin2",
    ffn_norm="output_layer_norm",
)


class PostLNLayer:
    """One post-LN encoder layer as separate steps on ``[..., d_model]`` activations."""

    def __init__(self, layer: nn.Module, paths: PostLNPaths, n_heads: int) -> None:
        self.query: nn.Module = _part(layer, paths.query)
        self.key: nn.Module = _part(layer, paths.key)
        self.value: nn.Module = _part(layer, paths.value)
        self.attention_output: nn.Module = _part(layer, paths.attention_output)
        self.attention_norm: nn.Module = _part(layer, paths.attention_norm)
        self.ffn_input: nn.Module = _part(layer, paths.ffn_input)
        self.activation: Callable[[Tensor], Tensor] = _part(layer, paths.activation)
        self.ffn_output: nn.Module = _part(layer, paths.ffn_output)
        self.ffn_norm: nn.Module = _part(layer, paths.ffn_norm)
        self.n_heads = n_heads
        self.d_head = linear(self.query).out_features // n_heads
        self.scale = self.d_head**-0.5

    def heads(self, projection: nn.Module, x: Tensor) -> Tensor:
        """``projection`` (query, key or value) of ``x [..., d_model]`` split into ``[..., head, d_head]``."""
        projected: Tensor = projection(x)
        return projected.reshape(*projected.shape[:-1], self.n_heads, self.d_head)

    def attend(self, q: Tensor, k: Tensor, v: Tensor, key_mask: Tensor) -> Tensor:
        """Head outputs ``z [row, m, head, d_head]`` of queries ``q [row, m, head, d_head]`` over
        keys and values ``[row, n, head, d_head]``; ``key_mask [row, n]`` is True for real tokens."""
        mask = key_mask[:, None, None, :]
        z = F.scaled_dot_product_attention(
            q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), attn_mask=mask, scale=self.scale
        )
        return z.transpose(1, 2)

    def attend_inputs(self, q: Tensor, x: Tensor, key_mask: Tensor) -> Tensor:
        """``attend(q, keys of x, values of x, key_mask)`` without projecting every key and value,
        by associativity: ``q . (W_K x + b_K) = (W_K^T q) . x + q . b_K``, where the last term is
        the same for every key and cancels in the softmax, and ``sum a (W_V x + b_V) = W_V (sum a
        x) + b_V``. Cheaper when queries are few and keys many (the last layer reads one position)."""
        key, value = linear(self.key), linear(self.value)
        w_k = key.weight.reshape(self.n_heads, self.d_head, key.in_features)  # [head, d_head, d_model]
        w_v = value.weight.reshape(self.n_heads, self.d_head, value.in_features)
        read = torch.einsum("rmhe,hed->rmhd", q, w_k)  # [row, m, head, d_model]
        scores = torch.einsum("rmhd,rnd->rhmn", read, x) * self.scale
        weights = scores.masked_fill(~key_mask[:, None, None, :], float("-inf")).softmax(-1)
        mixed = torch.einsum("rhmn,rnd->rmhd", weights, x)  # the attention-weighted inputs
        z = torch.einsum("rmhd,hed->rmhe", mixed, w_v)
        return z if value.bias is None else z + value.bias.reshape(self.n_heads, self.d_head)

    def finish(self, z: Tensor, x: Tensor) -> Tensor:
        """The layer's output from head outputs ``z [..., head, d_head]`` and its input ``x [..., d_model]``."""
        h = self.attention_norm(self.attention_output(z.flatten(-2)) + x)
        out: Tensor = self.ffn_norm(self.ffn_output(self.activation(self.ffn_input(h))) + h)
        return out


def linear(module: nn.Module) -> nn.Linear:
    """``module`` as the ``nn.Linear`` that ranklens reads weights from, or a TypeError naming it."""
    if not isinstance(module, nn.Linear):
        raise TypeError(f"expected nn.Linear, found {type(module).__name__}")
    return module


def _part(layer: nn.Module, path: str) -> nn.Module:
    part = functools.reduce(getattr, path.split("."), layer)
    if not callable(part):
        raise TypeError(f"{type(layer).__name__}.{path} is not callable")
    return part
