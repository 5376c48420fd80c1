"""The report's JSON Schema: a valid schema, documented field by field, enforced on write and read,
and met by real runs, by gated reports (the ``gate`` field of 1.3) and by every committed baseline."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from ranklens.errors import RanklensError
from ranklens.report import (
    SCHEMA_VERSION,
    InvalidReportError,
    MissingCheck,
    Report,
    RunStatus,
    read_report,
    report_schema,
    report_status,
    schema_problems,
    write_report,
)
from ranklens.verdicts import CheckResult, Effect, Kind, Verdict

BASELINES = sorted((Path(__file__).resolve().parents[2] / "reports" / "baselines").glob("*.json"))


def properties(node: Any, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every named field of the schema, with its path."""
    if isinstance(node, dict):
        for name, field in node.get("properties", {}).items():
            yield f"{path}.{name}", field
        for key, value in node.items():
            yield from properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from properties(value, f"{path}[{i}]")


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    errors = list(Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(report_schema()))
    assert errors == [], [e.message for e in errors]


def test_every_field_of_the_schema_has_a_description() -> None:
    missing = [path for path, field in properties(report_schema()) if "description" not in field]
    assert missing == [], f"{len(missing)} fields without a description: {missing}"


def test_a_record_that_breaks_the_schema_is_not_written(tmp_path: Path) -> None:
    bad = CheckResult(
        "soft_tf_heads",
        Kind.CLAIM,
        Verdict.PASS,
        3,
        Effect("recovery", 0.5, 0.4, 0.6),
        {},
        details={"head_recovery": [0.1, 0.2]},  # a list, not a [layer][head] matrix
    )
    with pytest.raises(InvalidReportError, match=r"\$\.checks\[0\]\.details\.head_recovery\[0\]"):
        write_report(Report({"id": "m"}, {}, 0, None, [bad]), tmp_path / "r.json")
    assert not (tmp_path / "r.json").exists()


def test_a_schema_1_0_report_without_the_new_fields_is_still_read(tmp_path: Path) -> None:
    record = {
        "check_id": "window_fit",
        "kind": "invariant",
        "verdict": "pass",
        "n": 4,
        "effect": {"name": "rate", "value": 0.0, "ci_low": 0.0, "ci_high": 0.6, "ci_level": 0.95},
        "threshold": {},
        "details": {},
        "counterexamples": [],
    }
    path = tmp_path / "old.json"
    path.write_text(
        json.dumps({"schema_version": "1.0", "model": {"id": "m"}, "environment": {}, "seed": 0, "checks": [record]})
    )
    restored = CheckResult.from_dict(read_report(path)["checks"][0])
    assert (restored.cases, restored.effect.better) == ((), None), restored


def test_a_report_says_whether_the_run_was_complete_and_what_is_missing(tmp_path: Path) -> None:
    missing = MissingCheck("axioms/test_tf.py::test_tfc1", "TFC1", "not run: interrupted by the user")
    reason = "interrupted by the user (Ctrl-C) after 0 of 1 checks"
    written = Report(
        {"id": "m"}, {}, 0, None, [], status=RunStatus.INTERRUPTED, status_reason=reason, missing=[missing]
    )
    data = read_report(write_report(written, tmp_path / "r.json"))
    found = (report_status(data), data["status_reason"], [MissingCheck.from_dict(m) for m in data["missing"]])
    assert found == (RunStatus.INTERRUPTED, reason, [missing]), found


def test_a_gated_report_holds_the_gate_and_meets_the_schema(hostile_gate_path: Path) -> None:
    """Checked with jsonschema directly, not through write_report's own validation."""
    data = json.loads(hostile_gate_path.read_text())
    gate = data.get("gate", {})
    found = (data["schema_version"], gate.get("decision"), len(gate.get("checks", [])), schema_problems(data))
    assert found == (SCHEMA_VERSION, "failed", 2, []), found


def test_a_gate_that_breaks_the_schema_is_refused(hostile_gate_path: Path) -> None:
    data = json.loads(hostile_gate_path.read_text())
    data["gate"]["decision"] = "maybe"
    assert schema_problems(data) == ["$.gate.decision: 'maybe' is not one of ['passed', 'failed']"]


def test_an_ungated_report_has_no_gate_and_the_layout_of_1_2() -> None:
    keys = list(Report({"id": "m"}, {}, 0, None, []).to_dict())
    layout_1_2 = ["schema_version", "created", "status", "status_reason", "model", "environment", "seed"]
    layout_1_2 += ["sample_size", "summary", "missing", "checks"]
    assert keys == layout_1_2, keys


def test_a_report_is_complete_unless_said_otherwise() -> None:
    data = Report({"id": "m"}, {}, 0, None, []).to_dict()
    assert (data["status"], data["status_reason"], data["missing"]) == ("complete", "", []), data


def test_a_report_from_before_completeness_tracking_has_no_status(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(
        json.dumps({"schema_version": "1.1", "model": {"id": "m"}, "environment": {}, "seed": 0, "checks": []})
    )
    assert report_status(read_report(path)) is None, "a 1.1 report without status must read as status unknown"


def test_a_1_2_report_without_a_status_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps({"schema_version": "1.2", "model": {"id": "m"}, "environment": {}, "seed": 0, "checks": []})
    )
    with pytest.raises(InvalidReportError, match="'status' is a required property"):
        read_report(path)


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe{\x00}\x00", '{"schema_version": "1.1", "model": {"id": "caf\u00e9"}}'.encode("latin-1")],
    ids=["utf-16", "latin-1"],
)
def test_a_report_that_is_not_utf8_is_refused_by_name(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(content)
    with pytest.raises(RanklensError, match=r"r\.json.* is not UTF-8 text"):
        read_report(path)


@pytest.mark.parametrize("content", ["[]", '"x"', "3", "null"])
def test_json_that_is_not_an_object_is_refused_by_name(tmp_path: Path, content: str) -> None:
    path = tmp_path / "r.json"
    path.write_text(content)
    with pytest.raises(RanklensError, match=r"r\.json.* holds a JSON \w+, not a ranklens report"):
        read_report(path)


def test_a_damaged_report_is_refused_with_the_place_of_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps({"schema_version": "1.1", "model": {"id": "m"}, "environment": {}, "seed": "zero", "checks": []})
    )
    with pytest.raises(InvalidReportError, match=r"\$\.seed: 'zero' is not of type 'integer'"):
        read_report(path)


def test_a_real_invariant_run_writes_a_report_that_meets_the_schema(
    tmp_path: Path, tiny_checkpoint: Callable[..., Path]
) -> None:
    """Checked with jsonschema directly, not through write_report's own validation."""
    out = tmp_path / "report.json"
    invariants = Path(__file__).resolve().parents[2] / "invariants"
    command = [sys.executable, "-m", "pytest", str(invariants), "--model", str(tiny_checkpoint("electra"))]
    command += ["--ranklens-json", str(out), "--ranklens-sample-size", "8", "-p", "no:cacheprovider", "-q"]
    subprocess.run(command, capture_output=True, check=False, cwd=tmp_path)
    data = json.loads(out.read_text())
    assert (schema_problems(data), "gate" in data) == ([], False), "an ungated run must have no gate field"


@pytest.mark.parametrize("baseline", BASELINES, ids=[p.name for p in BASELINES])
def test_every_committed_baseline_meets_the_schema(baseline: Path) -> None:
    problems = schema_problems(json.loads(baseline.read_text()))
    assert problems == [], f"{baseline.name}: {problems}"


@pytest.mark.parametrize("baseline", BASELINES, ids=[p.name for p in BASELINES])
def test_every_committed_baseline_is_read(baseline: Path) -> None:
    assert read_report(baseline)["checks"], f"{baseline.name} was read without checks"


def test_source_date_epoch_fixes_the_creation_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two runs with one seed compare byte for byte when SOURCE_DATE_EPOCH is set."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    report = Report(model={}, environment={}, seed=0, sample_size=None)
    assert report.created == "2023-11-14T22:13:20+00:00"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert Report(model={}, environment={}, seed=0, sample_size=None).created != report.created
