"""Helpers for the gate's tests: synthetic records and reports (a candidate made worse on purpose
is a record whose per-case outcomes were lowered), and product-suite runs on a fixture model
(a real candidate made worse on purpose is a planted lesion)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ranklens.report import Report, plain
from ranklens.verdicts import Better, CaseOutcome, CheckResult, Effect, Kind, Verdict, case_id
from ranklens.zoo.registry import fixture_path

REPO = Path(__file__).resolve().parents[2]


def record(
    check_id: str = "TFC1",
    values: Sequence[float] | None = None,
    *,
    verdict: Verdict = Verdict.PASS,
    better: Better | None = Better.HIGHER,
    paired: bool = True,
    kind: Kind = Kind.AXIOM,
    threshold: dict[str, Any] | None = None,
    test_id: str = "",
    params: dict[str, Any] | None = None,
) -> CheckResult:
    """A check whose effect is the mean of ``values`` (one per case), with a +-0.1 interval."""
    values = [0.6] * 50 if values is None else values
    mean = sum(values) / len(values)
    cases = tuple(CaseOutcome(case_id(check_id, i), v) for i, v in enumerate(values)) if paired else ()
    return CheckResult(
        check_id,
        kind,
        verdict,
        len(values),
        Effect("mean_difference", mean, mean - 0.1, mean + 0.1, better=better),
        threshold or {},
        params=params or {},
        cases=cases,
        test_id=test_id,
    )


def report(
    *checks: CheckResult, seed: int = 0, sample_size: int | None = None, version: str = "0.1.0"
) -> dict[str, Any]:
    """A plain report dict, as ``read_report`` returns it."""
    environment = {"versions": {"ranklens": version}}
    data: dict[str, Any] = plain(Report({"id": "m"}, environment, seed, sample_size, checks).to_dict())
    return data


@pytest.fixture
def make_report() -> Callable[..., dict[str, Any]]:
    return report


@pytest.fixture
def make_record() -> Callable[..., CheckResult]:
    return record


@dataclass(frozen=True)
class SuiteRun:
    """A product-suite run in a subprocess: the report it wrote, its exit status and its stdout."""

    report: Path
    code: int
    stdout: str


def _run_suites(
    suites: Sequence[str], fixture: str, *, seed: int, sample_size: int | None, out: Path, baseline: Path | None
) -> SuiteRun:
    """``pytest <suites> --model <fixture>`` as a user runs it (gated when ``baseline`` is given),
    the report written to ``out``; the fixture is built into the cache first if needed."""
    command = [sys.executable, "-m", "pytest", *(str(REPO / s) for s in suites)]
    command += ["--model", str(fixture_path(fixture)), "--ranklens-seed", str(seed)]
    command += ["--ranklens-sample-size", str(sample_size)] if sample_size else []
    command += ["--ranklens-json", str(out), "-p", "no:cacheprovider", "-p", "no:xdist", "-q"]
    command += ["--ranklens-baseline", str(baseline)] if baseline is not None else []
    completed = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    return SuiteRun(out, completed.returncode, completed.stdout)


@pytest.fixture(scope="session")
def run_suites() -> Callable[..., SuiteRun]:
    return _run_suites
