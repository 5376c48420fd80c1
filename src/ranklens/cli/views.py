"""``ranklens models`` and ``ranklens history``: pages drawn from reports already written.

``models`` puts several models' reports side by side (:mod:`ranklens.report.html_models`);
``history`` gates each release against the one before and draws every check's effect across the
releases with the gate's decision at each step (:mod:`ranklens.report.html_history`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ranklens.errors import RanklensError

REPORT_NAME = "report.json"


def report_path(given: Path) -> Path:
    """A report file, or the ``report.json`` inside a folder (``ranklens run --out`` writes one there)."""
    if given.is_dir():
        inside = given / REPORT_NAME
        if not inside.is_file():
            raise RanklensError(
                f"{str(given)!r} is a folder without {REPORT_NAME}; pass a report or a run's --out folder."
            )
        return inside
    return given


def release_names(paths: Sequence[Path]) -> list[str]:
    """What a reader calls each report: its run folder's name for ``…/v2/report.json``, else its stem."""
    names = [p.parent.name if p.name == REPORT_NAME and p.parent.name else p.stem for p in paths]
    if len(set(names)) < len(names):
        names = [str(p) for p in paths]
    return names


def write_models_page(reports: Sequence[Path], output: Path) -> Path:
    from ranklens.report import read_report, require_writable, write_atomic
    from ranklens.report.html_models import render_models

    paths = [report_path(p) for p in reports]
    refuse_overwriting_inputs(output, paths, instead="choose an .html path with -o")
    require_writable(output)
    return write_atomic(output, render_models([read_report(p) for p in paths]))


def write_history_page(reports: Sequence[Path], output: Path, config: Any) -> list[str]:
    """Gate each release against the previous one with ``config``; write the page; return one line per step."""
    from ranklens.gate import compare_reports, gate_record
    from ranklens.report import read_report, require_writable, write_atomic
    from ranklens.report.html_history import render_history

    paths = [report_path(p) for p in reports]
    if len(paths) < 2:
        raise RanklensError("ranklens history needs two or more reports (releases, oldest first).")
    refuse_overwriting_inputs(output, paths, instead="choose an .html path with -o")
    require_writable(output)
    names = release_names(paths)
    data = [read_report(p) for p in paths]
    steps = [
        gate_record(compare_reports(before, after, config), baseline=str(path))
        for before, after, path in zip(data, data[1:], paths, strict=False)
    ]
    write_atomic(output, render_history(names, steps))
    return [
        f"{a} -> {b}: gate {s['decision']} ({s['headline']})" for a, b, s in zip(names, names[1:], steps, strict=False)
    ]


def refuse_overwriting_inputs(output: Path, inputs: Sequence[Path | None], *, instead: str) -> None:
    """An output (``render -o``, ``summary --csv``, a models or history page) must never replace a
    JSON report it reads: that would destroy the source of truth. ``instead`` says what to pass."""
    for source in inputs:
        if source is not None and _same_file(output, source):
            raise RanklensError(f"Refusing to write {str(output)!r} over its input {str(source)!r}; {instead}.")


def _same_file(first: Path, second: Path) -> bool:
    if first.resolve() == second.resolve():
        return True
    return first.exists() and second.exists() and first.samefile(second)
