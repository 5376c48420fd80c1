"""The run's case source: chosen once per session (``--cases``), read by every suite.

A process tests one case source at a time, so it is held here rather than passed through every
builder; :func:`use_case_source` sets it (the pytest plugin, at configure time, in the
controller and in each xdist worker) and :func:`active_source` reads it (the built-in corpus
unless set).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ranklens.data.case_source import BUILTIN, CaseSource, builtin_source
from ranklens.data.irds_source import PREFIX, irds_source
from ranklens.data.source_files import BEIR_CORPUS, beir_source, pairs_source
from ranklens.data.word_stats import filler_words
from ranklens.errors import CaseSourceError

_active: CaseSource | None = None


def open_case_source(spec: str | Path | None) -> CaseSource:
    """``None`` or ``"builtin"``: the committed corpus; a folder with ``corpus.jsonl``: BEIR; a
    ``.jsonl`` file: (query, passage[, label]) rows; ``ir_datasets:ID``: an ir_datasets dataset."""
    if spec is None or str(spec) == BUILTIN:
        return _builtin()
    text = str(spec)
    if text.startswith(PREFIX):
        return irds_source(text[len(PREFIX) :])
    path = Path(text).expanduser()
    if path.is_dir():
        if not (path / BEIR_CORPUS).is_file():
            raise CaseSourceError(
                f"--cases {text}: the folder has no {BEIR_CORPUS}. Point it at a BEIR folder (corpus.jsonl, "
                "queries.jsonl, qrels/<split>.tsv) or at a .jsonl file of query/passage rows."
            )
        return beir_source(path, text)
    if path.is_file():
        if path.suffix != ".jsonl":
            raise CaseSourceError(
                f'--cases {text}: a file must be .jsonl with one {{"query", "passage", "label"}} object per line.'
            )
        return pairs_source(path, text)
    raise CaseSourceError(
        f"--cases {text}: no such file or folder. Pass a BEIR folder, a .jsonl of query/passage rows, "
        f"or {PREFIX}ID for an ir_datasets dataset."
    )


@functools.cache
def _builtin() -> CaseSource:
    return builtin_source()


def active_source() -> CaseSource:
    """The session's case source (the built-in corpus unless :func:`use_case_source` set one)."""
    return _active if _active is not None else _builtin()


def use_case_source(source: CaseSource | None) -> None:
    """Make ``source`` the one every suite samples from (``None``: back to the built-in corpus)."""
    global _active
    _active = source


def filler_vocabulary() -> tuple[str, ...]:
    """The active source's filler words (:func:`ranklens.data.word_stats.filler_words`)."""
    return filler_words(active_source().words)


@contextmanager
def case_source(source: CaseSource) -> Iterator[CaseSource]:
    """Use ``source`` inside a ``with`` block (tests, notebooks), then restore the previous one."""
    previous = _active
    use_case_source(source)
    try:
        yield source
    finally:
        use_case_source(previous)
