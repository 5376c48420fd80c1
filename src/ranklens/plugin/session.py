"""The session object: owns the model, the score cache, the records and the report's lifecycle.

Fixtures only hand results to it. Records travel as pytest ``user_properties`` (so they cross
pytest-xdist's process boundary with the test reports) and are merged here, on the controller.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ranklens.errors import RanklensError
from ranklens.fixtures.registry import fixture_name
from ranklens.gate import Baseline, Comparison
from ranklens.models import Reranker, ScoreCache, load_reranker
from ranklens.plugin.options import Settings
from ranklens.report import Report, environment, plain, write_report
from ranklens.report.html import write_html
from ranklens.verdicts import CheckResult, Effect, Kind, Verdict

CHECK_PROPERTY = "ranklens.check"
MODEL_PROPERTY = "ranklens.model"
EXPECTS_PROPERTY = "ranklens.expects_check"
DEFAULT_JSON = Path("reports") / "report.json"


class RanklensSession:
    """State of one pytest session (controller or xdist worker)."""

    def __init__(
        self,
        settings: Settings,
        rootdir: Path,
        resolve_default_model: Callable[[], str],
        baseline: Baseline | None = None,
    ) -> None:
        self.settings = settings
        self.baseline = baseline
        self.rootdir = rootdir
        self.cache = ScoreCache()
        self._resolve_default_model = resolve_default_model
        self._reranker: Reranker | None = None
        self.records: dict[tuple[str, str, str], CheckResult] = {}
        self.model_info: dict[str, Any] | None = None
        self.report_path: Path | None = None
        self.html_path: Path | None = None
        self.comparison: Comparison | None = None

    @property
    def model_id(self) -> str:
        return self.settings.model or self._resolve_default_model()

    def reranker(self) -> Reranker:
        """Load the model once per process; raises :class:`RanklensError` on bad input."""
        if self._reranker is None:
            self._reranker = load_reranker(
                self.model_id,
                device=self.settings.device,
                dtype=self.settings.dtype,
                max_length=self.settings.max_length,
                revision=self.settings.revision,
                allow_pickle=self.settings.allow_pickle,
                cache=self.cache,
            )
        return self._reranker

    # -- records ---------------------------------------------------------------------------

    def collect(self, nodeid: str, properties: list[tuple[str, Any]], failure: str | None) -> None:
        """Merge the records one test report carries; a test that failed before recording gets an
        ``error`` record so the report shows every check that was meant to run."""
        for name, value in properties:
            if name == CHECK_PROPERTY:
                result = CheckResult.from_dict(value)
                self.records[(nodeid, result.check_id, json.dumps(plain(result.params), sort_keys=True))] = result
            elif name == MODEL_PROPERTY and self.model_info is None:
                self.model_info = dict(value)
        expected = next((value for name, value in properties if name == EXPECTS_PROPERTY), None)
        if failure is not None and expected is not None and not any(key[0] == nodeid for key in self.records):
            self.records[(nodeid, "", "")] = _error_record(nodeid, expected, failure)

    def write_report(self) -> Path | None:
        """Write the JSON report if asked to, or if any check ran; atomically. Then gate it against
        the baseline (when there is one and a check ran) and write the HTML page if asked to."""
        path = self.settings.json_path or (self.rootdir / DEFAULT_JSON if self.records else None)
        if path is None:
            return None
        model = self.model_info or {"id": self.settings.model}
        if (name := fixture_name(model.get("path"))) is not None:
            model = {**model, "id": name}  # the fixture's name; its cache directory stays in "path"
        report = Report(
            model=model,
            environment=environment(device=model.get("device"), dtype=model.get("dtype")),
            seed=self.settings.seed,
            sample_size=self.settings.sample_size,
            checks=list(self.records.values()),
        )
        self.report_path = write_report(report, path)
        data = plain(report.to_dict())
        if self.baseline is not None and self.records:
            self.comparison = self.baseline.compare(data)
        if self.settings.html_path is not None:
            baseline = "" if self.baseline is None else str(self.baseline.path)
            self.html_path = write_html(data, self.settings.html_path, comparison=self.comparison, baseline=baseline)
        return self.report_path


def record_properties(result: CheckResult, nodeid: str, model: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The ``user_properties`` entries that carry one record (plain JSON values only)."""
    record = plain({**result.to_dict(), "test_id": nodeid})
    return [(CHECK_PROPERTY, record), (MODEL_PROPERTY, plain(dict(model)))]


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


__all__ = ["RanklensError", "RanklensSession", "record_properties"]
