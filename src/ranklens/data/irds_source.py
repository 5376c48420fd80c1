"""Case sources from ``ir_datasets`` ids (the optional extra ``ranklens[ir-datasets]``).

ir_datasets downloads a dataset on first use and keeps it in ``~/.ir_datasets``; offline, only
datasets already there work, and any other fails with ir_datasets' own reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from ranklens.data.case_source import CaseSource, Judgements, assemble
from ranklens.data.corpus import Qrel
from ranklens.errors import CaseSourceError

PREFIX = "ir_datasets:"
INSTALL = "pip install 'ranklens[ir-datasets]'"


def irds_source(dataset_id: str) -> CaseSource:
    """Queries, qrels and docs of ``dataset_id`` (e.g. ``beir/scifact/test``), streamed."""
    try:
        import ir_datasets
    except ImportError as error:
        raise CaseSourceError(
            f"--cases {PREFIX}{dataset_id} needs the ir_datasets package, which is not installed: {INSTALL}."
        ) from error
    name = f"{PREFIX}{dataset_id}"
    try:
        dataset = ir_datasets.load(dataset_id)
    except KeyError as error:
        raise CaseSourceError(
            f"ir_datasets does not know {dataset_id!r}; see https://ir-datasets.com for the ids "
            "(e.g. beir/scifact/test)."
        ) from error
    missing = [part for part in ("docs", "queries") if not getattr(dataset, f"has_{part}")()]
    if missing:
        raise CaseSourceError(f"{name} has no {' or '.join(missing)}; choose a dataset id with docs and queries.")
    try:
        judgements = Judgements({q.query_id: _text(q) for q in dataset.queries_iter()})
        if dataset.has_qrels():
            for qrel in dataset.qrels_iter():
                if qrel.query_id in judgements.queries:
                    judgements.qrels.append(Qrel(qrel.query_id, qrel.doc_id, int(qrel.relevance)))
                    judgements.where.setdefault(qrel.doc_id, f"{name} qrels")
    except Exception as error:  # a download that cannot happen offline, a corrupt cache
        raise CaseSourceError(f"{name} could not be read: {type(error).__name__}: {error}") from error

    def passages() -> Iterator[tuple[str, str]]:
        for doc in dataset.docs_iter():
            yield doc.doc_id, _text(doc)

    return assemble(
        name, "ir_datasets", judgements, passages, sha256=_identity(dataset_id), passages_file=f"{name} docs"
    )


def _text(record: Any) -> str:
    """ir_datasets' own rendering of a record's text fields (title and body, where both exist)."""
    return str(record.default_text() if hasattr(record, "default_text") else record.text)


def _identity(dataset_id: str) -> str:
    """ir_datasets pins each id's files by checksum, so the id names the content."""
    return hashlib.sha256(f"ir_datasets\0{dataset_id}".encode()).hexdigest()
