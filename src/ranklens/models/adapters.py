"""Architecture adapters: where each supported family keeps the parts ranklens reads and edits.

An adapter is data, not a subclass: dotted module paths relative to the model's base model
(``model.base_model``, e.g. ``model.bert``). Every site ranklens needs is reachable through a
plain ``nn.Module`` whose *input* or *output* is the tensor of interest:

- per-head outputs are the input of the attention output projection, ``[batch, pos, n_heads *
  d_head]``, split into heads (transformers 5 removed ``head_mask``; this works in every family);
- FFN neurons are the input of the FFN down-projection, ``[batch, pos, d_ff]`` (for ModernBERT
  that is ``act(input) * gate``, its gated-linear-unit activation);
- the residual stream after a layer is the layer's output;
- attention patterns come from ``output_attentions=True`` under eager attention.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn
from transformers import PretrainedConfig, PreTrainedModel

from ranklens.errors import UnsupportedArchitectureError
from ranklens.models.layer_math import BERT_LAYER, DISTILBERT_LAYER, PostLNPaths, linear


@dataclass(frozen=True)
class ArchitectureAdapter:
    """Where one architecture family keeps its layers, head outputs, neurons and embeddings."""

    name: str
    model_types: tuple[str, ...]
    layers: str
    """ModuleList of transformer layers, relative to the base model."""
    attention_output: str
    """Attention output projection, relative to a layer; its input is the concatenated heads."""
    ffn_output: str
    """FFN down-projection, relative to a layer; its input is the neuron activations."""
    token_embedding: str
    """Token-embedding ``nn.Embedding``, relative to the base model."""
    heads_attribute: str = "num_attention_heads"
    post_ln: PostLNPaths | None = None
    """Where the parts of a post-LN layer are, for patching that recomputes only what changed
    (:mod:`ranklens.models.layer_math`); ``None``: other layers, patched through hooks alone."""

    def layer_modules(self, model: PreTrainedModel) -> list[nn.Module]:
        layers = model.base_model.get_submodule(self.layers)
        if not isinstance(layers, nn.ModuleList):
            raise TypeError(f"{self.name}: {self.layers} is {type(layers).__name__}, not nn.ModuleList")
        return list(layers)

    def attention_output_module(self, model: PreTrainedModel, layer: int) -> nn.Linear:
        return linear(self.layer_modules(model)[layer].get_submodule(self.attention_output))

    def ffn_output_module(self, model: PreTrainedModel, layer: int) -> nn.Linear:
        return linear(self.layer_modules(model)[layer].get_submodule(self.ffn_output))

    def embedding_module(self, model: PreTrainedModel) -> nn.Embedding:
        module = model.base_model.get_submodule(self.token_embedding)
        if not isinstance(module, nn.Embedding):
            raise TypeError(f"{self.name}: {self.token_embedding} is {type(module).__name__}, not nn.Embedding")
        return module

    def n_heads(self, config: PretrainedConfig) -> int:
        return int(getattr(config, self.heads_attribute))


def _bert_like(name: str, model_types: tuple[str, ...]) -> ArchitectureAdapter:
    return ArchitectureAdapter(
        name,
        model_types,
        layers="encoder.layer",
        attention_output="attention.output.dense",
        ffn_output="output.dense",
        token_embedding="embeddings.word_embeddings",
        post_ln=BERT_LAYER,
    )


ADAPTERS: tuple[ArchitectureAdapter, ...] = (
    _bert_like("bert", ("bert",)),
    _bert_like("electra", ("electra",)),
    _bert_like("roberta", ("roberta", "xlm-roberta")),
    ArchitectureAdapter(
        "deberta-v2",
        ("deberta-v2",),
        layers="encoder.layer",
        token_embedding="embeddings.word_embeddings",
        attention_output="attention.output.dense",
        ffn_output="output.dense",
    ),
    ArchitectureAdapter(
        "distilbert",
        ("distilbert",),
        layers="transformer.layer",
        attention_output="attention.out_lin",
        ffn_output="ffn.lin2",
        token_embedding="embeddings.word_embeddings",
        heads_attribute="n_heads",
        post_ln=DISTILBERT_LAYER,
    ),
    ArchitectureAdapter(
        "modernbert",
        ("modernbert",),
        layers="layers",
        attention_output="attn.Wo",
        ffn_output="mlp.Wo",
        token_embedding="embeddings.tok_embeddings",
    ),
)

SUPPORTED_MODEL_TYPES: tuple[str, ...] = tuple(t for a in ADAPTERS for t in a.model_types)


def adapter_for(model_type: str) -> ArchitectureAdapter:
    """The adapter for a ``config.model_type``; an unsupported type names the supported ones."""
    for adapter in ADAPTERS:
        if model_type in adapter.model_types:
            return adapter
    raise UnsupportedArchitectureError(
        f"model_type {model_type!r} is not supported: ranklens has architecture adapters for "
        f"{', '.join(SUPPORTED_MODEL_TYPES)}. Use a checkpoint of one of those families, or add an "
        "ArchitectureAdapter for this one in ranklens/models/adapters.py."
    )
