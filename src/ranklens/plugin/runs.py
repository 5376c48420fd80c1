"""One pytest session, one run per model: ``pytest --model a --model b`` tests both in one session.

With several models every test that uses the model is parametrized over them: its id ends in
``model=NAME`` (``test_tfc1[position=append-model=minilm-ce]``), and the model fixture is
session-scoped, so pytest runs the tests model by model and holds one model at a time. Each
model keeps its own records, completeness, gate and report, written to ``NAME/report.json``
beside where one model's report would go (``ranklens run --model a --model b`` writes the same
layout, one process per model). With one model nothing is parametrized and nothing moves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ranklens.errors import RanklensError
from ranklens.plugin.options import Settings
from ranklens.plugin.session import ModelRun
from ranklens.verdicts import model_in_test_id

if TYPE_CHECKING:
    from ranklens.gate import Baseline

ONLY = ""
"""The key of the one run of a session that tests one model."""
MODELS_PAGE = "models.html"


def run_folder_names(models: Sequence[str]) -> list[str]:
    """A folder name per model: a local folder's own name (a path, even one that does not exist), a
    hub id with ``/`` as ``--``, made safe for a path (and a test id) and numbered where two clash."""
    names = []
    for model in models:
        local = Path(model).expanduser()
        is_path = local.exists() or model.startswith(("/", ".", "~"))
        raw = local.resolve().name if is_path else model.strip("/").replace("/", "--")
        names.append(re.sub(r"[^A-Za-z0-9._-]+", "-", raw).strip(".-") or "model")
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if names.count(name) == 1 else f"{name}-{seen[name]}")
    return unique


class SessionRuns:
    """The runs of one session, keyed by the name the test ids and report folders carry."""

    def __init__(
        self, settings: Settings, rootdir: Path, baseline: Callable[[Path], Baseline | None] | None = None
    ) -> None:
        """``baseline`` reads the baseline at a path (``None`` on xdist workers, which do not gate)."""
        self.settings = settings
        models = settings.models
        if len(models) <= 1:
            self.runs = {ONLY: ModelRun(settings, rootdir, model=models[0] if models else None)}
            if baseline is not None and settings.baseline_path is not None:
                self.runs[ONLY].baseline = baseline(settings.baseline_path)
            return
        names = run_folder_names(models)
        self.runs = {
            name: ModelRun(settings, rootdir, model=model, folder=name)
            for name, model in zip(names, models, strict=True)
        }
        if baseline is not None and settings.baseline_path is not None:
            for name, run in self.runs.items():
                run.baseline = baseline(_model_baseline(settings.baseline_path, name))

    @property
    def several(self) -> bool:
        return len(self.runs) > 1

    def __iter__(self) -> Iterator[ModelRun]:
        return iter(self.runs.values())

    def run(self, name: str) -> ModelRun:
        return self.runs[name]

    def of_test(self, nodeid: str) -> ModelRun | None:
        """The run a test belongs to: the only one, or the model its id names."""
        if not self.several:
            return self.runs[ONLY]
        name = model_in_test_id(nodeid)
        return None if name is None else self.runs.get(name)

    # -- completeness, routed to each model's run ---------------------------------------------

    def select_paths(self, args: Iterable[str], invocation_dir: Path) -> None:
        for run in self:
            run.completeness.select_paths(args, invocation_dir)

    @property
    def targets_product_suites(self) -> bool:
        return any(run.completeness.targets_product_suites for run in self)

    def expect(self, items: Iterable[pytest.Item]) -> None:
        for run, chosen in self._by_run(items).items():
            run.completeness.expect(chosen)

    def deselect(self, items: Iterable[pytest.Item]) -> None:
        for run, chosen in self._by_run(items).items():
            run.completeness.deselect(chosen)

    def worker_output(self) -> dict[str, Any]:
        return {name: run.completeness.worker_output() for name, run in self.runs.items()}

    def merge(self, output: Mapping[str, Any]) -> None:
        for name, part in output.items():
            if name in self.runs:
                self.runs[name].completeness.merge(part)

    def _by_run(self, items: Iterable[pytest.Item]) -> dict[ModelRun, list[pytest.Item]]:
        grouped: dict[ModelRun, list[pytest.Item]] = {}
        for item in items:
            run = self.of_test(item.nodeid)
            if run is not None:
                grouped.setdefault(run, []).append(item)
        return grouped

    # -- the reports ---------------------------------------------------------------------------

    def models_page(self) -> Path | None:
        """With several models and ``--ranklens-html``: their reports side by side in
        ``models.html`` beside the per-model folders, from the complete reports this run wrote."""
        html = self.settings.html_path
        reports = [run.report_path for run in self if run.report_path is not None]
        if not self.several or html is None or not reports:
            return None
        from ranklens.report import read_report, write_atomic
        from ranklens.report.html_models import render_models

        return write_atomic(html.parent / MODELS_PAGE, render_models([read_report(path) for path in reports]))


def _model_baseline(given: Path, name: str) -> Path:
    """Each model's baseline in a folder of per-model reports (what a several-model run writes)."""
    if not given.is_dir():
        raise RanklensError(
            f"--ranklens-baseline {str(given)!r} is one report, but this session tests several models. Pass the "
            f"folder a several-model run wrote (NAME/report.json per model), e.g. the folder holding {name}/."
        )
    return given / name / "report.json"
