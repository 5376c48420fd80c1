"""The gate under pytest (``--ranklens-baseline``), end to end in subprocesses (pytester): it
fails the session through the exit status, names regressed checks with numbers, records its
decision in the report's ``gate`` field (the HTML page drawn from that JSON), warns on
improvements, honours markers and pyproject tolerances, and refuses incomparable baselines."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from ranklens.report import Report, environment, read_report, write_report
from ranklens.report.html import render_html
from ranklens.verdicts import Better, CaseOutcome, CheckResult, Effect, Kind, Verdict, case_id

pytest_plugins = ["pytester"]
INVARIANTS = Path(__file__).resolve().parents[3] / "invariants"
NOISY = [0.6 + (0.3 if i % 2 else -0.3) for i in range(50)]

SUITE = """
import os
import pytest
from ranklens.verdicts import Better, CaseOutcome, CheckResult, Effect, Kind, Verdict, case_id

SHIFT = float(os.environ["RANKLENS_TEST_SHIFT"])
VALUES = [0.6 + (0.3 if i % 2 else -0.3) + SHIFT for i in range(50)]

def result(check_id):
    mean = sum(VALUES) / len(VALUES)
    return CheckResult(
        check_id, Kind.AXIOM, Verdict.PASS, 50,
        Effect("mean_difference", mean, mean - 0.1, mean + 0.1, better=Better.HIGHER), {"min_effect": 0.1},
        cases=tuple(CaseOutcome(case_id(check_id, i), v) for i, v in enumerate(VALUES)),
    )

@pytest.mark.ranklens_check("TFC1", kind="axiom")
def test_tfc1(record_check):
    assert record_check(result("TFC1")).verdict == Verdict.PASS

@pytest.mark.ranklens_tolerance(0.5)
@pytest.mark.ranklens_check("TFC2", kind="axiom")
def test_tfc2(record_check):
    assert record_check(result("TFC2")).verdict == Verdict.PASS
"""


def baseline_record(check_id: str) -> CheckResult:
    return CheckResult(
        check_id,
        Kind.AXIOM,
        Verdict.PASS,
        50,
        Effect("mean_difference", 0.6, 0.5, 0.7, better=Better.HIGHER),
        {"min_effect": 0.1},
        cases=tuple(CaseOutcome(case_id(check_id, i), v) for i, v in enumerate(NOISY)),
    )


@pytest.fixture
def gated(
    pytester: pytest.Pytester, tiny_checkpoint: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., pytest.RunResult]:
    """Run the synthetic suite, its effects shifted by ``shift``, against a baseline (seed 0)."""
    pytester.makepyfile(test_suite=SUITE)
    checks = [baseline_record("TFC1"), baseline_record("TFC2")]
    base = write_report(Report({"id": "base"}, environment(), 0, None, checks), pytester.path / "base.json")

    def run(shift: float, *args: str) -> pytest.RunResult:
        monkeypatch.setenv("RANKLENS_TEST_SHIFT", str(shift))
        return pytester.runpytest_subprocess(
            "--model", str(tiny_checkpoint("bert")), "--ranklens-baseline", str(base), *args, "-p", "no:cacheprovider"
        )

    return run


def test_a_regressed_effect_fails_the_session_though_every_test_passed(gated: Callable[..., pytest.RunResult]) -> None:
    result = gated(-0.2, "--ranklens-html", "out.html")
    outcomes = result.parseoutcomes()
    out = result.stdout.str()
    named = "REGRESSED TFC1: mean_difference worse by 0.2; mean_difference 0.6 [0.5, 0.7] -> 0.4 [0.3, 0.5]" in out
    html = (Path(result.stdout.str().split("HTML report: ")[1].split()[0])).read_text()
    assert (result.ret, outcomes.get("passed"), named, "REGRESSED TFC2" in out, "regressed" in html) == (
        1,
        2,
        True,
        False,
        True,
    ), f"exit {result.ret}, outcomes {outcomes}:\n{out[-3000:]}"


def test_a_gated_run_records_the_gate_in_its_json_and_draws_the_page_from_that_json(
    gated: Callable[..., pytest.RunResult], pytester: pytest.Pytester
) -> None:
    gated(-0.2, "--ranklens-json", "r.json", "--ranklens-html", "r.html")
    data = read_report(pytester.path / "r.json")
    rows = {row["check"]: row["status"] for row in data["gate"]["checks"]}
    same_page = (pytester.path / "r.html").read_text() == render_html(data)
    assert (data["gate"]["decision"], rows, same_page) == (
        "failed",
        {"TFC1": "regressed", "TFC2": "unchanged"},
        True,
    ), data["gate"]


def test_an_unchanged_candidate_passes_the_gate(gated: Callable[..., pytest.RunResult]) -> None:
    result = gated(0.0)
    assert (result.ret, "ranklens gate: 2 unchanged" in result.stdout.str()) == (0, True), result.stdout.str()[-3000:]


def test_an_improvement_warns_and_suggests_refreshing_the_baseline(gated: Callable[..., pytest.RunResult]) -> None:
    result = gated(0.2)
    out = result.stdout.str()
    assert (result.ret, "IMPROVED TFC1" in out, "refresh the baseline" in out) == (0, True, True), out[-3000:]


def test_a_marker_tolerance_travels_in_the_report(
    gated: Callable[..., pytest.RunResult], pytester: pytest.Pytester
) -> None:
    gated(0.0, "--ranklens-json", "r.json")
    thresholds = {r["check_id"]: r["threshold"] for r in json.loads((pytester.path / "r.json").read_text())["checks"]}
    assert thresholds["TFC2"] == {"min_effect": 0.1, "regression_tolerance": 0.5}, thresholds


def test_a_pyproject_tolerance_for_a_check_overrides_the_default(
    gated: Callable[..., pytest.RunResult], pytester: pytest.Pytester
) -> None:
    pytester.makefile(".toml", pyproject="[tool.ranklens.gate.tolerances]\nTFC1 = 0.5\n")
    result = gated(-0.2)
    assert result.ret == 0, result.stdout.str()[-3000:]


def test_a_baseline_with_another_seed_stops_the_session_before_any_test(gated: Callable[..., pytest.RunResult]) -> None:
    result = gated(0.0, "--ranklens-seed", "3")
    err = result.stderr.str()
    assert (result.ret, "seed differs: baseline 0, new 3" in err) == (pytest.ExitCode.USAGE_ERROR, True), err[-2000:]


def test_an_allowed_mismatch_runs_and_says_so(gated: Callable[..., pytest.RunResult]) -> None:
    result = gated(0.0, "--ranklens-seed", "3", "--ranklens-allow-mismatch")
    out = result.stdout.str()
    assert (result.ret, "note: allowed: seed differs" in out) == (0, True), out[-3000:]


def test_a_real_run_on_a_candidate_made_worse_fails_the_gate_naming_the_check(
    pytester: pytest.Pytester, tiny_checkpoint: Callable[..., Path]
) -> None:
    """tiny-bert's invariant suite, then a release of it whose tokenizer declares a 64-token window:
    most pairs are now too long, so ``window_fit`` regresses from a 0 to a high violation rate."""
    candidate = pytester.path / "candidate"
    shutil.copytree(tiny_checkpoint("bert"), candidate)
    settings = json.loads((candidate / "tokenizer_config.json").read_text())
    (candidate / "tokenizer_config.json").write_text(json.dumps({**settings, "model_max_length": 64}))
    common = (str(INVARIANTS), "--ranklens-sample-size", "40", "-p", "no:cacheprovider")
    model = str(tiny_checkpoint("bert"))
    pytester.runpytest_subprocess(*common, "--model", model, "--ranklens-json", "base.json").assert_outcomes(passed=4)
    result = pytester.runpytest_subprocess(*common, "--model", str(candidate), "--ranklens-baseline", "base.json")
    line = next((x for x in result.stdout.lines if x.startswith("REGRESSED window_fit")), "")
    assert (result.ret, "rate_too_long 0 [0, " in line) == (1, True), result.stdout.str()[-3000:]
