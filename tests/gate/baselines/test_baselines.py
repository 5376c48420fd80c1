"""The committed baselines (``reports/baselines/``) still come out of the harness unchanged.

A baseline is named ``<fixture>--<suite>[+<suite>...].json``: a fixture model (``ranklens
fixtures list``) and the suites it covers. Each is regenerated with its own seed and sample size
and must give the same records (verdict, n, effect, per-case outcomes), and pass the gate against
itself, under pytest and in ``ranklens compare``. A change in the harness that moves a result
must update the baseline on purpose:

    RANKLENS_UPDATE_BASELINES=1 pytest tests/gate/baselines/test_baselines.py

then review the diff of ``reports/baselines/`` before committing it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ranklens.cli import main

REPO = Path(__file__).resolve().parents[3]
BASELINES = sorted((REPO / "reports" / "baselines").glob("*.json"))
UPDATE = os.environ.get("RANKLENS_UPDATE_BASELINES") == "1"
FAILING = ("fail", "error")
"""Verdicts whose product test fails."""
RunSuites = Callable[..., Any]
Regenerated = tuple[Path, Any]
"""The baseline, and the gated run that regenerated it (a ``SuiteRun``)."""


def essence(report: dict[str, Any]) -> dict[str, Any]:
    """What must not move: per check, the verdict, n, effect and cases (6 significant digits, so
    float round-off across CPUs does not count as a change)."""

    def digits(value: float | None) -> float | None:
        return None if value is None else float(f"{value:.6g}")

    return {
        f"{r['check_id']} @ {r['test_id']}": (
            r["verdict"],
            r["n"],
            r["effect"]["name"],
            *(digits(r["effect"][k]) for k in ("value", "ci_low", "ci_high")),
            tuple((c["case_id"], digits(c["value"])) for c in r.get("cases", [])),
        )
        for r in report["checks"]
    }


@pytest.fixture(scope="module", params=BASELINES, ids=[p.stem for p in BASELINES])
def regenerated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, run_suites: RunSuites
) -> Regenerated:
    """The baseline and its regeneration: a run of its suites gated against it (not when updating)."""
    baseline: Path = request.param
    fixture, suites = baseline.stem.split("--")
    recorded = json.loads(baseline.read_text())
    run = run_suites(
        suites.split("+"),
        fixture,
        seed=recorded["seed"],
        sample_size=recorded["sample_size"],
        out=tmp_path_factory.mktemp(baseline.stem) / "report.json",
        baseline=None if UPDATE else baseline,
    )
    if UPDATE:
        shutil.copy(run.report, baseline)
    return baseline, run


def test_regenerating_a_baseline_gives_the_same_records(regenerated: Regenerated) -> None:
    baseline, run = regenerated
    before, after = essence(json.loads(baseline.read_text())), essence(json.loads(run.report.read_text()))
    moved = {
        key: (before.get(key), after.get(key))
        for key in before.keys() | after.keys()
        if before.get(key) != after.get(key)
    }
    assert moved == {}, (
        f"{len(moved)} record(s) of {baseline.name} moved (baseline, now): {moved}. If the change is intended, "
        "run RANKLENS_UPDATE_BASELINES=1 pytest tests/gate/baselines/test_baselines.py and commit the new baseline."
    )


def test_a_regenerated_baseline_passes_the_gate_against_itself(regenerated: Regenerated) -> None:
    """The gate reports no regression, and the report's ``gate`` field records it passed, so the
    exit status is the one the checks' own verdicts give:
    a baseline may record failing checks (planted has no proximity or semantic matching: PROX and
    STMC1 tie on every case, which fails them from 68 cases on and leaves them inconclusive at the
    committed 60), and their tests fail whatever the gate says."""
    if UPDATE:
        pytest.skip("updating the baselines: the run was not gated")
    baseline, run = regenerated
    failing = [r["check_id"] for r in json.loads(baseline.read_text())["checks"] if r["verdict"] in FAILING]
    expected = pytest.ExitCode.TESTS_FAILED if failing else pytest.ExitCode.OK
    gate = next((line for line in run.stdout.splitlines() if line.startswith("ranklens gate: ")), "")
    recorded = json.loads(run.report.read_text())["gate"]
    assert (run.code, bool(gate) and "regressed" not in gate, recorded["decision"]) == (expected, True, "passed"), (
        f"the gated regeneration of {baseline.name} exited {run.code} (failing by their own verdicts: "
        f"{failing}); gate: {gate!r}, recorded {recorded['headline']!r}\n{run.stdout[-3000:]}"
    )


def test_ranklens_compare_passes_a_regenerated_baseline(
    regenerated: Regenerated, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline, run = regenerated
    code = main(["compare", str(baseline), str(run.report)])
    assert code == 0, f"ranklens compare exited {code}:\n{capsys.readouterr().out}"
