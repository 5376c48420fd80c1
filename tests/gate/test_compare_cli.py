"""``ranklens compare BASE NEW``: the gate outside pytest; a table on stdout, exit 0/1/2."""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ranklens.cli import main
from ranklens.verdicts import Verdict

Make = Callable[..., Any]
NOISY = [0.6 + (0.3 if i % 2 else -0.3) for i in range(50)]


def save(path: Path, data: dict[str, Any]) -> str:
    path.write_text(json.dumps(data))
    return str(path)


@pytest.fixture
def baseline(tmp_path: Path, make_report: Make, make_record: Make) -> str:
    return save(tmp_path / "base.json", make_report(make_record("TFC1", NOISY), make_record("LNC1", NOISY)))


def test_an_unchanged_candidate_exits_0(
    baseline: str, tmp_path: Path, make_report: Make, make_record: Make, capsys: pytest.CaptureFixture[str]
) -> None:
    new = save(tmp_path / "new.json", make_report(make_record("TFC1", NOISY), make_record("LNC1", NOISY)))
    code = main(["compare", baseline, new])
    assert code == 0, f"exit {code}: {capsys.readouterr().out}"


def test_a_worse_candidate_exits_1_and_names_the_check_with_its_numbers(
    baseline: str, tmp_path: Path, make_report: Make, make_record: Make, capsys: pytest.CaptureFixture[str]
) -> None:
    worse = make_record("TFC1", [v - 0.2 for v in NOISY])
    code = main(["compare", baseline, save(tmp_path / "new.json", make_report(worse, make_record("LNC1", NOISY)))])
    out = capsys.readouterr().out
    expected = "REGRESSED TFC1: mean_difference worse by 0.2; mean_difference 0.6 [0.5, 0.7] -> 0.4 [0.3, 0.5] (paired"
    assert (code, expected in out, "UNCHANGED  LNC1" in out) == (1, True, True), f"exit {code}:\n{out}"


def table_rows(out: str) -> list[str]:
    """The status column of the table's rows (the lines after its ``status  check`` header)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("status "))
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        rows.append(line.split()[0])
    return rows


def test_the_table_lists_regressions_before_unchanged_checks(
    baseline: str, tmp_path: Path, make_report: Make, make_record: Make, capsys: pytest.CaptureFixture[str]
) -> None:
    worse = make_record("LNC1", NOISY, verdict=Verdict.FAIL)
    main(["compare", baseline, save(tmp_path / "new.json", make_report(make_record("TFC1", NOISY), worse))])
    rows = table_rows(capsys.readouterr().out)
    assert rows == ["REGRESSED", "UNCHANGED"], rows


def test_a_failed_gate_says_so_first_and_lists_the_failures_before_the_table(
    baseline: str, tmp_path: Path, make_report: Make, make_record: Make, capsys: pytest.CaptureFixture[str]
) -> None:
    worse = make_record("LNC1", NOISY, verdict=Verdict.FAIL)
    main(["compare", baseline, save(tmp_path / "new.json", make_report(worse))])
    lines = capsys.readouterr().out.splitlines()
    firsts = (lines[0].startswith("ranklens gate: FAILED"), lines[1].startswith("FAILED: missing TFC1"))
    regressed = next(i for i, line in enumerate(lines) if line.startswith("REGRESSED LNC1:"))
    header = next(i for i, line in enumerate(lines) if line.startswith("status "))
    assert (*firsts, regressed < header) == (True, True, True), "\n".join(lines)


def test_a_candidate_missing_a_check_exits_1_naming_it(
    baseline: str, tmp_path: Path, make_report: Make, make_record: Make, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["compare", baseline, save(tmp_path / "new.json", make_report(make_record("TFC1", NOISY)))])
    out = capsys.readouterr().out
    assert (code, "FAILED: missing LNC1" in out) == (1, True), f"exit {code}:\n{out}"


def test_allow_missing_passes_a_candidate_missing_a_check_with_a_note(
    baseline: str, tmp_path: Path, make_report: Make, make_record: Make, capsys: pytest.CaptureFixture[str]
) -> None:
    new = save(tmp_path / "new.json", make_report(make_record("TFC1", NOISY)))
    code = main(["compare", baseline, new, "--allow-missing"])
    out = capsys.readouterr().out
    assert (code, "note: allowed: missing LNC1" in out) == (0, True), f"exit {code}:\n{out}"


def test_terminal_control_characters_from_a_report_are_printed_escaped(
    tmp_path: Path, make_report: Make, make_record: Make, capsys: pytest.CaptureFixture[str]
) -> None:
    """An id or message holding ESC [ 31m (colour), a C1 CSI or a bidi override reaches no terminal raw."""
    hostile = "TFC1\x1b[31m\x9b2J\u202e"
    crashed = dataclasses.replace(
        make_record(hostile, verdict=Verdict.ERROR, paired=False), message="boom\x1b]0;pwned\x07\nnext line"
    )
    base = save(tmp_path / "base.json", make_report(make_record(hostile)))
    main(["compare", base, save(tmp_path / "new.json", make_report(crashed))])
    out = capsys.readouterr().out
    raw = sorted({f"U+{ord(c):04X}" for c in out if c != "\n" and (unicodedata.category(c) in ("Cc", "Cf"))})
    assert (raw, "TFC1\\x1b[31m" in out) == ([], True), f"raw control characters {raw} in:\n{out!r}"


def test_a_large_improvement_exits_0_and_suggests_refreshing_the_baseline(
    baseline: str, tmp_path: Path, make_report: Make, make_record: Make, capsys: pytest.CaptureFixture[str]
) -> None:
    better = make_record("TFC1", [v + 0.2 for v in NOISY])
    code = main(["compare", baseline, save(tmp_path / "new.json", make_report(better, make_record("LNC1", NOISY)))])
    out = capsys.readouterr().out
    assert (code, "refresh the baseline" in out) == (0, True), f"exit {code}:\n{out}"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "No report at"),
        ("{not json", "is not valid JSON"),
        ('{"schema_version": "1.1", "seed": 0, "checks": []}', "is not a valid ranklens report"),
        ("seed=5", "seed differs: baseline 0, new 5"),
    ],
)
def test_bad_input_exits_2_with_the_reason(
    baseline: str,
    tmp_path: Path,
    make_report: Make,
    make_record: Make,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    words: str,
) -> None:
    new = tmp_path / "new.json"
    if content == "seed=5":
        save(new, make_report(make_record("TFC1", NOISY), seed=5))
    elif content is not None:
        new.write_text(content)
    code = main(["compare", baseline, str(new)])
    err = capsys.readouterr().err
    assert (code, words in err) == (2, True), f"exit {code}: {err}"


def test_a_bad_gate_table_in_pyproject_exits_2(
    baseline: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.ranklens.gate]\ntolerance = -1\n")
    code = main(["compare", baseline, baseline, "--config", str(config)])
    err = capsys.readouterr().err
    assert (code, "tolerance must be a non-negative number" in err) == (2, True), f"exit {code}: {err}"
