"""Each scoring invariant passes on a sound model and fails on one broken in exactly its way.

The broken models are the tiny BERT with one planted defect each, run through the same check
functions with the same tolerances the suite uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from torch import Tensor

from ranklens import Reranker, load_reranker
from ranklens.cases import sample_pairs
from ranklens.invariants import batch_order_invariance, batch_size_invariance, score_determinism, window_fit
from ranklens.models import Pair
from ranklens.models.hooks import HookPoint, hook_name
from ranklens.verdicts import Verdict


@pytest.fixture(scope="module")
def cases() -> list[Pair]:
    return sample_pairs(n=48, seed=3)


@pytest.fixture
def sound(tiny_checkpoint: Callable[..., Path]) -> Reranker:
    return load_reranker(tiny_checkpoint("bert"))


@contextmanager
def dropout_left_on(reranker: Reranker) -> Iterator[None]:
    for module in reranker.model.modules():
        if module.__class__.__name__ == "Dropout":
            module.p = 0.3  # type: ignore[assignment]
    reranker.model.train()
    try:
        yield
    finally:
        reranker.model.eval()


def leak_across_the_batch(activation: Tensor, _: HookPoint) -> Tensor:
    """A BatchNorm-like defect: every row sees the batch mean."""
    return activation + activation.mean(dim=(0, 1), keepdim=True)


class ScoresInLengthOrder(Reranker):
    """A harness defect: scores come back sorted by length instead of in input order."""

    def score(self, pairs: Sequence[Pair], **kwargs: object) -> np.ndarray:
        scores = super().score(pairs, **kwargs)  # type: ignore[arg-type]
        return scores[np.argsort(self.token_lengths(pairs), kind="stable")]


def test_the_sound_model_passes_every_invariant(sound: Reranker, cases: list[Pair]) -> None:
    results = [
        score_determinism(sound, cases),
        batch_size_invariance(sound, cases),
        batch_order_invariance(sound, cases, seed=1),
        window_fit(sound, cases),
    ]
    assert {r.check_id: r.verdict for r in results} == {r.check_id: Verdict.PASS for r in results}


def test_determinism_fails_when_dropout_is_left_on(sound: Reranker, cases: list[Pair]) -> None:
    with dropout_left_on(sound):
        result = score_determinism(sound, cases)
    assert result.verdict == Verdict.FAIL and result.effect.value > 0.5, result.message


def test_batch_size_invariance_fails_when_rows_leak_into_each_other(sound: Reranker, cases: list[Pair]) -> None:
    with sound.hooks([(hook_name(0, "hook_resid_post"), leak_across_the_batch)]):
        result = batch_size_invariance(sound, cases)
    assert result.verdict == Verdict.FAIL and result.counterexamples, result.message


def test_order_invariance_fails_when_scores_come_back_misaligned(sound: Reranker, cases: list[Pair]) -> None:
    broken = ScoresInLengthOrder(sound.model, sound.tokenizer, sound.checkpoint, sound.adapter)
    result = batch_order_invariance(broken, cases, seed=1)
    assert result.verdict == Verdict.FAIL, result.message


def test_window_fit_fails_when_the_window_is_shorter_than_the_cases(
    tiny_checkpoint: Callable[..., Path], cases: list[Pair]
) -> None:
    result = window_fit(load_reranker(tiny_checkpoint("bert"), max_length=48), cases)
    assert result.verdict == Verdict.FAIL and result.effect.ci_low > 0.5, result.message
    assert "tokens > 48" in result.counterexamples[0]
