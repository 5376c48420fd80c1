"""Case sources from files: a BEIR-layout folder or a JSONL of (query, passage[, label]) rows.

Both are read as streams, line by line, so the corpus is never held whole. Every problem names
the file and line: a line that is not JSON, a row without its fields, text that is not UTF-8,
a judgement naming an unknown query or passage.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ranklens.data.case_source import CaseSource, Judgements, assemble, files_sha256
from ranklens.data.corpus import Corpus, Qrel
from ranklens.errors import CaseSourceError

BEIR_CORPUS = "corpus.jsonl"
BEIR_QUERIES = "queries.jsonl"
BEIR_QRELS = "qrels"
PREFERRED_SPLITS = ("test", "dev", "train")


def json_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of a JSONL file."""
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise CaseSourceError(
                    f"{path}:{number} is not UTF-8 (byte {raw[error.start]:#04x} at column {error.start + 1}); "
                    "save the file as UTF-8."
                ) from error
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise CaseSourceError(
                    f"{path}:{number} is not a JSON object ({error.msg} at column {error.colno}); every line of "
                    "a .jsonl file must be one JSON object."
                ) from error
            if not isinstance(row, dict):
                raise CaseSourceError(f"{path}:{number} is a JSON {type(row).__name__}, not an object.")
            yield number, row


def text_field(row: dict[str, Any], key: str, path: Path, number: int, *, expected: str) -> str:
    value = row.get(key)
    if not isinstance(value, str):
        found = "missing" if value is None else f"a {type(value).__name__}"
        raise CaseSourceError(f"{path}:{number}: field {key!r} is {found}; each line needs {expected}.")
    return value


def beir_source(folder: Path, name: str) -> CaseSource:
    """A BEIR folder: ``corpus.jsonl`` (``_id``, ``title``, ``text``), ``queries.jsonl`` (``_id``,
    ``text``) and ``qrels/<split>.tsv`` (``query-id``, ``corpus-id``, ``score``; ``test`` first)."""
    corpus_file, queries_file = folder / BEIR_CORPUS, folder / BEIR_QUERIES
    for required in (corpus_file, queries_file):
        if not required.is_file():
            raise CaseSourceError(
                f"{name}: {required} is missing. A BEIR folder holds {BEIR_CORPUS}, {BEIR_QUERIES} and "
                f"{BEIR_QRELS}/<split>.tsv (https://github.com/beir-cellar/beir)."
            )
    queries: dict[str, str] = {}
    expected = 'an "_id" and a "text" string'
    for number, row in json_rows(queries_file):
        queries[text_field(row, "_id", queries_file, number, expected=expected)] = text_field(
            row, "text", queries_file, number, expected=expected
        )
    qrels_file = _qrels_file(folder, name)
    judgements = Judgements(queries)
    if qrels_file is not None:
        _read_qrels(qrels_file, judgements)

    def passages() -> Iterator[tuple[str, str]]:
        for number, row in json_rows(corpus_file):
            pid = text_field(row, "_id", corpus_file, number, expected=expected)
            text = text_field(row, "text", corpus_file, number, expected=expected)
            title = row.get("title")
            yield pid, f"{title}. {text}" if isinstance(title, str) and title.strip() else text

    files = [corpus_file, queries_file, *([qrels_file] if qrels_file else [])]
    return assemble(name, "beir", judgements, passages, sha256=files_sha256(files), passages_file=str(corpus_file))


def write_beir(corpus: Corpus, folder: Path, split: str = "test") -> Path:
    """Write ``corpus`` as a BEIR folder (the layout :func:`beir_source` reads), e.g. to see the
    format on the built-in corpus or to derive a sample from it."""
    (folder / BEIR_QRELS).mkdir(parents=True, exist_ok=True)
    with (folder / BEIR_CORPUS).open("w", encoding="utf-8", newline="\n") as stream:
        for passage in corpus.passages:
            row = {"_id": passage.pid, "title": "", "text": passage.text}
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
    with (folder / BEIR_QUERIES).open("w", encoding="utf-8", newline="\n") as stream:
        for query in corpus.queries:
            stream.write(json.dumps({"_id": query.qid, "text": query.text}, ensure_ascii=False) + "\n")
    with (folder / BEIR_QRELS / f"{split}.tsv").open("w", encoding="utf-8", newline="\n") as stream:
        stream.write("query-id\tcorpus-id\tscore\n")
        for qrel in corpus.qrels:
            stream.write(f"{qrel.qid}\t{qrel.pid}\t{qrel.relevance}\n")
    return folder


def _qrels_file(folder: Path, name: str) -> Path | None:
    """``qrels/test.tsv`` (else dev, train, or the only split); None without a qrels folder."""
    directory = folder / BEIR_QRELS
    if not directory.is_dir():
        return None
    splits = sorted(directory.glob("*.tsv"))
    for preferred in PREFERRED_SPLITS:
        if (directory / f"{preferred}.tsv").is_file():
            return directory / f"{preferred}.tsv"
    if len(splits) == 1:
        return splits[0]
    raise CaseSourceError(
        f"{name}: {directory} holds {len(splits)} .tsv files and none is test, dev or train; keep one split there."
    )


def _read_qrels(path: Path, judgements: Judgements) -> None:
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, 1):
            try:
                fields = raw.decode("utf-8").rstrip("\r\n").split("\t")
            except UnicodeDecodeError as error:
                raise CaseSourceError(f"{path}:{number} is not UTF-8; save the file as UTF-8.") from error
            if (number == 1 and fields[0] == "query-id") or not "".join(fields).strip():
                continue
            if len(fields) != 3 or not _is_int(fields[2]):
                raise CaseSourceError(
                    f"{path}:{number}: expected query-id<TAB>corpus-id<TAB>score (an integer), got {raw[:80]!r}."
                )
            qid, pid, score = fields[0], fields[1], int(fields[2])
            if qid not in judgements.queries:
                raise CaseSourceError(
                    f"{path}:{number} judges query {qid!r}, which {BEIR_QUERIES} does not have. Fix the id or drop "
                    "the line."
                )
            judgements.qrels.append(Qrel(qid, pid, score))
            judgements.where.setdefault(pid, f"{path}:{number}")


def _is_int(text: str) -> bool:
    return text.strip().lstrip("-").isdigit()


def pairs_source(path: Path, name: str) -> CaseSource:
    """A JSONL of ``{"query": ..., "passage": ..., "label": 0/1 (optional)}`` rows. Texts are
    their own ids (a hash); a passage listed in many rows counts once in the statistics; a
    positive label is a judgement, a row without one lists the pair unjudged."""
    expected = 'a "query" and a "passage" string (and optionally an integer "label")'
    queries: dict[str, str] = {}
    judgements = Judgements(queries)
    for number, row in json_rows(path):
        query = text_field(row, "query", path, number, expected=expected)
        passage = text_field(row, "passage", path, number, expected=expected)
        label = row.get("label")
        if label is not None and (isinstance(label, bool) or not isinstance(label, int)):
            raise CaseSourceError(f"{path}:{number}: label {label!r} is not an integer; use 1 (relevant) or 0.")
        if not query.strip():
            raise CaseSourceError(f"{path}:{number}: the query is empty; drop the line or give the query's text.")
        qid, pid = _text_id("q", query), _text_id("p", passage)
        queries[qid] = query
        if label is None:
            judgements.listed.append((qid, pid))
        else:
            judgements.qrels.append(Qrel(qid, pid, label))
            judgements.where.setdefault(pid, f"{path}:{number}")

    def passages() -> Iterator[tuple[str, str]]:
        seen: set[str] = set()
        for number, row in json_rows(path):
            text = text_field(row, "passage", path, number, expected=expected)
            pid = _text_id("p", text)
            if pid not in seen:
                seen.add(pid)
                yield pid, text

    return assemble(name, "jsonl", judgements, passages, sha256=files_sha256([path]), passages_file=str(path))


def _text_id(prefix: str, text: str) -> str:
    return prefix + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
