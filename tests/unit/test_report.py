"""The JSON report: contract fields, strict JSON, atomic writes, readable errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ranklens.errors import RanklensError
from ranklens.report import SCHEMA_VERSION, Report, plain, read_report, write_report
from ranklens.verdicts import CheckResult, Effect, Kind, Verdict


def a_check(verdict: Verdict = Verdict.PASS, value: float = 0.25) -> CheckResult:
    return CheckResult(
        "TFC1",
        Kind.AXIOM,
        verdict,
        10,
        Effect("rate", value, 0.1, 0.4),
        {"min_rate": 0.0},
        params={"position": "append"},
        details={"scores": np.array([0.5, 1.5])},
        counterexamples=("query: 'a' | document: 'b'",),
    )


def a_report(*checks: CheckResult) -> Report:
    return Report(model={"id": "m"}, environment={"python": "3"}, seed=3, sample_size=None, checks=checks)


def test_a_written_report_has_the_contract_fields(tmp_path: Path) -> None:
    path = write_report(a_report(a_check()), tmp_path / "deep" / "report.json")
    data = read_report(path)
    assert set(data) >= {"schema_version", "model", "environment", "seed", "checks"}
    record = data["checks"][0]
    assert set(record) >= {"check_id", "kind", "verdict", "n", "effect", "threshold", "details", "counterexamples"}
    assert (data["schema_version"], record["details"]["scores"], data["summary"]["pass"]) == (
        SCHEMA_VERSION,
        [0.5, 1.5],
        1,
    )


def test_records_round_trip_through_json(tmp_path: Path) -> None:
    original = a_check(Verdict.INCONCLUSIVE)
    path = write_report(a_report(original), tmp_path / "r.json")
    restored = CheckResult.from_dict(read_report(path)["checks"][0])
    assert restored == CheckResult.from_dict(json.loads(json.dumps(plain(original.to_dict()))))
    assert (restored.verdict, restored.params) == (Verdict.INCONCLUSIVE, {"position": "append"})


@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_plain_values_are_strict_json(value: float) -> None:
    text = json.dumps(plain({"v": value, "a": np.float32(1.5), "t": (1, 2)}), allow_nan=False)
    assert json.loads(text)["v"] == (value if np.isfinite(value) else None)


def test_a_failed_write_keeps_the_previous_report_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_report(a_report(a_check()), tmp_path / "report.json")
    before = path.read_bytes()

    def crash(_: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        write_report(a_report(a_check(Verdict.FAIL)), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "No report at"),
        ("{not json", "is not valid JSON"),
        ('{"schema_version": "0.3", "checks": []}', "schema_version '0.3'"),
    ],
)
def test_unreadable_reports_are_refused_with_the_reason(tmp_path: Path, content: str | None, words: str) -> None:
    path = tmp_path / "report.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(RanklensError, match=words):
        read_report(path)
