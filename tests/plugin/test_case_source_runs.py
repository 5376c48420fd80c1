"""The suites on a user's own cases: a BEIR folder gives the same kind of report as the built-in
corpus, records where its cases came from, and its term statistics come from its own corpus."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import ranklens
from ranklens.claims.neurons import relevance_neurons
from ranklens.data.case_source import NO_JUDGEMENTS
from ranklens.data.idf_table import idf_table
from ranklens.data.sources import case_source, open_case_source
from ranklens.models import Reranker
from ranklens.verdicts import Verdict

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "tests" / "data" / "beir-sample"
BASELINE = REPO / "reports" / "baselines" / "planted--axioms.json"

pytest_plugins = ["pytester"]


def test_the_axiom_suite_on_a_beir_folder_reports_like_the_builtin_corpus(
    pytester: pytest.Pytester, planted_checkpoint: Callable[[str], Path]
) -> None:
    out = pytester.path / "byo.json"
    result = pytester.runpytest_subprocess(
        str(REPO / "axioms"),
        "--model",
        str(planted_checkpoint("planted")),
        "--ranklens-cases",
        str(SAMPLE),
        "--ranklens-sample-size",
        "60",
        "--ranklens-json",
        str(out),
        "-p",
        "no:randomly",
    )
    assert result.ret in (0, 1), result.stdout.str()[-2000:]
    report, baseline = json.loads(out.read_text()), json.loads(BASELINE.read_text())
    source = report["case_source"]
    assert (source["format"], source["counts"]["working_queries"], source["counts"]["passages"]) == ("beir", 60, 150)

    def shape(data: dict[str, object]) -> dict[str, tuple[str, str, str]]:
        return {c["check_id"]: (c["kind"], c["effect"]["name"], c["verdict"]) for c in data["checks"]}  # type: ignore[index, union-attr]

    new, old = shape(report), shape(baseline)
    assert {k: v[:2] for k, v in new.items()} == {k: v[:2] for k, v in old.items()}
    # planted computes BM25: what it does on the built-in corpus it does on these passages too
    passing = {check for check, (_, _, verdict) in old.items() if verdict == "pass"}
    assert {check for check in passing if new[check][2] != "pass"} == set()
    assert new["PROX"][2] != "pass" and new["STMC1"][2] != "pass"
    assert all(c["n"] > 0 for c in report["checks"])
    frame = ranklens.read_report(out).to_frame()
    assert set(frame["case_source"]) == {str(SAMPLE)} and set(frame["case_source_sha256"]) == {source["sha256"]}


def test_the_claims_idf_comes_from_the_case_sources_own_corpus(planted_reranker: Callable[[str], Reranker]) -> None:
    tokenizer = planted_reranker("planted").tokenizer
    builtin = idf_table(tokenizer)
    with case_source(open_case_source(SAMPLE)):
        own = idf_table(tokenizer)
    assert (builtin.n_docs, own.n_docs) == (800, 150)
    assert own.df != builtin.df and set(own.df) < set(builtin.df)


def test_without_judgements_relevance_neurons_is_inconclusive_and_says_why(
    planted_reranker: Callable[[str], Reranker], tmp_path: Path
) -> None:
    corpus = open_case_source(SAMPLE).corpus
    rows = tmp_path / "unlabelled.jsonl"
    with rows.open("w", encoding="utf-8") as stream:
        for query, passage in zip(corpus.queries, corpus.passages, strict=False):
            stream.write(json.dumps({"query": query.text, "passage": passage.text}) + "\n")
        stream.writelines(
            json.dumps({"query": corpus.queries[0].text, "passage": p.text}) + "\n" for p in corpus.passages
        )
    with case_source(open_case_source(rows)) as source:
        assert source.notes == (NO_JUDGEMENTS,)
        result = relevance_neurons(planted_reranker("planted"), n_pairs=8, n_queries=8, delta=0.05, seed=0)
    assert result.verdict == Verdict.INCONCLUSIVE and "relevance judgements" in result.message
