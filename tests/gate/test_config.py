"""Gate tolerances: typed, parsed up front, and resolved from the most specific source."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ranklens.gate import MARKER_KEY, GateConfig, GateConfigError, load_gate_config
from ranklens.verdicts import Kind

Make = Callable[..., Any]
TABLE = {"tolerance": 0.1, "kind_tolerances": {"claim": 0.2}, "tolerances": {"TFC1": 0.3}}


@pytest.mark.parametrize(
    ("check_id", "kind", "marked", "expected"),
    [
        ("TFC1", Kind.AXIOM, 0.9, 0.3),  # [tool.ranklens.gate.tolerances] wins over the marker
        ("LNC1", Kind.AXIOM, 0.9, 0.9),  # the marker wins over the kind and the default
        ("soft_tf_heads", Kind.CLAIM, None, 0.2),  # by kind
        ("LNC1", Kind.AXIOM, None, 0.1),  # the project's default
    ],
)
def test_a_tolerance_comes_from_the_most_specific_source(
    make_record: Make, check_id: str, kind: Kind, marked: float | None, expected: float
) -> None:
    config = GateConfig.from_table(TABLE, source="[tool.ranklens.gate]")
    threshold = {} if marked is None else {MARKER_KEY: marked}
    tolerance = config.tolerance(make_record(check_id, kind=kind, threshold=threshold))
    assert tolerance.value == expected, f"{check_id} ({kind}, marker {marked}) got {tolerance}, expected {expected}"


def test_without_configuration_the_default_tolerance_applies(make_record: Make) -> None:
    tolerance = GateConfig().tolerance(make_record())
    assert (tolerance.value, tolerance.source) == (0.05, "default"), tolerance


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"tolerance": -0.1}, r"tolerance must be a non-negative number .* got -0.1"),
        ({"tolerance": "big"}, r"got 'big'"),
        ({"tolerance": True}, r"got True"),
        ({"tolerances": {"TFC1": float("nan")}}, r"tolerances.TFC1 must be .* got nan"),
        ({"kind_tolerances": {"axioms": 0.1}}, r"kind 'axioms'; kinds are axiom, claim, invariant"),
        ({"tolerence": 0.1}, r"Unknown key\(s\) tolerence"),
        ({"allow_mismatch": "yes"}, r"allow_mismatch must be true or false, got 'yes'"),
        ({"allow_missing": 1}, r"allow_missing must be true or false, got 1"),
        ({"tolerances": [0.1]}, r"tolerances must be a table"),
    ],
)
def test_a_bad_gate_table_is_an_error_that_names_the_key_and_value(table: dict[str, Any], words: str) -> None:
    with pytest.raises(GateConfigError, match=words):
        GateConfig.from_table(table, source="[tool.ranklens.gate]")


def test_the_gate_table_is_read_from_pyproject(tmp_path: Path, make_record: Make) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.ranklens.gate]\ntolerance = 0.02\n[tool.ranklens.gate.tolerances]\nTFC2 = 0.5\n")
    config = load_gate_config(None, pyproject)
    found = (config.tolerance(make_record("TFC1")).value, config.tolerance(make_record("TFC2")).value)
    assert found == (0.02, 0.5), f"tolerances read {found}"


def test_the_command_line_allows_a_mismatch_whatever_the_file_says(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.ranklens.gate]\nallow_mismatch = false\n")
    assert load_gate_config(pyproject, tmp_path / "unused.toml", allow_mismatch=True).allow_mismatch


def test_allow_missing_is_read_from_pyproject(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.ranklens.gate]\nallow_missing = true\n")
    config = load_gate_config(None, pyproject)
    assert (config.allow_missing, config.allow_mismatch) == (True, False), config


def test_the_command_line_allows_missing_checks_whatever_the_file_says(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.ranklens.gate]\nallow_missing = false\n")
    assert load_gate_config(pyproject, tmp_path / "unused.toml", allow_missing=True).allow_missing


def test_an_explicit_config_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GateConfigError, match=r"No file at .*missing\.toml"):
        load_gate_config(tmp_path / "missing.toml", tmp_path / "pyproject.toml")
