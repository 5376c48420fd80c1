"""Bring-your-own cases: BEIR folders and JSONL pairs read faithfully, in bounded memory, with
errors that name the file and line; the gate refuses to compare two case sources."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ranklens.cases import sample_pairs
from ranklens.data import case_source as case_source_module
from ranklens.data.case_source import NO_JUDGEMENTS, builtin_source
from ranklens.data.corpus import Corpus, load_corpus
from ranklens.data.source_files import write_beir
from ranklens.data.sources import active_source, case_source, open_case_source
from ranklens.data.working_set import lowest_ranked
from ranklens.errors import CaseSourceError
from ranklens.gate import MismatchError, compare_reports
from ranklens.gate.config import GateConfig

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "beir-sample"


def derive_beir_sample(corpus: Corpus) -> Corpus:
    """The committed sample: the first 60 held-out queries by id, their passages, 90 other held-out passages."""
    queries = sorted(corpus.queries_in("heldout"), key=lambda q: q.qid)[:60]
    keep = {q.qid for q in queries}
    qrels = tuple(r for r in corpus.qrels if r.qid in keep)
    judged = {r.pid for r in qrels}
    heldout = sorted((p for p in corpus.passages_in("heldout") if p.pid not in judged), key=lambda p: p.pid)
    passages = tuple(p for p in corpus.passages if p.pid in judged) + tuple(heldout[:90])
    return Corpus(tuple(queries), passages, qrels)


def test_the_committed_beir_sample_is_derived_from_the_committed_corpus(tmp_path: Path) -> None:
    fresh = write_beir(derive_beir_sample(load_corpus()), tmp_path / "sample")
    for name in ("corpus.jsonl", "queries.jsonl", "qrels/test.tsv"):
        assert (fresh / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_the_builtin_corpus_read_back_as_beir_gives_the_same_cases(tmp_path: Path) -> None:
    builtin = builtin_source()
    beir = open_case_source(write_beir(builtin.corpus, tmp_path / "builtin"))
    assert beir.format == "beir" and beir.sha256 != builtin.sha256
    assert beir.words.document_frequency == builtin.words.document_frequency
    assert beir.words.n_documents == builtin.words.n_documents == 800
    assert sample_pairs(n=50, seed=3, corpus=beir.corpus) == sample_pairs(n=50, seed=3, corpus=builtin.corpus)
    assert beir.counts == builtin.counts


def test_the_beir_sample_records_what_it_is() -> None:
    source = open_case_source(SAMPLE)
    record = source.record()
    assert record["format"] == "beir" and record["name"] == str(SAMPLE) and len(record["sha256"]) == 64
    assert record["counts"] == {
        "queries": 60,
        "passages": 150,
        "judgements": 60,
        "working_queries": 60,
        "working_passages": 150,
        "empty_passages": 0,
    }
    assert record["notes"] == [] and source.has_judgements
    assert open_case_source(SAMPLE).sha256 == source.sha256


def test_the_active_source_drives_sampling_and_is_restored() -> None:
    sample = open_case_source(SAMPLE)
    texts = {p.text for p in sample.corpus.passages}
    with case_source(sample):
        assert active_source() is sample
        assert all(document in texts for _, document in sample_pairs(n=40, seed=0))
    assert active_source().format == "builtin"


def _beir(folder: Path, passages: list[tuple[str, str]], queries: list[tuple[str, str]], qrels: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "corpus.jsonl").write_text("".join(json.dumps({"_id": i, "text": t}) + "\n" for i, t in passages))
    (folder / "queries.jsonl").write_text("".join(json.dumps({"_id": i, "text": t}) + "\n" for i, t in queries))
    (folder / "qrels").mkdir(exist_ok=True)
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "".join(line + "\n" for line in qrels))
    return folder


def _synthetic(n_passages: int, n_queries: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[str]]:
    passages = [(f"d{i}", f"passage {i} about topic{i % 17} and word{i % 5}") for i in range(n_passages)]
    queries = [(f"q{i}", f"topic{i % 17} query {i}") for i in range(n_queries)]
    qrels = [f"q{i}\td{(7 * i) % n_passages}\t1" for i in range(n_queries)]
    return passages, queries, qrels


def _cap_working_set(monkeypatch: pytest.MonkeyPatch, *, queries: int, passages: int) -> None:
    """Shrink the working set's caps so a small synthetic corpus exceeds them."""
    monkeypatch.setattr(case_source_module, "MAX_QUERIES", queries)
    monkeypatch.setattr(case_source_module, "MAX_PASSAGES", passages)


def test_a_large_source_keeps_a_bounded_working_set_with_every_kept_querys_judged_passages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cap_working_set(monkeypatch, queries=20, passages=60)
    passages, queries, qrels = _synthetic(2000, 300)
    source = open_case_source(_beir(tmp_path / "big", passages, queries, qrels))
    corpus = source.corpus
    assert (len(corpus.queries), len(corpus.passages)) == (20, 60)
    assert source.counts["passages"] == source.words.n_documents == 2000  # statistics over the whole corpus
    kept = {p.pid for p in corpus.passages}
    assert all(r.pid in kept for r in corpus.qrels) and {r.qid for r in corpus.qrels} == {q.qid for q in corpus.queries}


def test_the_working_set_does_not_depend_on_the_order_of_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cap_working_set(monkeypatch, queries=15, passages=50)
    passages, queries, qrels = _synthetic(500, 100)
    first = open_case_source(_beir(tmp_path / "a", passages, queries, qrels))
    shuffled = random.Random(1)
    passages, queries, qrels = (shuffled.sample(x, len(x)) for x in (passages, queries, qrels))
    second = open_case_source(_beir(tmp_path / "b", passages, queries, qrels))
    assert first.corpus == second.corpus
    assert first.words.document_frequency == second.words.document_frequency


@given(st.lists(st.text(min_size=1, max_size=6), unique=True, max_size=40), st.integers(0, 12), st.randoms())
def test_a_bottom_k_sample_is_the_same_in_any_order(keys: list[str], k: int, rng: random.Random) -> None:
    shuffled = rng.sample(keys, len(keys))
    assert lowest_ranked(keys, k) == lowest_ranked(shuffled, k)
    assert len(lowest_ranked(keys, k)) == min(k, len(keys))


def _pairs_file(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_jsonl_pairs_with_labels_are_judgements(tmp_path: Path) -> None:
    passages, queries, _ = _synthetic(40, 10)
    rows: list[dict[str, object]] = [
        {"query": q, "passage": passages[i][1], "label": 1} for i, (_, q) in enumerate(queries)
    ]
    rows += [{"query": queries[0][1], "passage": p, "label": 0} for _, p in passages[10:]]
    source = open_case_source(_pairs_file(tmp_path / "pairs.jsonl", rows))
    assert source.format == "jsonl" and source.has_judgements and source.notes == ()
    assert source.counts["passages"] == 40 and source.counts["judgements"] == 40
    relevant = source.corpus.relevant()
    assert len(relevant) == 10 and all(len(v) == 1 for v in relevant.values())


def test_jsonl_pairs_without_labels_pair_from_the_listed_pairs_and_say_what_that_changes(tmp_path: Path) -> None:
    passages, queries, _ = _synthetic(40, 10)
    rows: list[dict[str, object]] = [{"query": q, "passage": passages[i][1]} for i, (_, q) in enumerate(queries)]
    rows += [{"query": queries[1][1], "passage": p} for _, p in passages[10:]]
    source = open_case_source(_pairs_file(tmp_path / "pairs.jsonl", rows))
    assert not source.has_judgements and source.notes == (NO_JUDGEMENTS,)
    listed = {(q.text, p.text) for q in source.corpus.queries for p in source.corpus.passages} & {
        (str(r["query"]), str(r["passage"])) for r in rows
    }
    drawn = sample_pairs(n=20, seed=0, corpus=source.corpus)
    assert len(drawn) == 20 and sum(pair in listed for pair in drawn) >= 10


def _refusal(spec: object) -> str:
    with pytest.raises(CaseSourceError) as caught:
        open_case_source(str(spec))
    return str(caught.value)


def test_bad_sources_are_refused_naming_the_file_and_line(tmp_path: Path) -> None:
    passages, queries, qrels = _synthetic(40, 10)
    good = _beir(tmp_path / "good", passages, queries, qrels)
    assert "no such file or folder" in _refusal(tmp_path / "nowhere")
    assert "no corpus.jsonl" in _refusal(tmp_path)
    (tmp_path / "notes.txt").write_text("x")
    assert "must be .jsonl" in _refusal(tmp_path / "notes.txt")

    broken = _beir(tmp_path / "broken", passages, queries, qrels)
    with (broken / "corpus.jsonl").open("a") as stream:
        stream.write('{"_id": "d99", "text": "unterminated\n')
    assert f"{broken / 'corpus.jsonl'}:41 is not a JSON object" in _refusal(broken)

    (broken / "corpus.jsonl").write_text('{"_id": "d0", "body": "no text field"}\n')
    assert "corpus.jsonl:1: field 'text' is missing" in _refusal(broken)

    (broken / "corpus.jsonl").write_bytes(b'{"_id": "d0", "text": "caf\xe9"}\n')
    assert "corpus.jsonl:1 is not UTF-8 (byte 0xe9" in _refusal(broken)

    unknown_query = _beir(tmp_path / "uq", passages, queries, [*qrels, "q404\td1\t1"])
    assert "test.tsv:12 judges query 'q404'" in _refusal(unknown_query)
    unknown_passage = _beir(tmp_path / "up", passages, queries, [*qrels, "q1\td404\t1"])
    assert "test.tsv:12 names passage 'd404', which" in _refusal(unknown_passage)

    (broken / "corpus.jsonl").write_text("")
    assert "holds no passage with text" in _refusal(broken)
    tiny = _beir(tmp_path / "tiny", passages[:5], queries[:3], [])
    assert "3 usable queries and 5 passages; the suites need at least 4 queries" in _refusal(tiny)
    assert good.is_dir() and open_case_source(good).counts["passages"] == 40

    rows = tmp_path / "rows.jsonl"
    _pairs_file(rows, [{"query": "a", "passage": "b", "label": "yes"}])
    assert "rows.jsonl:1: label 'yes' is not an integer" in _refusal(rows)
    _pairs_file(rows, [{"query": "a", "document": "b"}])
    assert "rows.jsonl:1: field 'passage' is missing" in _refusal(rows)


def test_an_ir_datasets_id_without_the_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ir_datasets", None)  # import fails, as when the extra is absent
    assert "pip install 'ranklens[ir-datasets]'" in _refusal("ir_datasets:beir/scifact/test")


def _report(source: dict[str, object] | None) -> dict[str, object]:
    report: dict[str, object] = {"seed": 0, "sample_size": None, "environment": {"versions": {}}, "checks": []}
    return report | ({} if source is None else {"case_source": source})


def test_the_gate_refuses_to_compare_two_case_sources_unless_allowed() -> None:
    builtin = builtin_source().record()
    beir = open_case_source(SAMPLE).record()
    with pytest.raises(MismatchError, match="case source differs: baseline 'builtin'"):
        compare_reports(_report(builtin), _report(beir), GateConfig())
    with pytest.raises(MismatchError, match="before case sources were recorded"):
        compare_reports(_report(None), _report(beir), GateConfig())
    allowed = compare_reports(_report(builtin), _report(beir), GateConfig(allow_mismatch=True))
    assert any("case source differs" in note for note in allowed.notes)
    for base, new in ((builtin, builtin), (None, builtin), (beir, beir)):
        assert not any("case source" in n for n in compare_reports(_report(base), _report(new), GateConfig()).notes)


def test_an_ir_datasets_dataset_reads_like_the_same_data_as_a_beir_folder(tmp_path: Path) -> None:
    ir_datasets = pytest.importorskip("ir_datasets")
    from ir_datasets.datasets.base import Dataset
    from ir_datasets.formats import TrecQrels, TsvDocs, TsvQueries
    from ir_datasets.util import LocalDownload

    def rows(name: str) -> list[dict[str, str]]:
        return [json.loads(line) for line in (SAMPLE / name).read_text(encoding="utf-8").splitlines()]

    (tmp_path / "docs.tsv").write_text("".join(f"{r['_id']}\t{r['text']}\n" for r in rows("corpus.jsonl")))
    (tmp_path / "queries.tsv").write_text("".join(f"{r['_id']}\t{r['text']}\n" for r in rows("queries.jsonl")))
    judged = [line.split("\t") for line in (SAMPLE / "qrels" / "test.tsv").read_text().splitlines()[1:]]
    (tmp_path / "qrels.txt").write_text("".join(f"{q} 0 {d} {s}\n" for q, d, s in judged))
    dataset = Dataset(
        TsvDocs(LocalDownload(tmp_path / "docs.tsv")),
        TsvQueries(LocalDownload(tmp_path / "queries.tsv")),
        TrecQrels(LocalDownload(tmp_path / "qrels.txt"), {1: "relevant"}),
    )
    if "ranklens-test/beir-sample" not in ir_datasets.registry:
        ir_datasets.registry.register("ranklens-test/beir-sample", dataset)
    source = open_case_source("ir_datasets:ranklens-test/beir-sample")
    beir = open_case_source(SAMPLE)
    assert source.format == "ir_datasets" and source.counts == beir.counts
    assert source.corpus == beir.corpus and source.words.document_frequency == beir.words.document_frequency
    assert "does not know 'no/such'" in _refusal("ir_datasets:no/such")
