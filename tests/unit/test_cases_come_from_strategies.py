"""Every axiom's, every circuit claim's and every scoring invariant's verdict cases are drawn from
``ranklens.strategies``: swap the strategy the sources come from and every case changes with it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import numpy as np
import pytest
from hypothesis import strategies as st

from ranklens.axioms import AXIOMS
from ranklens.axioms.measure import build_cases, tokenizer_case_context
from ranklens.axioms.spec import AxiomSpec
from ranklens.cases import sample_pairs
from ranklens.claims import neuron_attribution, samples
from ranklens.data.wordpiece import bert_wordpiece
from ranklens.models import Reranker
from ranklens.strategies import aligned, corpus, perturbation, sample_source_pairs

SWAPPED = sample_pairs(n=60, seed=99)


@pytest.mark.parametrize("spec", AXIOMS, ids=lambda s: s.name)
def test_an_axiom_draws_its_cases_from_the_source_strategy(spec: AxiomSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = tokenizer_case_context(bert_wordpiece())
    default, _ = build_cases(spec, ctx, n=10, seed=0)
    monkeypatch.setattr(perturbation, "source_pairs", lambda: st.sampled_from(SWAPPED))
    swapped, _ = build_cases(spec, ctx, n=10, seed=0)
    assert swapped and all((c.query, c.document) in SWAPPED for c in swapped)
    assert not all((c.query, c.document) in SWAPPED for c in default)


def test_the_circuit_claims_draw_their_cases_from_the_source_strategy(monkeypatch: pytest.MonkeyPatch) -> None:
    reranker = cast(
        Reranker, SimpleNamespace(tokenizer=bert_wordpiece(), fits=lambda pairs: np.ones(len(pairs), dtype=bool))
    )
    default = samples.circuit_cases(reranker, n=10, seed=0, split="discover").cases
    monkeypatch.setattr(aligned, "source_pairs", lambda: st.sampled_from(SWAPPED))
    monkeypatch.setattr(samples, "source_pairs", lambda queries_in: st.sampled_from(SWAPPED))
    swapped = samples.circuit_cases(reranker, n=10, seed=0, split="discover").cases
    assert swapped and all((c.query, c.document) in SWAPPED for c in swapped)
    assert not all((c.query, c.document) in SWAPPED for c in default)


SWAPPED_CONTRASTS = [((query, passage), (query, SWAPPED[-1 - i][1])) for i, (query, passage) in enumerate(SWAPPED)]


def test_the_relevance_neuron_claim_draws_its_cases_from_the_contrast_strategy(monkeypatch: pytest.MonkeyPatch) -> None:
    default = [case for half in neuron_attribution.relevance_cases(0, 3, 12) for case in half]
    monkeypatch.setattr(
        neuron_attribution, "relevance_contrasts", lambda queries_in: st.sampled_from(SWAPPED_CONTRASTS)
    )
    swapped = [case for half in neuron_attribution.relevance_cases(0, 3, 12) for case in half]
    assert len(swapped) == 15 and all(case in SWAPPED_CONTRASTS for case in swapped)
    assert not any(case in SWAPPED_CONTRASTS for case in default)


def test_the_scoring_invariants_draw_their_pairs_from_the_source_strategy(monkeypatch: pytest.MonkeyPatch) -> None:
    default = sample_source_pairs(n=10, seed=0)
    monkeypatch.setattr(corpus, "source_pairs", lambda: st.sampled_from(SWAPPED))
    swapped = sample_source_pairs(n=10, seed=0)
    assert len(swapped) == 10 and all(pair in SWAPPED for pair in swapped)
    assert not all(pair in SWAPPED for pair in default)
