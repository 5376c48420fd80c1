"""The release gate stops a real candidate made worse on purpose: planted without saturation.

``planted-no-saturation`` is ``planted`` with term frequency entering linearly (k1 = inf), so
TFC2 (each further occurrence adds less) loses its ground truth and the rest of BM25 stays. Its
axioms suite, run with the committed ``planted`` baseline's seed and sample size, must be stopped
by ``ranklens compare`` (exit 1) and by the pytest gate (the session fails), both naming TFC2
with its numbers, and its report must record that decision in its ``gate`` field. The candidate
is another model than the baseline's (another weights fingerprint): comparing a new model with
the last release's baseline is what the gate is for, so it must not refuse. That the unchanged
``planted`` passes the gate is test_baselines.py's regeneration of the same baseline. One
candidate run serves every test here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ranklens.cli import main

BASELINE = Path(__file__).resolve().parents[3] / "reports" / "baselines" / "planted--axioms.json"
CANDIDATE = "planted-no-saturation"
TFC2 = 'TFC2[position="append", step=1]'
NUMBERS = r"net_preference [-\d.]+ \[[-\d.]+, [-\d.]+\] -> [-\d.]+ \[[-\d.]+, [-\d.]+\]"
"""``effect [ci_low, ci_high] -> effect [ci_low, ci_high]``, baseline then candidate."""


@pytest.fixture(scope="module")
def candidate(tmp_path_factory: pytest.TempPathFactory, run_suites: Callable[..., Any]) -> Any:
    """The candidate's axioms suite gated against the planted baseline (a ``SuiteRun``)."""
    recorded = json.loads(BASELINE.read_text())
    return run_suites(
        ["axioms"],
        CANDIDATE,
        seed=recorded["seed"],
        sample_size=recorded["sample_size"],
        out=tmp_path_factory.mktemp(CANDIDATE) / "report.json",
        baseline=BASELINE,
    )


def test_ranklens_compare_exits_1_and_its_table_names_the_lesioned_check(
    candidate: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["compare", str(BASELINE), str(candidate.report)])
    out = capsys.readouterr().out
    row = re.search(rf"^REGRESSED +{re.escape(TFC2)} +pass -> \w+ +{NUMBERS} +-[\d.]+ \[", out, flags=re.MULTILINE)
    assert (code, row is not None) == (1, True), f"exit {code}:\n{out}"


def test_the_pytest_gate_fails_the_session_naming_the_lesioned_check(candidate: Any) -> None:
    worse = r"verdict pass -> \w+; net_preference worse by [\d.]+"
    pattern = rf"^REGRESSED {re.escape(TFC2)}: {worse}; {NUMBERS} \(paired shift -"
    line = re.search(pattern, candidate.stdout, flags=re.MULTILINE)
    failed = "ranklens gate: FAILED against the baseline" in candidate.stdout
    assert (candidate.code, line is not None, failed) == (1, True, True), (
        f"exit {candidate.code}:\n{candidate.stdout[-4000:]}"
    )


def test_the_candidates_report_records_the_failed_gate_and_the_lesioned_check(candidate: Any) -> None:
    gate = json.loads(candidate.report.read_text())["gate"]
    row = next((c for c in gate["checks"] if c["check"] == TFC2), {})
    found = (gate["decision"], row.get("status"), gate["baseline"] == str(BASELINE))
    assert found == ("failed", "regressed", True), f"{found}: {gate['headline']}, {gate['failures']}"
