"""Reranker.score agrees with the plain Hugging Face model and with sentence-transformers.

Tolerances: scores are float32 logits of tiny random models (|score| < 1); batching with padding
reorders float additions, which moves them by ~1e-7. atol 1e-5 is two orders above that, and far
below any effect the suites measure.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from sentence_transformers import CrossEncoder

from ranklens import Reranker, load_reranker
from ranklens.models import reranker as reranker_module
from ranklens.zoo.tiny import TINY_ARCHITECTURES as ALL_ARCHITECTURES

ATOL = 1e-5
RTOL = 1e-5


@pytest.mark.parametrize("architecture", ALL_ARCHITECTURES)
def test_score_equals_sentence_transformers_predict_with_identity_activation(
    architecture: str,
    tiny_checkpoint: Callable[..., Path],
    tiny_reranker: Callable[[str], Reranker],
    pairs: list[tuple[str, str]],
    device: str,
) -> None:
    expected = CrossEncoder(str(tiny_checkpoint(architecture)), device=device).predict(
        pairs, activation_fn=torch.nn.Identity(), batch_size=2
    )
    actual = tiny_reranker(architecture).score(pairs, use_cache=False)
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("architecture", ALL_ARCHITECTURES)
def test_batched_score_equals_one_unpadded_forward_pass_per_pair(
    architecture: str, tiny_reranker: Callable[[str], Reranker], pairs: list[tuple[str, str]]
) -> None:
    reranker = tiny_reranker(architecture)
    expected = []
    for query, document in pairs:
        inputs = reranker.tokenizer(query, document, return_tensors="pt")
        accepted = {
            k: v.to(reranker.model.device)
            for k, v in inputs.items()
            if k in reranker.encode([(query, document)]).inputs
        }
        with torch.inference_mode():
            expected.append(float(reranker.model(**accepted).logits[0, 0]))
    np.testing.assert_allclose(reranker.score(pairs, use_cache=False), expected, rtol=RTOL, atol=ATOL)


def test_two_logit_head_scores_the_relevant_class_margin(
    tiny_checkpoint: Callable[..., Path], pairs: list[tuple[str, str]], device: str
) -> None:
    reranker = load_reranker(tiny_checkpoint("bert", num_labels=2), device=device)
    logits = CrossEncoder(str(tiny_checkpoint("bert", num_labels=2)), device=device).predict(
        pairs, activation_fn=torch.nn.Identity()
    )
    np.testing.assert_allclose(reranker.score(pairs), logits[:, 1] - logits[:, 0], rtol=RTOL, atol=ATOL)
    assert "logit margin" in reranker.info.score_definition


def test_token_type_ids_reach_bert_but_not_models_without_them(tiny_reranker: Callable[[str], Reranker]) -> None:
    with_types = tiny_reranker("bert").encode([("q", "d")]).inputs
    without = tiny_reranker("distilbert").encode([("q", "d")]).inputs
    assert ("token_type_ids" in with_types, "token_type_ids" in without) == (True, False)
    assert int(with_types["token_type_ids"].max()) == 1, "the document segment must have type id 1"


@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_a_batch_equals_the_tokenizers_own_padded_batch_across_tokenising_chunks(
    padding_side: str,
    tiny_checkpoint: Callable[..., Path],
    pairs: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reranker_module, "TOKENIZE_CHUNK", 2)  # several chunks for the fixture's pairs
    reranker = load_reranker(tiny_checkpoint("bert"), device="cpu")
    reranker.tokenizer.padding_side = padding_side
    batch = reranker.encode(pairs)
    expected = reranker.tokenizer(
        [q for q, _ in pairs], [d for _, d in pairs], padding=True, truncation=False, return_tensors="pt"
    )
    assert batch.inputs.keys() <= expected.keys()
    for key, value in batch.inputs.items():
        assert value.dtype == torch.long
        torch.testing.assert_close(value, expected[key], rtol=0, atol=0)
