"""Product-suite runs on a fixture model, as a user runs them: what regenerates a committed
baseline, and a real candidate made worse on purpose (a planted lesion) gated against one."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from ranklens.zoo.registry import fixture_path

REPO = Path(__file__).resolve().parents[3]


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
