"""Named hook points and the one engine that reads and rewrites them.

Names follow TransformerLens, one scheme everywhere::

    blocks.{layer}.attn.hook_pattern   # [batch, head, query_pos, key_pos]   read only
    blocks.{layer}.attn.hook_z         # [batch, pos, head, d_head]         read / replace
    blocks.{layer}.mlp.hook_post       # [batch, pos, d_ff]                  read / replace
    blocks.{layer}.hook_resid_post     # [batch, pos, d_model]               read / replace

A hook function receives the activation and its :class:`HookPoint` and returns a replacement
tensor of the same shape, or ``None`` to leave it unchanged. Hooks live only inside
:meth:`HookedModel.hooks`, which removes them in ``finally`` whatever happens inside.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn
from torch.utils.hooks import RemovableHandle
from transformers import PreTrainedModel

from ranklens.errors import HookNameError
from ranklens.models.adapters import ArchitectureAdapter
from ranklens.models.layer_math import PostLNLayer

SITES: tuple[str, ...] = ("attn.hook_pattern", "attn.hook_z", "mlp.hook_post", "hook_resid_post")
_NAME = re.compile(r"^blocks\.(\d+)\.(.+)$")


@dataclass(frozen=True)
class HookPoint:
    """One named site in one layer."""

    layer: int
    site: str

    @property
    def name(self) -> str:
        return hook_name(self.layer, self.site)


HookFn = Callable[[Tensor, HookPoint], Tensor | None]
FwdHooks = Sequence[tuple[str, HookFn]]


def hook_name(layer: int, site: str) -> str:
    """``blocks.{layer}.{site}``; validation against a model happens in :meth:`HookedModel.point`."""
    return f"blocks.{layer}.{site}"


class HookedModel:
    """Installs hooks on a Hugging Face model through its architecture adapter."""

    def __init__(self, model: PreTrainedModel, adapter: ArchitectureAdapter) -> None:
        self.model = model
        self.adapter = adapter
        self.n_layers = len(adapter.layer_modules(model))
        self.n_heads = adapter.n_heads(model.config)
        self.d_model = adapter.attention_output_module(model, 0).in_features
        self.d_head = self.d_model // self.n_heads
        self.d_ff = adapter.ffn_output_module(model, 0).in_features
        self.active = 0
        """How many hook or edit contexts are open; scores computed then bypass the cache."""

    def hook_names(self) -> list[str]:
        return [hook_name(layer, site) for layer in range(self.n_layers) for site in SITES]

    def point(self, name: str) -> HookPoint:
        """Parse and validate a hook name; an unknown one lists the valid range."""
        match = _NAME.match(name)
        if match is None or match.group(2) not in SITES or int(match.group(1)) >= self.n_layers:
            raise HookNameError(
                f"Unknown hook point {name!r}. Valid names are blocks.{{layer}}.{{site}} with layer in "
                f"0..{self.n_layers - 1} and site one of {', '.join(SITES)}."
            )
        return HookPoint(int(match.group(1)), match.group(2))

    @contextmanager
    def hooks(self, fwd_hooks: FwdHooks) -> Iterator[None]:
        """Install ``fwd_hooks`` for the duration of the block; always removes them."""
        points = [(self.point(name), fn) for name, fn in fwd_hooks]
        for point, _ in points:
            if point.site == "attn.hook_pattern":
                raise HookNameError(
                    f"{point.name} is read only: attention patterns are reported, not replaced. "
                    "To intervene on a head, hook blocks.{layer}.attn.hook_z instead."
                )
        handles: list[RemovableHandle] = []
        self.active += 1
        try:
            for point, fn in points:
                handles.append(self._install(point, fn))
            yield
        finally:
            for handle in handles:
                handle.remove()
            self.active -= 1

    @contextmanager
    def edit_embeddings(self, rows: Mapping[int, Tensor]) -> Iterator[None]:
        """Replace token-embedding rows ``{token_id: vector [d_model]}``; restored in ``finally``."""
        weight = self.adapter.embedding_module(self.model).weight  # [vocab, d_model]
        ids = sorted(rows)
        saved = weight.data[ids].clone()
        self.active += 1
        try:
            with torch.no_grad():
                for token_id in ids:
                    weight.data[token_id] = rows[token_id].to(weight.device, weight.dtype)
            yield
        finally:
            with torch.no_grad():
                weight.data[ids] = saved
            self.active -= 1

    @contextmanager
    def resume_from(self, layer: int, hidden: Tensor) -> Iterator[None]:
        """Run only layers ``layer..`` for the block, with ``hidden`` ``[batch, pos, d_model]`` as
        that layer's input (a cached ``blocks.{layer-1}.hook_resid_post``).

        Patching a head of layer L leaves layers 0..L-1 unchanged, so a sweep need not recompute
        them. The embeddings still run (cheap, and they shape the attention mask); the layer list
        is swapped for its tail and restored in ``finally``. Hooks stay valid: they live on the
        layer modules, not on the list.
        """
        if not 0 < layer < self.n_layers:
            raise ValueError(f"resume_from needs a layer in 1..{self.n_layers - 1}, got {layer}")
        full = self.adapter.layer_modules(self.model)

        def feed(_: nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
            return _with_hidden(args, kwargs, hidden)

        handle = full[layer].register_forward_pre_hook(feed, with_kwargs=True)
        try:
            with self._layers_replaced(full[layer:]):
                yield
        finally:
            handle.remove()

    def post_ln_layers(self) -> list[PostLNLayer] | None:
        """The layers as :class:`PostLNLayer` steps, or ``None`` where the family's layers are not
        post-LN encoder layers (or the model is training, decoding, or cross-attending)."""
        config = self.model.config
        if (
            self.adapter.post_ln is None
            or self.model.training
            or getattr(config, "is_decoder", False)
            or getattr(config, "add_cross_attention", False)
        ):
            return None
        layers = self.adapter.layer_modules(self.model)
        return [PostLNLayer(layer, self.adapter.post_ln, self.n_heads) for layer in layers]

    def layer_input(self, inputs: Mapping[str, Tensor]) -> Tensor:
        """What layer 0 receives for ``inputs``: the embeddings, as the model computes them."""
        seen: list[Tensor] = []

        def record(hidden: Tensor) -> Tensor:
            seen.append(hidden)
            return hidden

        with self._layers_replaced([_Stand(record)]), torch.inference_mode():
            self.model(**inputs)
        return seen[0]

    def logits_from(self, inputs: Mapping[str, Tensor], hidden: Tensor) -> Tensor:
        """The model's logits with ``hidden`` ``[batch, pos, d_model]`` as the last layer's output:
        the model's own pooler and classifier, whatever the family puts after its layers."""
        with self._layers_replaced([_Stand(lambda _: hidden)]), torch.inference_mode():
            return self.model(**inputs).logits  # type: ignore[no-any-return]

    @contextmanager
    def _layers_replaced(self, layers: Sequence[nn.Module]) -> Iterator[None]:
        """Swap the model's layer list for ``layers`` during the block; restored in ``finally``."""
        parent_path, _, attribute = self.adapter.layers.rpartition(".")
        parent = self.model.base_model.get_submodule(parent_path) if parent_path else self.model.base_model
        full = getattr(parent, attribute)
        setattr(parent, attribute, nn.ModuleList(layers))
        self.active += 1
        try:
            yield
        finally:
            setattr(parent, attribute, full)
            self.active -= 1

    @property
    def W_E(self) -> Tensor:  # noqa: N802 - TransformerLens' name for the embedding matrix
        """The token-embedding matrix, detached: ``[vocab, d_model]``."""
        return self.adapter.embedding_module(self.model).weight.detach()

    def _install(self, point: HookPoint, fn: HookFn) -> RemovableHandle:
        layer = self.adapter.layer_modules(self.model)[point.layer]
        if point.site == "attn.hook_z":
            return _split_heads_pre_hook(
                self.adapter.attention_output_module(self.model, point.layer), point, fn, self.n_heads
            )
        if point.site == "mlp.hook_post":
            return _input_pre_hook(self.adapter.ffn_output_module(self.model, point.layer), point, fn)
        return _output_hook(layer, point, fn)


class _Stand(nn.Module):
    """Stands in for the layer stack: hands its input to ``fn`` and returns what ``fn`` gives."""

    def __init__(self, fn: Callable[[Tensor], Tensor]) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, *args: Any, **kwargs: Any) -> Tensor:
        return self.fn(args[0] if args else kwargs[_hidden_key(kwargs)])


def _hidden_key(kwargs: Mapping[str, Any]) -> str:
    """The keyword under which a family's layer takes its input."""
    return next(k for k in ("hidden_states", "hidden_state", "x") if k in kwargs)


def _with_hidden(
    args: tuple[Any, ...], kwargs: dict[str, Any], hidden: Tensor
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """A layer call's arguments with its input replaced by ``hidden``."""
    if args:
        return (hidden.to(args[0].dtype), *args[1:]), kwargs
    key = _hidden_key(kwargs)
    return args, {**kwargs, key: hidden.to(kwargs[key].dtype)}


def _split_heads_pre_hook(module: nn.Module, point: HookPoint, fn: HookFn, n_heads: int) -> RemovableHandle:
    def pre_hook(_: nn.Module, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        flat = args[0]  # [batch, pos, n_heads * d_head]
        z = flat.unflatten(-1, (n_heads, -1))  # [batch, pos, head, d_head]
        new = fn(z, point)
        return None if new is None else (_same_shape(new, z, point).flatten(-2), *args[1:])

    return module.register_forward_pre_hook(pre_hook)


def _input_pre_hook(module: nn.Module, point: HookPoint, fn: HookFn) -> RemovableHandle:
    def pre_hook(_: nn.Module, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        new = fn(args[0], point)  # [batch, pos, d_ff]
        return None if new is None else (_same_shape(new, args[0], point), *args[1:])

    return module.register_forward_pre_hook(pre_hook)


def _output_hook(module: nn.Module, point: HookPoint, fn: HookFn) -> RemovableHandle:
    def hook(_: nn.Module, __: tuple[Any, ...], output: Any) -> Any:
        hidden = output[0] if isinstance(output, tuple) else output  # [batch, pos, d_model]
        new = fn(hidden, point)
        if new is None:
            return None
        new = _same_shape(new, hidden, point)
        return (new, *output[1:]) if isinstance(output, tuple) else new

    return module.register_forward_hook(hook)


def _same_shape(new: Tensor, old: Tensor, point: HookPoint) -> Tensor:
    if new.shape != old.shape:
        raise ValueError(
            f"hook on {point.name} returned shape {tuple(new.shape)}, expected {tuple(old.shape)}; "
            "a hook must return a tensor of the activation's shape, or None."
        )
    return new.to(old.dtype)
