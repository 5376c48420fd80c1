"""The tiny checkpoints behave like real rerankers of their family.

Everything the harness later assumes about a model (loads offline through the
Auto classes, scores padded batches exactly like single pairs, exposes one
attention map per layer, is reproducible from a seed) is checked here on every
architecture, so a failure points at the fixture rather than at a harness check.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoModelForSequenceClassification, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from ranklens.zoo.tiny import TINY_ARCHITECTURES, build_tiny_checkpoint

# Three pairs of clearly different lengths, so a padded batch has real padding.
QUERIES = ["How tall is the Eiffel Tower?", "photosynthesis", "Which city is the capital of France?"]
DOCUMENTS = [
    "The Eiffel Tower in Paris is about 330 metres tall.",
    "Photosynthesis is the process by which green plants convert light energy into chemical energy, "
    "using sunlight, water and carbon dioxide to produce glucose and release oxygen.",
    "Paris.",
]
PADDING_ATOL = 1e-5
# Families whose forward takes segment ids and whose tokenizer therefore emits them.
WITH_TOKEN_TYPES = {"bert", "electra"}
# Families whose pair template repeats the separator between query and document.
DOUBLE_SEPARATOR = {"roberta", "xlm-roberta"}


@pytest.fixture(scope="module", params=TINY_ARCHITECTURES)
def checkpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    architecture: str = request.param
    path = build_tiny_checkpoint(architecture, tmp_path_factory.mktemp(architecture), seed=0)
    return architecture, path


def _load(path: Path, attn_implementation: str | None = None) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    kwargs = {} if attn_implementation is None else {"attn_implementation": attn_implementation}
    model = AutoModelForSequenceClassification.from_pretrained(path, **kwargs).eval()
    return model, AutoTokenizer.from_pretrained(path)


def _batch_scores(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> torch.Tensor:
    """Logits of the three pairs scored as one padded batch."""
    batch = tokenizer(QUERIES, DOCUMENTS, padding=True, return_tensors="pt")
    assert not bool(batch["attention_mask"].all()), "the batch must contain padding"
    with torch.no_grad():
        logits: torch.Tensor = model(**batch).logits
    return logits


def _single_scores(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> torch.Tensor:
    """Logits of the three pairs scored one at a time (no padding at all)."""
    with torch.no_grad():
        pairs = zip(QUERIES, DOCUMENTS, strict=True)
        return torch.cat([model(**tokenizer(q, d, return_tensors="pt")).logits for q, d in pairs])


def test_loads_by_path_and_scores_a_padded_batch(checkpoint: tuple[str, Path]) -> None:
    _, path = checkpoint
    model, tokenizer = _load(path)
    batched = _batch_scores(model, tokenizer)
    assert batched.shape == (3, 1)
    assert torch.isfinite(batched).all()
    # The scores depend on the input, so the padding check below has teeth.
    assert float(batched.max() - batched.min()) > 1e-3


@pytest.mark.parametrize("architecture", TINY_ARCHITECTURES)
def test_two_labels(architecture: str, tmp_path: Path) -> None:
    model, tokenizer = _load(build_tiny_checkpoint(architecture, tmp_path, num_labels=2))
    batched = _batch_scores(model, tokenizer)
    assert batched.shape == (3, 2)
    assert torch.isfinite(batched).all()


def test_weights_are_determined_by_the_seed(checkpoint: tuple[str, Path], tmp_path: Path) -> None:
    architecture, path = checkpoint
    reference = load_file(path / "model.safetensors")
    rng_before = torch.random.get_rng_state()
    same = load_file(build_tiny_checkpoint(architecture, tmp_path / "same", seed=0) / "model.safetensors")
    other = load_file(build_tiny_checkpoint(architecture, tmp_path / "other", seed=1) / "model.safetensors")
    assert torch.equal(torch.random.get_rng_state(), rng_before), "building must not touch the global RNG"
    assert reference.keys() == same.keys() == other.keys()
    assert all(torch.equal(reference[name], same[name]) for name in reference)
    assert any(not torch.equal(reference[name], other[name]) for name in reference)


@pytest.mark.parametrize("attn_implementation", ["eager", "sdpa"])
def test_padded_batch_scores_equal_single_scores(checkpoint: tuple[str, Path], attn_implementation: str) -> None:
    architecture, path = checkpoint
    if architecture == "deberta-v2" and attn_implementation == "sdpa":
        # transformers has no SDPA attention for DeBERTa-v2; it refuses rather than falling back.
        with pytest.raises(ValueError, match="scaled_dot_product_attention"):
            _load(path, attn_implementation)
        return
    model, tokenizer = _load(path, attn_implementation)
    assert model.config._attn_implementation == attn_implementation
    torch.testing.assert_close(
        _batch_scores(model, tokenizer), _single_scores(model, tokenizer), rtol=0.0, atol=PADDING_ATOL
    )


def test_eager_attentions_one_per_layer(checkpoint: tuple[str, Path]) -> None:
    _, path = checkpoint
    model, tokenizer = _load(path, "eager")
    batch = tokenizer(QUERIES, DOCUMENTS, padding=True, return_tensors="pt")
    with torch.no_grad():
        attentions = model(**batch, output_attentions=True).attentions
    n_layers, n_heads = model.config.num_hidden_layers, model.config.num_attention_heads
    seq = batch["input_ids"].shape[1]
    assert attentions is not None
    assert len(attentions) == n_layers
    mask = batch["attention_mask"].bool()
    for layer in attentions:
        assert layer.shape == (3, n_heads, seq, seq)
        torch.testing.assert_close(layer.sum(-1), torch.ones(3, n_heads, seq))
        # Real positions put no weight on padding keys.
        to_padding = layer.masked_fill(mask[:, None, None, :], 0.0)[mask[:, None, :, None].expand_as(layer)]
        assert float(to_padding.abs().max()) < 1e-6


def test_pair_format_and_segment_ids(checkpoint: tuple[str, Path]) -> None:
    architecture, path = checkpoint
    model, tokenizer = _load(path)
    encoding = tokenizer("query", "document")
    tokens = tokenizer.convert_ids_to_tokens(encoding["input_ids"])
    cls, sep = tokenizer.cls_token, tokenizer.sep_token
    specials = [t for t in tokens if t in (cls, sep)]
    expected = [cls, sep, sep, sep] if architecture in DOUBLE_SEPARATOR else [cls, sep, sep]
    assert tokens[0] == cls, tokens
    assert tokens[-1] == sep, tokens
    assert specials == expected, tokens
    emits = "token_type_ids" in encoding
    assert emits == (architecture in WITH_TOKEN_TYPES)
    if emits:
        assert "token_type_ids" in inspect.signature(model.forward).parameters
        assert model.config.type_vocab_size == 2


def test_unknown_architecture_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="gpt-2") as info:
        build_tiny_checkpoint("gpt-2", tmp_path)
    assert all(name in str(info.value) for name in TINY_ARCHITECTURES)
