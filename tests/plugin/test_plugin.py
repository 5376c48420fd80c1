"""The pytest plugin end to end, in subprocesses (pytester): options, records, report, xdist, exits."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ranklens.report import SCHEMA_VERSION

REPO = Path(__file__).resolve().parents[2]
INVARIANTS = REPO / "invariants"
INVARIANT_CHECKS = {"window_fit", "score_determinism", "batch_size_invariance", "batch_order_invariance"}

pytest_plugins = ["pytester"]


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(*args, "-p", "no:cacheprovider", "-p", "no:randomly")


def checks(path: Path) -> dict[str, dict[str, object]]:
    return {record["check_id"]: record for record in json.loads(path.read_text())["checks"]}


@pytest.mark.parametrize("architecture", ["bert", "electra", "xlm-roberta", "distilbert", "modernbert"])
def test_invariant_suite_writes_real_verdicts_for_each_architecture(
    pytester: pytest.Pytester, tiny_checkpoint: Callable[..., Path], architecture: str
) -> None:
    out = pytester.path / "out.json"
    result = run(pytester, str(INVARIANTS), "--model", str(tiny_checkpoint(architecture)), "--ranklens-json", str(out))
    result.assert_outcomes(passed=4)
    report = json.loads(out.read_text())
    records = checks(out)
    assert set(records) == INVARIANT_CHECKS
    assert {r["verdict"] for r in records.values()} == {"pass"}
    assert all(r["n"] == 64 and r["kind"] == "invariant" and r["effect"]["ci_high"] > 0 for r in records.values())
    assert report["model"]["architecture"].lower().startswith(architecture.replace("-", "")[:5])
    assert report["model"]["fingerprint"].startswith("sha256:")
    assert report["schema_version"] == SCHEMA_VERSION
    assert report["seed"] == 0


def test_records_from_xdist_workers_merge_on_the_controller(
    pytester: pytest.Pytester, tiny_checkpoint: Callable[..., Path]
) -> None:
    out = pytester.path / "out.json"
    result = run(
        pytester,
        str(INVARIANTS),
        "--model",
        str(tiny_checkpoint("bert")),
        "--ranklens-json",
        str(out),
        "-n",
        "2",
        "--ranklens-seed",
        "7",
        "--ranklens-sample-size",
        "40",
    )
    result.assert_outcomes(passed=4)
    report = json.loads(out.read_text())
    assert set(checks(out)) == INVARIANT_CHECKS
    assert (report["seed"], report["sample_size"], report["model"]["adapter"]) == (7, 40, "bert")
    assert {r["n"] for r in report["checks"]} == {40}


FAILING_SUITE = """
import pytest

from ranklens.report import SCHEMA_VERSION
from ranklens.verdicts import CheckResult, Effect, Kind, Verdict

def result(verdict):
    return CheckResult("planted", Kind.AXIOM, verdict, 3, Effect("rate", 0.5, 0.1, 0.9), {"min": 0.6})

@pytest.mark.ranklens_check("fails_its_check", kind="axiom")
def test_fails_its_check(record_check):
    assert record_check(result(Verdict.FAIL)).verdict == Verdict.PASS

@pytest.mark.ranklens_check("crashes_before_recording", kind="claim")
def test_crashes_before_recording(record_check):
    raise RuntimeError("the measurement blew up")

@pytest.mark.ranklens_check("passes", kind="axiom")
def test_passes(record_check):
    record_check(result(Verdict.PASS))
"""


def test_the_report_is_written_when_tests_fail_or_error(
    pytester: pytest.Pytester, tiny_checkpoint: Callable[..., Path]
) -> None:
    pytester.makepyfile(test_suite=FAILING_SUITE)
    out = pytester.path / "reports" / "r.json"
    result = run(pytester, "--model", str(tiny_checkpoint("bert")), "--ranklens-json", str(out))
    result.assert_outcomes(passed=1, failed=2)
    verdicts = {
        r["test_id"].split("::")[-1]: (r["check_id"], r["verdict"]) for r in json.loads(out.read_text())["checks"]
    }
    assert verdicts == {
        "test_fails_its_check": ("planted", "fail"),
        "test_crashes_before_recording": ("crashes_before_recording", "error"),
        "test_passes": ("planted", "pass"),
    }
    error = next(r for r in json.loads(out.read_text())["checks"] if r["verdict"] == "error")
    assert "the measurement blew up" in error["message"]
    assert error["effect"]["value"] is None, "an undefined effect is written as null, not NaN"
    result.stdout.fnmatch_lines(["*3 checks on *: 1 error, 1 fail, 1 pass*", f"JSON report: {out}"])


def test_a_bad_model_is_a_usage_error_and_keeps_the_previous_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=FAILING_SUITE)
    out = pytester.path / "r.json"
    out.write_text('{"previous": "report"}')
    result = run(pytester, "--model", str(pytester.path / "missing-model"), "--ranklens-json", str(out))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*ranklens: No such directory: *missing-model*"])
    assert out.read_text() == '{"previous": "report"}'


def test_bad_option_values_are_usage_errors(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--ranklens-sample-size", "0")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--ranklens-sample-size*"])


def test_harness_tests_without_checks_write_no_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert True\n")
    run(pytester).assert_outcomes(passed=1)
    assert not (pytester.path / "reports").exists()


def test_ranklens_run_writes_the_report_and_says_where(tmp_path: Path, tiny_checkpoint: Callable[..., Path]) -> None:
    out = tmp_path / "reports" / "tiny"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "ranklens.cli",
            "run",
            "--model",
            str(tiny_checkpoint("distilbert")),
            "--out",
            str(out),
            "--suite",
            "invariants",
            "--sample-size",
            "40",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert f"JSON report: {out / 'report.json'}" in completed.stdout
    assert set(checks(out / "report.json")) == INVARIANT_CHECKS


SKIPPING_SUITE = """
import pytest

from ranklens.verdicts import CheckResult, Effect, Kind, Verdict

@pytest.mark.ranklens_check("skips_before_recording", kind="axiom")
def test_skips(record_check):
    pytest.skip("no usable cases on this model")

@pytest.mark.ranklens_check("passes", kind="axiom")
def test_passes(record_check):
    record_check(CheckResult("passes", Kind.AXIOM, Verdict.PASS, 3, Effect("rate", 0.5, 0.1, 0.9), {"min": 0.6}))
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "xdist"])
def test_a_check_skipped_before_recording_makes_the_run_partial_and_says_why(
    pytester: pytest.Pytester, tiny_checkpoint: Callable[..., Path], workers: list[str]
) -> None:
    """Under xdist the controller learns the expected checks only when the workers finish, after
    the skip was reported: the skip must still count as a skip, not as a check that did not run."""
    pytester.makepyfile(test_suite=SKIPPING_SUITE)
    out = pytester.path / "r.json"
    run(pytester, "--model", str(tiny_checkpoint("bert")), "--ranklens-json", str(out), *workers).assert_outcomes(
        passed=1, skipped=1
    )
    report = json.loads(out.read_text())
    assert (report["status"], report["status_reason"]) == (
        "partial",
        "a subset of the product suites ran (1 checks skipped before recording)",
    )
    assert [m["reason"] for m in report["missing"]] == ["skipped: no usable cases on this model"]
