"""Helpers for the gate's tests: synthetic records and reports, built in-process (a candidate made
worse on purpose is a record whose per-case outcomes were lowered). ``baselines/conftest.py`` adds
product-suite runs on fixture models."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from ranklens.report import Report, plain
from ranklens.verdicts import Better, CaseOutcome, CheckResult, Effect, Kind, Verdict, case_id


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
