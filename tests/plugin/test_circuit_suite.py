"""``pytest circuits`` end to end on the planted model: one record per claim, in the contract."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ranklens import Reranker
from ranklens.claims.registry import CLAIMS
from ranklens.report.schema import schema_problems

pytest_plugins = ["pytester"]
CIRCUITS = Path(__file__).resolve().parents[2] / "circuits"


def test_the_circuit_suite_writes_one_record_per_claim(
    pytester: pytest.Pytester, planted_reranker: Callable[[str], Reranker]
) -> None:
    model = planted_reranker("planted").info.path
    out = pytester.path / "circuits.json"
    result = pytester.runpytest_subprocess(
        str(CIRCUITS),
        "--model",
        model,
        "--ranklens-profile",
        "quick",
        "--ranklens-json",
        str(out),
        "-p",
        "no:cacheprovider",
    )
    report = json.loads(out.read_text())
    records = {r["check_id"]: r for r in report["checks"]}
    assert schema_problems(report) == []
    assert set(records) == {spec.check_id for spec in CLAIMS}, result.stdout.str()[-2000:]
    for check_id, record in records.items():
        assert record["kind"] == "claim"
        assert record["verdict"] == "pass", record["message"]
        effect = record["effect"]
        assert effect["ci_low"] <= effect["value"] <= effect["ci_high"], check_id
        assert record["details"]["parts"], check_id
    assert result.ret == 0
    assert sorted(map(tuple, records["soft_tf_heads"]["details"]["heads_found"])) == [(1, 0), (1, 1)]


def test_the_exact_profile_patches_every_head(
    pytester: pytest.Pytester, planted_reranker: Callable[[str], Reranker]
) -> None:
    model = planted_reranker("planted").info.path
    out = pytester.path / "exact.json"
    pytester.runpytest_subprocess(
        str(CIRCUITS / "test_soft_tf_heads.py"),
        *("--model", model, "--ranklens-profile", "exact", "--ranklens-sample-size", "24"),
        *("--ranklens-json", str(out), "-p", "no:cacheprovider", "-p", "no:randomly"),
    )
    records = {r["check_id"]: r for r in json.loads(out.read_text())["checks"]}
    assert set(records) == {"soft_tf_heads", "scoring_heads"}
    for record in records.values():
        details = record["details"]
        assert details["head_screen"]["search"] == "exact"
        assert all(v is not None for row in details["head_recovery"] for v in row), "every head patched"
        assert details["head_screen"]["audit_cases"] == details["discovery_cases_kept"]
