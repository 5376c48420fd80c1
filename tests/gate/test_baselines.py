"""The committed baselines (``reports/baselines/``) still come out of the harness unchanged.

A baseline is named ``<fixture>--<suite>[+<suite>...].json``: a fixture model (``ranklens
fixtures list``) and the suites it covers. Each is regenerated with its own seed and sample size
and must give the same records (verdict, n, effect, per-case outcomes), and pass the gate against
itself. A change in the harness that moves a result must update the baseline on purpose:

    RANKLENS_UPDATE_BASELINES=1 pytest tests/gate/test_baselines.py

then review the diff of ``reports/baselines/`` before committing it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ranklens.fixtures.registry import fixture_path

REPO = Path(__file__).resolve().parents[2]
BASELINES = sorted((REPO / "reports" / "baselines").glob("*.json"))
UPDATE = os.environ.get("RANKLENS_UPDATE_BASELINES") == "1"


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
def regenerated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """(baseline, regenerated report, exit status of the gated run)."""
    baseline: Path = request.param
    fixture, suites = baseline.stem.split("--")
    recorded = json.loads(baseline.read_text())
    out = tmp_path_factory.mktemp(baseline.stem) / "report.json"
    command = [sys.executable, "-m", "pytest", *(str(REPO / s) for s in suites.split("+"))]
    command += ["--model", str(fixture_path(fixture)), "--ranklens-seed", str(recorded["seed"])]
    command += ["--ranklens-sample-size", str(recorded["sample_size"])] if recorded["sample_size"] else []
    command += ["--ranklens-json", str(out), "-p", "no:cacheprovider", "-p", "no:xdist", "-q"]
    if not UPDATE:
        command += ["--ranklens-baseline", str(baseline)]
    completed = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    if UPDATE:
        shutil.copy(out, baseline)
    return baseline, out, completed.returncode


def test_regenerating_a_baseline_gives_the_same_records(regenerated: tuple[Path, Path, int]) -> None:
    baseline, out, _ = regenerated
    before, after = essence(json.loads(baseline.read_text())), essence(json.loads(out.read_text()))
    moved = {
        key: (before.get(key), after.get(key))
        for key in before.keys() | after.keys()
        if before.get(key) != after.get(key)
    }
    assert moved == {}, (
        f"{len(moved)} record(s) of {baseline.name} moved (baseline, now): {moved}. If the change is intended, "
        "run RANKLENS_UPDATE_BASELINES=1 pytest tests/gate/test_baselines.py and commit the new baseline."
    )


def test_a_regenerated_baseline_passes_the_gate_against_itself(regenerated: tuple[Path, Path, int]) -> None:
    baseline, _, code = regenerated
    assert code == 0, f"the gated regeneration of {baseline.name} exited {code}"
