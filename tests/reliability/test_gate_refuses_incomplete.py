"""The release gate cannot be fooled by a candidate that is not a full comparison.

Each candidate is a copy of a committed complete report (``tiny-bert--invariants.json``) edited
as a dict: emptied, cut to a subset (partial), marked interrupted or errored, or with a check that
could not be measured. None of them passes ``compare_reports(...).failed`` or ``ranklens compare``
(exit 1, each missing check named), except a partial candidate when missing checks are allowed,
which passes with notes; interrupted, errored and empty candidates fail even then.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ranklens.cli import main
from ranklens.gate import GateConfig, compare_reports
from ranklens.report import read_report

GOOD_REPORT = Path(__file__).resolve().parents[2] / "reports" / "baselines" / "tiny-bert--invariants.json"
Edit = Callable[[dict[str, Any]], None]
GATE_FAILED = 1
KEPT = ("window_fit", "score_determinism")
"""The checks a partial or interrupted candidate keeps; the other two of the baseline are missing."""
DROPPED = ("batch_order_invariance", "batch_size_invariance")


def keep_only(report: dict[str, Any], check_ids: tuple[str, ...]) -> None:
    report["checks"] = [r for r in report["checks"] if r["check_id"] in check_ids]


def as_run(report: dict[str, Any], status: str, reason: str) -> None:
    """Mark ``report`` as a schema 1.2 run with ``status``; the derived summary is dropped."""
    report.update(schema_version="1.2", status=status, status_reason=reason, missing=[])
    report.pop("summary", None)


def empty(report: dict[str, Any]) -> None:
    as_run(report, "complete", "")
    report["checks"] = []


def partial(report: dict[str, Any]) -> None:
    as_run(report, "partial", f"-k selected {len(KEPT)} of 4 checks")
    keep_only(report, KEPT)


def interrupted(report: dict[str, Any]) -> None:
    as_run(report, "interrupted", f"interrupted by the user (Ctrl-C) after {len(KEPT)} of 4 checks")
    keep_only(report, KEPT)
    report["missing"] = [
        {"test_id": r["test_id"], "check_id": r["check_id"], "reason": "not run: the session was interrupted"}
        for r in json.loads(GOOD_REPORT.read_text())["checks"]
        if r["check_id"] in DROPPED
    ]


def interrupted_after_the_last_check(report: dict[str, Any]) -> None:
    as_run(report, "interrupted", "interrupted by the user (Ctrl-C) after 4 of 4 checks")


def errored(report: dict[str, Any]) -> None:
    as_run(report, "error", "the model could not be loaded: config.json is not valid JSON")
    report["checks"] = []


def unmeasured(report: dict[str, Any]) -> None:
    """One check crashed: verdict ``error``, no effect, the exception as its message."""
    as_run(report, "complete", "")
    record = next(r for r in report["checks"] if r["check_id"] == "window_fit")
    record.update(verdict="error", n=0, cases=[], message="RuntimeError: CUDA out of memory")
    record["effect"].update(value=None, ci_low=None, ci_high=None)


def old_subset(report: dict[str, Any]) -> None:
    """A 1.1 report (no status) that lacks checks: the gate cannot tell why, so it fails."""
    keep_only(report, KEPT)


REFUSED: dict[str, Edit] = {
    "empty": empty,
    "partial": partial,
    "interrupted": interrupted,
    "interrupted after the last check": interrupted_after_the_last_check,
    "errored": errored,
    "unmeasured check": unmeasured,
    "1.1 subset": old_subset,
}
ALWAYS_REFUSED = ("empty", "interrupted", "interrupted after the last check", "errored", "unmeasured check")
"""Candidates that allowing missing checks does not rescue."""


def candidate(edit: Edit) -> dict[str, Any]:
    report = copy.deepcopy(read_report(GOOD_REPORT))
    edit(report)
    return report


def write(path: Path, report: dict[str, Any]) -> Path:
    path.write_text(json.dumps(report, indent=1))
    return path


@pytest.fixture(scope="module")
def baseline() -> dict[str, Any]:
    return read_report(GOOD_REPORT)


def test_the_unedited_copy_passes_the_gate(baseline: dict[str, Any]) -> None:
    """The control: the refusals below come from the edits, not from the copy."""
    comparison = compare_reports(baseline, candidate(lambda _: None), GateConfig())
    assert not comparison.failed, f"the baseline against itself failed: {comparison.failures}"


@pytest.mark.parametrize("name", REFUSED)
def test_an_incomplete_candidate_fails_the_gate(baseline: dict[str, Any], name: str) -> None:
    comparison = compare_reports(baseline, candidate(REFUSED[name]), GateConfig())
    assert comparison.failed, f"the {name} candidate passed the gate; notes: {comparison.notes}"


@pytest.mark.parametrize("name", ALWAYS_REFUSED)
def test_allowing_missing_checks_does_not_pass_an_unfinished_candidate(baseline: dict[str, Any], name: str) -> None:
    comparison = compare_reports(baseline, candidate(REFUSED[name]), GateConfig(allow_missing=True))
    assert comparison.failed, f"the {name} candidate passed with allow_missing; notes: {comparison.notes}"


@pytest.mark.parametrize("name", ["partial", "1.1 subset"])
def test_allowing_missing_checks_passes_a_subset_with_a_note_per_missing_check(
    baseline: dict[str, Any], name: str
) -> None:
    comparison = compare_reports(baseline, candidate(REFUSED[name]), GateConfig(allow_missing=True))
    noted = [check for check in DROPPED if any(check in note for note in comparison.notes)]
    assert (comparison.failed, noted) == (False, list(DROPPED)), (
        f"failed {comparison.failed} ({comparison.failures}); missing checks noted: {noted} of {DROPPED}"
    )


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("interrupted", "interrupted by the user (Ctrl-C) after 2 of 4 checks"),
        ("errored", "the model could not be loaded: config.json is not valid JSON"),
        ("empty", "nothing to gate"),
        ("unmeasured check", "could not be measured: RuntimeError: CUDA out of memory"),
    ],
)
def test_the_failure_says_why_in_the_runs_own_words(baseline: dict[str, Any], name: str, words: str) -> None:
    failures = compare_reports(baseline, candidate(REFUSED[name]), GateConfig()).failures
    assert any(words in failure for failure in failures), (
        f"no failure of the {name} candidate says {words!r}: {failures}"
    )


def test_a_partial_candidate_with_every_baseline_check_passes_and_says_it_is_partial(baseline: dict[str, Any]) -> None:
    whole = candidate(lambda report: as_run(report, "partial", "-m selected 4 of 26 checks"))
    comparison = compare_reports(baseline, whole, GateConfig())
    says = any("partial" in note and "-m selected 4 of 26 checks" in note for note in comparison.notes)
    assert (comparison.failed, says) == (False, True), f"failures {comparison.failures}, notes {comparison.notes}"


@pytest.mark.parametrize("name", REFUSED)
def test_ranklens_compare_exits_1_on_an_incomplete_candidate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    new = write(tmp_path / "new.json", candidate(REFUSED[name]))
    code = main(["compare", str(GOOD_REPORT), str(new)])
    out = capsys.readouterr().out
    assert (code, out.startswith("ranklens gate: FAILED")) == (GATE_FAILED, True), f"exit {code}:\n{out}"


@pytest.mark.parametrize("name", ["partial", "interrupted", "1.1 subset"])
def test_ranklens_compare_names_each_missing_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    new = write(tmp_path / "new.json", candidate(REFUSED[name]))
    main(["compare", str(GOOD_REPORT), str(new)])
    failed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAILED")]
    unnamed = [check for check in DROPPED if not any(check in line for line in failed)]
    assert unnamed == [], f"missing checks not named on a FAILED line: {unnamed}; FAILED lines: {failed}"


@pytest.mark.parametrize("name", ALWAYS_REFUSED)
def test_ranklens_compare_allow_missing_still_exits_1_on_an_unfinished_candidate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    new = write(tmp_path / "new.json", candidate(REFUSED[name]))
    code = main(["compare", str(GOOD_REPORT), str(new), "--allow-missing"])
    assert code == GATE_FAILED, f"exit {code} with --allow-missing:\n{capsys.readouterr().out}"


def test_ranklens_compare_allow_missing_passes_a_partial_candidate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = write(tmp_path / "new.json", candidate(partial))
    code = main(["compare", str(GOOD_REPORT), str(new), "--allow-missing"])
    assert code == 0, f"exit {code} with --allow-missing:\n{capsys.readouterr().out}"


def test_allow_missing_in_pyproject_passes_a_partial_candidate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.ranklens.gate]\nallow_missing = true\n")
    new = write(tmp_path / "new.json", candidate(partial))
    code = main(["compare", str(GOOD_REPORT), str(new), "--config", str(config)])
    assert code == 0, f"exit {code} with allow_missing = true in {config}:\n{capsys.readouterr().out}"
