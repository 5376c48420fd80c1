"""Integrated gradients over FFN neurons: the batched, resumed passes compute the plain integral.

``_integrate`` runs its (quadrature step, input) rows in batches bounded by tokens, and starts at
the attributed layer from the real run's residual stream. Both are bookkeeping: one row per pass
from the embeddings must give the same attributions whatever the batches (a size that splits a
step's inputs across batches included), and they must be complete (sum to the score difference).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from ranklens import Reranker
from ranklens.claims import neuron_attribution
from ranklens.claims.neuron_attribution import attributions
from ranklens.models import hook_name

PAIRS = [
    ("river delta", "mud and sand settle where the water slows down at the delta"),
    ("solar panel", "a panel turns light into current on the roof"),
    ("river delta", "a panel turns light into current on the roof"),
]


@pytest.mark.parametrize("architecture", ["bert", "distilbert"])
@pytest.mark.parametrize("rows_per_pass", [5, 1000])
def test_batched_resumed_steps_match_one_plain_pass_per_row(
    tiny_reranker: Callable[[str], Reranker], architecture: str, rows_per_pass: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    reranker = tiny_reranker(architecture)
    batch = reranker.encode(PAIRS)
    width = batch.input_ids.shape[1]
    layer = reranker.info.n_layers - 1
    names = [hook_name(layer, "mlp.hook_post"), hook_name(layer - 1, "hook_resid_post")]
    _, real = reranker.run_with_cache(batch, names)
    base = real[names[0]] * 0.3
    monkeypatch.setattr(neuron_attribution, "TOKENS_PER_BACKWARD", rows_per_pass * width)
    batched = neuron_attribution._integrate(reranker, batch, layer, real[names[0]], base, 8, real[names[1]])
    monkeypatch.setattr(neuron_attribution, "TOKENS_PER_BACKWARD", width)
    plain = neuron_attribution._integrate(reranker, batch, layer, real[names[0]], base, 8, None)
    np.testing.assert_allclose(batched, plain, rtol=1e-4, atol=1e-6 * np.abs(plain).max())


def test_attributions_are_complete(tiny_reranker: Callable[[str], Reranker]) -> None:
    attribution = attributions(tiny_reranker("bert"), PAIRS, delta=1e-3, steps=20)
    assert attribution.completeness_error < 0.01
