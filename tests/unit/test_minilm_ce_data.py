"""Fast checks of the corpus behind ``minilm-ce`` and of its recipe hash; nothing here trains."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import pytest

from ranklens.data.corpus import (
    DATA_FILES,
    HELDOUT,
    SPLITS,
    TRAIN,
    Corpus,
    default_data_dir,
    load_corpus,
)
from ranklens.zoo.minilm_ce.dataset import heldout_candidates
from ranklens.zoo.minilm_ce.evaluation import analyze, evaluate_bm25, ranking_metrics
from ranklens.zoo.minilm_ce.recipe import (
    DEFAULT_RECIPE,
    HeldoutEval,
    base_model_dir,
    minilm_ce_recipe_hash,
    recipe_fingerprint,
)

PAIR_BUDGET_TOKENS = 512
PASSAGE_BUDGET_TOKENS = 256  # leaves half the window for query and perturbations


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus()


def test_data_files_are_jsonl_objects() -> None:
    for name in DATA_FILES:
        lines = (default_data_dir() / name).read_text(encoding="utf-8").splitlines()
        assert lines, name
        assert all(isinstance(json.loads(line), dict) for line in lines), name


def test_ids_are_unique(corpus: Corpus) -> None:
    qids = [q.qid for q in corpus.queries]
    pids = [p.pid for p in corpus.passages]
    assert len(set(qids)) == len(qids)
    assert len(set(pids)) == len(pids)
    assert len({(r.qid, r.pid) for r in corpus.qrels}) == len(corpus.qrels)


def test_qrels_refer_to_existing_ids_and_every_query_has_a_positive(corpus: Corpus) -> None:
    qids = {q.qid for q in corpus.queries}
    pids = {p.pid for p in corpus.passages}
    assert all(r.qid in qids and r.pid in pids for r in corpus.qrels)
    assert all(r.relevance > 0 for r in corpus.qrels)
    assert set(corpus.relevant()) == qids


def test_splits_are_disjoint_and_by_article(corpus: Corpus) -> None:
    train = {q.qid for q in corpus.queries_in(TRAIN)}
    heldout = {q.qid for q in corpus.queries_in(HELDOUT)}
    assert {q.split for q in corpus.queries} <= set(SPLITS)
    assert train
    assert heldout
    assert not train & heldout
    assert not {q.text.lower() for q in corpus.queries_in(TRAIN)} & {q.text.lower() for q in corpus.queries_in(HELDOUT)}
    split_of = {p.pid: p.split for p in corpus.passages}
    query_split = {q.qid: q.split for q in corpus.queries}
    # A held-out query's relevant passage is itself held out, so training never saw it.
    assert all(split_of[r.pid] == query_split[r.qid] for r in corpus.qrels)


def test_passages_are_prose_of_the_promised_length(corpus: Corpus) -> None:
    words = [len(p.text.split()) for p in corpus.passages]
    assert min(words) >= 30
    assert max(words) <= 150
    assert all(p.text == " ".join(p.text.split()) for p in corpus.passages)


def test_passages_fit_the_wordpiece_window(corpus: Corpus) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(base_model_dir()), local_files_only=True)
    passages = tokenizer([p.text for p in corpus.passages])["input_ids"]
    assert max(map(len, passages)) <= PASSAGE_BUDGET_TOKENS
    longest_query = max(corpus.queries, key=lambda q: len(q.text)).text
    longest_passage = max(corpus.passages, key=lambda p: len(p.text)).text
    assert len(tokenizer(longest_query, longest_passage)["input_ids"]) <= PAIR_BUDGET_TOKENS


def test_heldout_candidates_use_heldout_passages_only(corpus: Corpus) -> None:
    config = HeldoutEval()
    candidates = heldout_candidates(corpus, config)
    assert len(candidates) == len(corpus.queries_in(HELDOUT))
    for c in candidates:
        assert {p.split for p in c.passages} == {HELDOUT}
        assert (
            len({p.pid for p in c.passages}) == len(c.passages) == 1 + config.hard_negatives + config.random_negatives
        )
        assert c.relevant <= {p.pid for p in c.passages}
    assert [c.passages for c in heldout_candidates(corpus, config)] == [c.passages for c in candidates]


def test_ranking_metrics_average_over_ties() -> None:
    assert ranking_metrics([3.0, 2.0, 1.0], [False, True, False]) == {
        "mrr@10": 0.5,
        "ndcg@10": pytest.approx(1 / 1.584962500721156),
    }
    # relevant tied with one other at the top: rank 1 or 2 with equal chance
    assert ranking_metrics([1.0, 1.0, 0.0], [True, False, False])["mrr@10"] == pytest.approx(0.75)


def test_bm25_analyzer_lowercases_and_stems_with_the_shared_stemmer() -> None:
    assert analyze("Islands, BERRIES; walked quickly 42") == ["island", "berry", "walk", "quick", "42"]


def test_bm25_baseline_ranks_heldout_lists_above_chance(corpus: Corpus) -> None:
    config = HeldoutEval()
    metrics = evaluate_bm25(corpus, heldout_candidates(corpus, config), config)
    candidates = 1 + config.hard_negatives + config.random_negatives
    assert set(metrics) == {"mrr@10", "ndcg@10"}
    assert 2 / candidates < metrics["mrr@10"] <= 1.0


def test_recipe_hash_is_stable() -> None:
    """Same inputs, same hash: a canonical (sorted-key) JSON of plain data, no set or id order in it."""
    first = minilm_ce_recipe_hash()
    assert first == minilm_ce_recipe_hash()
    canonical = json.dumps(recipe_fingerprint(), sort_keys=True)
    assert first == hashlib.sha256(canonical.encode()).hexdigest()
    assert json.loads(canonical) == recipe_fingerprint()


def test_recipe_hash_changes_with_recipe_and_seed() -> None:
    base = minilm_ce_recipe_hash()
    training = dataclasses.replace(DEFAULT_RECIPE.training, learning_rate=DEFAULT_RECIPE.training.learning_rate * 2)
    assert minilm_ce_recipe_hash(recipe=dataclasses.replace(DEFAULT_RECIPE, training=training)) != base
    assert minilm_ce_recipe_hash(seed=14) != base


def test_recipe_hash_changes_with_data(tmp_path: Path) -> None:
    for name in DATA_FILES:
        (tmp_path / name).write_bytes((default_data_dir() / name).read_bytes())
    assert minilm_ce_recipe_hash(data_dir=tmp_path) == minilm_ce_recipe_hash()
    with (tmp_path / DATA_FILES[0]).open("a", encoding="utf-8") as f:
        f.write("\n")
    assert minilm_ce_recipe_hash(data_dir=tmp_path) != minilm_ce_recipe_hash()
