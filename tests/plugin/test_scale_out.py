"""Scale-out with Ray: every (model, suite) job on a worker, merged on the driver into exactly the
report a local run writes; a job that fails or wrote nothing fails the merged report."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ranklens.cli import EXIT_BAD_INPUT, main
from ranklens.cli.many import run_folder_names
from ranklens.report import RunStatus, plain, read_report
from ranklens.report.merge import merge_suite_reports
from ranklens.resources import SUITES
from ranklens.verdicts import CheckResult, Effect, Kind, Verdict


def _part(suite: str, status: str = "partial", reason: str = "", **extra: Any) -> dict[str, Any]:
    check = CheckResult(f"{suite}-check", Kind.AXIOM, Verdict.PASS, 5, Effect("e", 0.5, 0.2, 0.8), {})
    record = {**plain(check.to_dict()), "test_id": f"{suite}/test_x.py::test_x"}
    return {"model": {"id": "m"}, "environment": {}, "seed": 0, "sample_size": None, "checks": [record],
            "status": status, "status_reason": reason, "missing": [], **extra}  # fmt: skip


def test_every_suite_without_gaps_merges_into_a_complete_run() -> None:
    merged = merge_suite_reports({suite: _part(suite) for suite in SUITES})
    assert (merged.status, merged.status_reason, len(merged.checks)) == (
        RunStatus.COMPLETE,
        "all 3 selected checks ran",
        3,
    )


def test_a_failed_interrupted_or_absent_part_makes_the_whole_so() -> None:
    parts = {suite: _part(suite) for suite in SUITES}
    errored = merge_suite_reports(parts | {"axioms": _part("axioms", "error", "the model could not be loaded")})
    assert (errored.status, errored.status_reason) == (RunStatus.ERROR, "axioms: the model could not be loaded")
    stopped = merge_suite_reports(parts | {"circuits": _part("circuits", "interrupted", "interrupted by the user")})
    assert stopped.status == RunStatus.INTERRUPTED
    lacking = merge_suite_reports(
        parts | {"axioms": _part("axioms", missing=[{"test_id": "t", "check_id": "TFC1", "reason": "did not run"}])}
    )
    assert (lacking.status, len(lacking.missing)) == (RunStatus.PARTIAL, 1)
    two = merge_suite_reports({s: parts[s] for s in ("invariants", "axioms")})
    assert two.status_reason == "a subset of the product suites ran (suites not (wholly) selected: circuits)"
    with pytest.raises(ValueError, match="differ in seed"):
        merge_suite_reports(parts | {"axioms": {**_part("axioms"), "seed": 3}})


RUN_ENV = {"SOURCE_DATE_EPOCH": "1700000000", "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
"""Pinned creation time, so reports compare byte for byte; one thread per process, so the runs
do not oversubscribe the cores the other xdist worker is using."""


def _ranklens(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ranklens.cli", *args, "--", "-q", "-p", "no:randomly"]
    env = os.environ | RUN_ENV
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600)


@pytest.fixture(scope="module")
def two_models(
    tiny_checkpoint: Callable[..., Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[str]]:
    """``ranklens run --model A --model B`` (invariants and axioms) once for the module: the folder and the models."""
    folder = tmp_path_factory.mktemp("two-models")
    models = [str(tiny_checkpoint("bert")), str(tiny_checkpoint("electra"))]
    done = _ranklens(*_two_model_arguments(models), "--out", "seq", cwd=folder)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return folder, models


def _two_model_arguments(models: list[str]) -> list[str]:
    arguments = ["run", "--model", models[0], "--model", models[1], "--suite", "invariants", "--suite", "axioms"]
    return [*arguments, "--sample-size", "20"]


def test_run_with_two_models_writes_a_report_each_and_the_page(two_models: tuple[Path, list[str]]) -> None:
    folder, models = two_models
    for model, name in zip(models, run_folder_names(models), strict=True):
        report = read_report(folder / "seq" / name / "report.json")
        assert report["model"]["id"] == model and report["status"] == "partial"
        assert {c["kind"] for c in report["checks"]} == {"invariant", "axiom"} and len(report["checks"]) == 20
    page = (folder / "seq" / "models.html").read_text()
    assert page.count("<td>invariant</td>") == 4 and page.count("<td>axiom</td>") == 16
    assert page.count('<span class="badge') >= 40 and "Not measured alike" not in page


def test_several_models_refuse_a_single_report_path(tiny_checkpoint: Callable[..., Path], tmp_path: Path) -> None:
    model = str(tiny_checkpoint("bert"))
    assert main(["run", "--model", model, "--model", model, "--json", str(tmp_path / "x.json")]) == EXIT_BAD_INPUT
    assert main(["run", "--ray", "--html", str(tmp_path / "x.html"), "--model", model]) == EXIT_BAD_INPUT
    assert not list(tmp_path.iterdir())


def test_a_local_ray_cluster_writes_the_same_reports_as_a_sequential_run(two_models: tuple[Path, list[str]]) -> None:
    """2 models x 2 suites: the reports (JSON and HTML) equal the sequential run's byte for byte
    (timings pinned by SOURCE_DATE_EPOCH), and the side-by-side page is written too."""
    pytest.importorskip("ray")
    folder, models = two_models
    clustered = _ranklens(*_two_model_arguments(models), "--out", "ray", "--ray", cwd=folder)
    assert clustered.returncode == 0, clustered.stdout[-2000:] + clustered.stderr[-3000:]
    for name in run_folder_names(models):
        for file in ("report.json", "report.html"):
            assert (folder / "ray" / name / file).read_bytes() == (folder / "seq" / name / file).read_bytes(), file
    assert (folder / "ray" / "models.html").read_bytes() == (folder / "seq" / "models.html").read_bytes()
