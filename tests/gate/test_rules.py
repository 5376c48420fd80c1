"""The gate's rule (ranklens.gate.compare): verdict ranks, paired shifts, tolerance, two sides,
fallbacks and comparability, each on synthetic records with known answers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from ranklens.gate import GateConfig, MismatchError, Status, compare_reports
from ranklens.verdicts import Better, Verdict

Make = Callable[..., Any]
NOISY = [0.6 + (0.3 if i % 2 else -0.3) for i in range(50)]
"""Per-case values with a wide spread: mean 0.6."""


def status_of(base: dict[str, Any], new: dict[str, Any], config: GateConfig | None = None) -> dict[str, Status]:
    comparison = compare_reports(base, new, config or GateConfig())
    return {check.key: check.status for check in comparison.checks}


def test_an_unchanged_run_passes_the_gate(make_report: Make, make_record: Make) -> None:
    comparison = compare_reports(make_report(make_record()), make_report(make_record()), GateConfig())
    assert not comparison.regressed and comparison.checks[0].status == Status.UNCHANGED, comparison


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (Verdict.PASS, Verdict.FAIL, Status.REGRESSED),
        (Verdict.PASS, Verdict.INCONCLUSIVE, Status.REGRESSED),
        (Verdict.FAIL, Verdict.ERROR, Status.REGRESSED),
        (Verdict.INCONCLUSIVE, Verdict.PASS, Status.IMPROVED),
        (Verdict.FAIL, Verdict.FAIL, Status.UNCHANGED),
    ],
)
def test_a_worse_verdict_is_a_regression_and_a_better_one_an_improvement(
    make_report: Make, make_record: Make, before: Verdict, after: Verdict, expected: Status
) -> None:
    found = status_of(make_report(make_record(verdict=before)), make_report(make_record(verdict=after)))
    assert found == {"TFC1": expected}, f"{before} -> {after} gave {found}, expected {expected}"


def test_a_paired_drop_is_a_regression_even_where_the_two_intervals_overlap(
    make_report: Make, make_record: Make
) -> None:
    """Each case lost 0.08 (beyond the 0.05 tolerance); the intervals (+-0.1) still overlap, so
    only the paired comparison can see it."""
    base, new = make_record(values=NOISY), make_record(values=[v - 0.08 for v in NOISY])
    overlap = new.effect.ci_high > base.effect.ci_low
    comparison = compare_reports(make_report(base), make_report(new), GateConfig())
    check = comparison.checks[0]
    assert (overlap, check.status, check.shift.paired) == (True, Status.REGRESSED, True), (
        f"status {check.status}, shift {check.shift}"
    )


def test_the_same_drop_without_cases_is_not_a_regression_and_the_output_says_why(
    make_report: Make, make_record: Make
) -> None:
    base, new = make_record(values=NOISY, paired=False), make_record(values=[v - 0.08 for v in NOISY], paired=False)
    comparison = compare_reports(make_report(base), make_report(new), GateConfig())
    says = any("compared unpaired" in note for note in comparison.notes)
    assert (comparison.checks[0].status, comparison.checks[0].shift.paired, says) == (Status.UNCHANGED, False, True), (
        f"{comparison.checks[0]}; notes {comparison.notes}"
    )


def test_a_paired_drop_within_tolerance_is_not_a_regression(make_report: Make, make_record: Make) -> None:
    found = status_of(
        make_report(make_record(values=NOISY)), make_report(make_record(values=[v - 0.04 for v in NOISY]))
    )
    assert found == {"TFC1": Status.UNCHANGED}, f"a 0.04 drop under tolerance 0.05 gave {found}"


def test_a_drop_whose_interval_includes_zero_is_not_a_regression(make_report: Make, make_record: Make) -> None:
    """Mean drop 0.06 > tolerance, but half the cases rose: the paired interval straddles 0."""
    moved = [v - 0.72 if i < 5 else v + 0.02 for i, v in enumerate(NOISY)]
    comparison = compare_reports(
        make_report(make_record(values=NOISY)), make_report(make_record(values=moved)), GateConfig()
    )
    shift = comparison.checks[0].shift
    assert (comparison.checks[0].status, shift.value < -0.05, shift.ci_high > 0) == (Status.UNCHANGED, True, True), (
        shift
    )


def test_a_large_improvement_is_flagged_so_the_baseline_gets_refreshed(make_report: Make, make_record: Make) -> None:
    found = status_of(make_report(make_record(values=NOISY)), make_report(make_record(values=[v + 0.2 for v in NOISY])))
    assert found == {"TFC1": Status.IMPROVED}, f"a paired rise of 0.2 gave {found}"


def test_a_rising_violation_rate_is_a_regression_when_lower_is_better(make_report: Make, make_record: Make) -> None:
    base = make_record("window_fit", [0.0] * 40, better=Better.LOWER)
    new = make_record("window_fit", [1.0] * 10 + [0.0] * 30, better=Better.LOWER)
    found = status_of(make_report(base), make_report(new))
    assert found == {"window_fit": Status.REGRESSED}, f"a violation rate 0 -> 0.25 gave {found}"


def test_an_effect_without_a_stated_direction_is_a_change_to_review_not_a_regression(
    make_report: Make, make_record: Make
) -> None:
    found = status_of(
        make_report(make_record(values=NOISY, better=None)),
        make_report(make_record(values=[v - 0.3 for v in NOISY], better=None)),
    )
    assert found == {"TFC1": Status.CHANGED}, f"an undirected shift of -0.3 gave {found}"


def test_checks_present_in_one_run_only_are_missing_and_new_not_regressions(
    make_report: Make, make_record: Make
) -> None:
    comparison = compare_reports(
        make_report(make_record("TFC1"), make_record("TFC2")),
        make_report(make_record("TFC2"), make_record("LNC1")),
        GateConfig(),
    )
    found = {c.key: c.status for c in comparison.checks}
    expected = {"TFC1": Status.MISSING, "TFC2": Status.UNCHANGED, "LNC1": Status.NEW}
    assert (found, comparison.regressed) == (expected, False), found


def test_a_check_missing_from_the_candidate_fails_the_gate_by_name(make_report: Make, make_record: Make) -> None:
    comparison = compare_reports(
        make_report(make_record("TFC1"), make_record("TFC2")), make_report(make_record("TFC2")), GateConfig()
    )
    named = [failure for failure in comparison.failures if "TFC1" in failure and "missing" in failure]
    assert (comparison.failed, len(named)) == (True, 1), f"failures: {comparison.failures}"


def test_an_allowed_missing_check_is_a_note_not_a_failure(make_report: Make, make_record: Make) -> None:
    comparison = compare_reports(
        make_report(make_record("TFC1"), make_record("TFC2")),
        make_report(make_record("TFC2")),
        GateConfig(allow_missing=True),
    )
    noted = any("TFC1" in note and "missing" in note for note in comparison.notes)
    assert (comparison.failed, noted) == (False, True), f"failures {comparison.failures}, notes {comparison.notes}"


def test_the_candidates_own_reason_for_a_missing_check_is_quoted(make_report: Make, make_record: Make) -> None:
    new = make_report(make_record("TFC2"))
    new["missing"] = [{"test_id": "axioms/t.py::test_tfc1", "check_id": "TFC1", "reason": "not run: Ctrl-C"}]
    comparison = compare_reports(make_report(make_record("TFC1"), make_record("TFC2")), new, GateConfig())
    assert any("not run: Ctrl-C" in failure for failure in comparison.failures), comparison.failures


def test_a_regression_is_one_of_the_failures(make_report: Make, make_record: Make) -> None:
    comparison = compare_reports(
        make_report(make_record()), make_report(make_record(verdict=Verdict.FAIL)), GateConfig()
    )
    named = [failure for failure in comparison.failures if "TFC1" in failure and "pass -> fail" in failure]
    assert (comparison.failed, comparison.regressed, len(named)) == (True, True, 1), comparison.failures


@pytest.mark.parametrize("before", list(Verdict))
def test_a_check_the_candidate_could_not_measure_is_a_regression_whatever_the_baseline_said(
    make_report: Make, make_record: Make, before: Verdict
) -> None:
    crashed = dataclasses.replace(make_record(verdict=Verdict.ERROR, paired=False), message="ValueError: boom")
    check = compare_reports(make_report(make_record(verdict=before)), make_report(crashed), GateConfig()).checks[0]
    says = "could not be measured: ValueError: boom" in check.reasons
    assert (check.status, says) == (Status.REGRESSED, True), f"{before} -> error: {check.status}, {check.reasons}"


def test_a_new_check_the_candidate_could_not_measure_fails_the_gate(make_report: Make, make_record: Make) -> None:
    crashed = dataclasses.replace(make_record("LNC1", verdict=Verdict.ERROR, paired=False), message="boom")
    comparison = compare_reports(make_report(make_record()), make_report(make_record(), crashed), GateConfig())
    assert any("LNC1" in f and "could not be measured" in f for f in comparison.failures), comparison.failures


def test_a_candidate_without_checks_fails_even_when_missing_checks_are_allowed(
    make_report: Make, make_record: Make
) -> None:
    comparison = compare_reports(make_report(make_record()), make_report(), GateConfig(allow_missing=True))
    assert any("nothing to gate" in failure for failure in comparison.failures), comparison.failures


def test_runs_that_share_no_check_fail_even_when_missing_checks_are_allowed(
    make_report: Make, make_record: Make
) -> None:
    comparison = compare_reports(
        make_report(make_record("TFC1")), make_report(make_record("LNC1")), GateConfig(allow_missing=True)
    )
    assert comparison.failed, f"nothing was compared, yet the gate passed; notes {comparison.notes}"


@pytest.mark.parametrize(
    ("status", "reason"),
    [("interrupted", "interrupted by the user (Ctrl-C) after 1 of 1 checks"), ("error", "the session failed")],
)
def test_an_unfinished_candidate_fails_naming_its_status_and_reason(
    make_report: Make, make_record: Make, status: str, reason: str
) -> None:
    new = make_report(make_record())
    new.update(status=status, status_reason=reason)
    failures = compare_reports(make_report(make_record()), new, GateConfig(allow_missing=True)).failures
    assert any(status in f and reason in f for f in failures), f"failures of a {status} candidate: {failures}"


def test_a_candidate_without_a_status_is_compared_with_a_note(make_report: Make, make_record: Make) -> None:
    new = make_report(make_record())
    del new["status"]
    comparison = compare_reports(make_report(make_record()), new, GateConfig())
    noted = any("predates completeness tracking" in note for note in comparison.notes)
    assert (comparison.failed, noted) == (False, True), f"failures {comparison.failures}, notes {comparison.notes}"


def test_an_error_record_without_params_is_matched_to_its_check_by_test_id(
    make_report: Make, make_record: Make
) -> None:
    base = make_record("batch_size_invariance", params={"worst_batch_size": 7}, test_id="t.py::test_b")
    crashed = make_record("batch_size_invariance", verdict=Verdict.ERROR, paired=False, test_id="t.py::test_b")
    found = status_of(make_report(base), make_report(crashed))
    assert found == {"batch_size_invariance[worst_batch_size=7]": Status.REGRESSED}, found


def test_params_tell_instances_of_a_check_apart(make_report: Make, make_record: Make) -> None:
    base = [make_record(params={"position": p}) for p in ("append", "prepend")]
    new = [
        make_record(params={"position": "append"}),
        make_record(params={"position": "prepend"}, verdict=Verdict.FAIL),
    ]
    found = status_of(make_report(*base), make_report(*new))
    assert found == {'TFC1[position="prepend"]': Status.REGRESSED, 'TFC1[position="append"]': Status.UNCHANGED}, found


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"seed": 1}, "seed differs"),
        ({"sample_size": 50}, "sample size differs"),
        ({"version": "0.2.0"}, "ranklens version"),
    ],
)
def test_runs_on_other_cases_or_another_harness_are_refused(
    make_report: Make, make_record: Make, change: dict[str, Any], words: str
) -> None:
    with pytest.raises(MismatchError, match=words):
        compare_reports(make_report(make_record()), make_report(make_record(), **change), GateConfig())


DEFAULT_SIZE = "the checks' default sample size"


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [(None, 50, f"baseline {DEFAULT_SIZE}, new 50"), (50, None, f"baseline 50, new {DEFAULT_SIZE}")],
)
def test_a_sample_size_mismatch_names_the_default_instead_of_none(
    make_report: Make, make_record: Make, before: int | None, after: int | None, expected: str
) -> None:
    with pytest.raises(MismatchError) as refused:
        compare_reports(
            make_report(make_record(), sample_size=before), make_report(make_record(), sample_size=after), GateConfig()
        )
    message = str(refused.value)
    assert (expected in message, "None" in message) == (True, False), message


def test_an_allowed_mismatch_is_compared_and_noted(make_report: Make, make_record: Make) -> None:
    comparison = compare_reports(
        make_report(make_record()), make_report(make_record(), seed=1), GateConfig(allow_mismatch=True)
    )
    assert any("allowed: seed differs: baseline 0, new 1" in n for n in comparison.notes), comparison.notes


def test_a_paired_comparison_over_part_of_the_cases_says_how_many(make_report: Make, make_record: Make) -> None:
    comparison = compare_reports(
        make_report(make_record(values=NOISY)), make_report(make_record(values=NOISY[:30])), GateConfig()
    )
    assert "only 30 of 50 cases are in both runs" in comparison.checks[0].reasons, comparison.checks[0].reasons
