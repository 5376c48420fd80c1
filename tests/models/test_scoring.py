"""Scoring mechanics: the cache, validation of pairs, seeded case samples, options."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ranklens import Reranker, ScoreCache, load_reranker
from ranklens.cases import sample_pairs
from ranklens.data.corpus import load_corpus
from ranklens.errors import InvalidPairError
from ranklens.models.pairs import validate_pairs
from ranklens.plugin.options import Settings

texts = st.text(min_size=1, max_size=40).filter(
    lambda t: any(not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf") for c in t)
)
"""Texts with something to read: not only whitespace, control or zero-width (format) characters."""


def test_no_pair_is_scored_twice(tiny_checkpoint: Callable[..., Path], pairs: list[tuple[str, str]]) -> None:
    cache = ScoreCache()
    reranker = load_reranker(tiny_checkpoint("bert"), cache=cache)
    first = reranker.score(pairs + pairs[:2])
    assert (len(cache), cache.misses) == (len(pairs), len(pairs) + 2)
    second = reranker.score(list(reversed(pairs)))
    np.testing.assert_array_equal(second, first[: len(pairs)][::-1])
    assert cache.hits == len(pairs)


def test_two_models_can_share_one_cache_without_mixing_scores(
    tiny_checkpoint: Callable[..., Path], pairs: list[tuple[str, str]]
) -> None:
    cache = ScoreCache()
    bert = load_reranker(tiny_checkpoint("bert"), cache=cache).score(pairs)
    electra = load_reranker(tiny_checkpoint("electra"), cache=cache).score(pairs)
    assert len(cache) == 2 * len(pairs)
    assert not np.allclose(bert, electra)


@given(query=texts, document=texts)
def test_any_non_blank_text_pair_is_valid(query: str, document: str) -> None:
    assert validate_pairs([(query, document)]) == [(query, document)]


@given(blank=st.text(alphabet=" \t\n\r", max_size=5), role=st.sampled_from(["query", "document"]))
def test_blank_text_is_rejected_naming_the_role(blank: str, role: str) -> None:
    pair = (blank, "text") if role == "query" else ("text", blank)
    with pytest.raises(InvalidPairError, match=f"the {role} is empty or blank"):
        validate_pairs([pair])


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 80))
def test_samples_are_a_pure_function_of_the_seed(seed: int, n: int) -> None:
    corpus = load_corpus()
    first = sample_pairs(n=n, seed=seed, corpus=corpus)
    assert first == sample_pairs(n=n, seed=seed, corpus=corpus)
    assert len(first) == len(set(first)) == n


def test_a_sample_mixes_relevant_and_non_relevant_pairs() -> None:
    corpus = load_corpus()
    passages = corpus.passage_by_id()
    relevant = {(q.text, passages[pid].text) for q in corpus.queries for pid in corpus.relevant().get(q.qid, {})}
    sample = sample_pairs(n=40, seed=0, corpus=corpus)
    assert sum(pair in relevant for pair in sample) == 20


def test_settings_fall_back_to_the_environment_for_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RANKLENS_MODEL", "org/model")
    settings = Settings.from_values(lambda _: None)
    assert (settings.models, settings.seed, settings.allow_pickle) == (("org/model",), 0, False)


def test_model_info_states_how_the_score_is_defined(tiny_reranker: Callable[[str], Reranker]) -> None:
    info = tiny_reranker("roberta").info
    assert (info.score_definition, info.n_layers, info.n_heads, info.d_head) == (
        "raw logit of the single-logit head",
        2,
        4,
        8,
    )
    assert info.max_length == 512, "RoBERTa's two offset positions are not part of the window"
