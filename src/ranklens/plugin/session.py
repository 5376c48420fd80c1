"""One model's run in a session: owns the model, the score cache, the records and the report's lifecycle.

A session runs one :class:`ModelRun` per model it was asked to test (:mod:`ranklens.plugin.runs`).
Fixtures only hand results to it. Records travel as pytest ``user_properties`` (so they cross
pytest-xdist's process boundary with the test reports) and are merged here, on the controller.

The model is resolved and loaded once, when the session starts (on the controller; each xdist
worker loads its own copy), so a checkpoint that cannot be used stops the run before any test,
with one message. The report says how complete the run was (:class:`~ranklens.report.RunStatus`),
and a run that is less complete than the report already at its path never replaces it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ranklens.errors import RanklensError
from ranklens.plugin.completeness import Completeness
from ranklens.plugin.options import Settings
from ranklens.report import Report, RunStatus, environment, plain, report_status, write_report
from ranklens.verdicts import CheckResult, Effect, Kind, Verdict

if TYPE_CHECKING:  # the model stack (torch) and the gate (scipy) are imported when a run needs them
    from ranklens.gate import Baseline, Comparison
    from ranklens.models import Pair, Reranker
    from ranklens.zoo.registry import ModelSource

CHECK_PROPERTY = "ranklens.check"
EXPECTS_PROPERTY = "ranklens.expects_check"
DEFAULT_JSON = Path("reports") / "report.json"
INVARIANT_PAIRS = 64
Progress = Callable[[int, int], None]


class ModelRun:
    """State of one model's run in a pytest session (controller or xdist worker)."""

    def __init__(
        self,
        settings: Settings,
        rootdir: Path,
        *,
        model: str | None,
        folder: str | None = None,
        baseline: Baseline | None = None,
    ) -> None:
        """``model`` is what to load (``None``: the default model); ``folder``, when the session
        tests several models, is the folder this model's report goes to beside one model's."""
        self.settings = settings
        self.model = model
        self.folder = folder
        self.baseline = baseline
        self.rootdir = rootdir
        self.json_path = _in_folder(settings.json_path, folder)
        self.html_target = _in_folder(settings.html_path, folder)
        self.completeness = Completeness(rootdir)
        self._reranker: Reranker | None = None
        self._source: ModelSource | None = None
        self.records: dict[tuple[str, str, str], CheckResult] = {}
        self.model_info: dict[str, Any] | None = None
        self.report_path: Path | None = None
        self.html_path: Path | None = None
        self.comparison: Comparison | None = None
        self.status_reason = ""

    # -- the model -------------------------------------------------------------------------

    def model_source(self, progress: Progress | None = None) -> ModelSource:
        """What to load, resolved once: ``--model``, else the embedded default model (built on
        first use, with ``progress``)."""
        if self._source is None:
            from ranklens.zoo.registry import resolve_model

            self._source = resolve_model(self.model, progress=progress)
        return self._source

    def reranker(self) -> Reranker:
        """The model, loaded once per process; raises :class:`RanklensError` on bad input."""
        if self._reranker is None:
            from ranklens.models import ScoreCache, load_reranker

            source = self.model_source()
            self._reranker = load_reranker(
                source.location,
                name=source.name,
                device=self.settings.device,
                dtype=self.settings.dtype,
                max_length=self.settings.max_length,
                revision=self.settings.revision,
                allow_pickle=self.settings.allow_pickle,
                cache=ScoreCache(),
            )
            self.model_info = self._reranker.info.to_dict()
        return self._reranker

    def check_window(self) -> None:
        """Refuse a ``--ranklens-max-length`` too short for the suites' own cases, before any test:
        every invariant pair must fit, or the invariants would fail on the option, not the model."""
        if self.settings.max_length is None:
            return
        needed = int(self.reranker().token_lengths(invariant_pairs(self.settings)).max())
        if self.settings.max_length < needed:
            raise RanklensError(
                f"--ranklens-max-length {self.settings.max_length} is shorter than the suites' cases: the "
                f"invariant pairs need up to {needed} tokens with this tokenizer. Pass at least {needed}, or leave "
                f"the option out to use the model's window ({self.reranker().info.max_length} tokens)."
            )

    def release_model(self) -> None:
        """Free the model: on an xdist controller, which only checked that it loads, and once a
        model's tests are done when the session tests several."""
        self._reranker = None

    # -- records ---------------------------------------------------------------------------

    def collect(self, nodeid: str, properties: list[tuple[str, Any]], failure: str | None) -> None:
        """Merge the records one test report carries; a test that failed before recording gets an
        ``error`` record so the report shows every check that was meant to run."""
        for name, value in properties:
            if name == CHECK_PROPERTY:
                result = CheckResult.from_dict(value)
                self.records[(nodeid, result.check_id, json.dumps(plain(result.params), sort_keys=True))] = result
        expected = next((value for name, value in properties if name == EXPECTS_PROPERTY), None)
        if failure is not None and expected is not None and not self.recorded(nodeid):
            self.records[(nodeid, "", "")] = _error_record(nodeid, expected, failure)

    def recorded(self, nodeid: str) -> bool:
        return any(key[0] == nodeid for key in self.records)

    # -- the report ------------------------------------------------------------------------

    def report_target(self) -> Path | None:
        """Where the report belongs: ``--ranklens-json``, else ``reports/report.json`` once a check ran
        (with several models, ``FOLDER/report.json`` beside either)."""
        default = DEFAULT_JSON if self.folder is None else DEFAULT_JSON.parent / self.folder / DEFAULT_JSON.name
        return self.json_path or (self.rootdir / default if self.records else None)

    def write_report(self, *, interrupted: bool = False) -> Path | None:
        """Gate the run against the baseline, write the JSON report with the gate's answer in it
        (atomically, never over a more complete one), and the HTML page from that JSON if asked to."""
        target = self.report_target()
        if target is None:
            return None
        status, self.status_reason, missing = self.completeness.assess(self.records, interrupted=interrupted)
        report = self._report(status, self.status_reason, missing)
        if self.baseline is not None:
            from ranklens.gate import gate_record

            self.comparison = self.baseline.compare(plain(report.to_dict()))
            report = replace(report, gate=gate_record(self.comparison, baseline=str(self.baseline.path)))
        data = plain(report.to_dict())
        self.report_path = write_report(data, destination(target, status))
        if self.html_target is not None:
            from ranklens.report.html import write_html

            html = self.html_target if self.report_path == target else _beside(self.html_target, status)
            self.html_path = write_html(data, html)
        return self.report_path

    def write_error_report(self, message: str) -> Path | None:
        """The report of a run that could not start (the model did not load): marked ``error``,
        written only where the user asked for a report, and never over an earlier one."""
        target = self.json_path
        if target is None:
            return None
        report = self._report(RunStatus.ERROR, message, ())
        self.report_path = write_report(report, destination(target, RunStatus.ERROR))
        return self.report_path

    def model_record(self) -> dict[str, Any]:
        """The report's ``model``: what the loaded model says about itself, or, when it did not
        load, the name it was asked for."""
        if self.model_info is not None:
            return self.model_info
        return {"id": self._source.name if self._source is not None else self.model}

    def _report(self, status: RunStatus, reason: str, missing: Any) -> Report:
        model = self.model_record()
        return Report(
            model=model,
            environment=environment(device=model.get("device"), dtype=model.get("dtype")),
            seed=self.settings.seed,
            sample_size=self.settings.sample_size,
            checks=list(self.records.values()),
            status=status,
            status_reason=reason,
            missing=missing,
            case_source=_case_source_record(),
        )


def invariant_pairs(settings: Settings) -> list[Pair]:
    """The seeded source pairs (relevant and not) the scoring invariants measure, the same for every model."""
    from ranklens.strategies import sample_source_pairs

    return sample_source_pairs(n=settings.sample_size or INVARIANT_PAIRS, seed=settings.seed)


def _in_folder(path: Path | None, folder: str | None) -> Path | None:
    return path if path is None or folder is None else path.parent / folder / path.name


def _case_source_record() -> dict[str, Any]:
    from ranklens.data.sources import active_source

    return active_source().record()


_COMPLETENESS = (RunStatus.ERROR, RunStatus.INTERRUPTED, RunStatus.PARTIAL, RunStatus.COMPLETE)


def destination(target: Path, status: RunStatus) -> Path:
    """``target``, unless it holds something more complete than this run, or something that is
    not a ranklens report at all: then ``report.<status>.json`` beside it. A complete run always
    takes ``target``; no partial, interrupted or failed run ever destroys earlier evidence."""
    if status == RunStatus.COMPLETE or not target.exists():
        return target
    held = _held_status(target)
    if held is not None and _COMPLETENESS.index(held) <= _COMPLETENESS.index(status):
        return target
    return _beside(target, status)


def _beside(path: Path, status: RunStatus) -> Path:
    return path.with_name(f"{path.stem}.{status}{path.suffix}")


def _held_status(path: Path) -> RunStatus | None:
    """How complete the report at ``path`` is; ``None`` when it is not a report we can read. A
    report older than status tracking counts as complete when it holds checks."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or "checks" not in data:
        return None
    status = report_status(data)
    return status or (RunStatus.COMPLETE if data["checks"] else RunStatus.ERROR)


def record_properties(result: CheckResult, nodeid: str) -> list[tuple[str, Any]]:
    """The ``user_properties`` entry that carries one record (plain JSON values only)."""
    return [(CHECK_PROPERTY, plain({**result.to_dict(), "test_id": nodeid}))]


def _error_record(nodeid: str, expected: Mapping[str, str], failure: str) -> CheckResult:
    return CheckResult(
        check_id=expected["check_id"],
        kind=Kind(expected["kind"]),
        verdict=Verdict.ERROR,
        n=0,
        effect=Effect("undefined", float("nan"), float("nan"), float("nan")),
        threshold={},
        message=failure,
        test_id=nodeid,
    )


__all__ = ["ModelRun", "RanklensError", "destination", "invariant_pairs", "record_properties"]
