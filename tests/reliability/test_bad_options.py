"""Bad options are refused when they are parsed: exit 4 from pytest, 2 from the CLI, one message
naming the option, the value and the fix, and the report already at the path left untouched."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ranklens.cli import EXIT_BAD_INPUT as CLI_BAD_INPUT

PYTEST_USAGE_ERROR = pytest.ExitCode.USAGE_ERROR
EarlierReport = Any  # the ``earlier_report`` fixture's value (tests/reliability/conftest.py)
Runner = Any  # the ``runner`` fixture's value

Options = Callable[[Path, EarlierReport], list[str]]
BEIR_SAMPLE = Path(__file__).resolve().parents[1] / "data" / "beir-sample"

BAD_OPTIONS: dict[str, tuple[Options, list[str]]] = {
    # name: (the options after --model and the report path, phrases the message must hold)
    "negative_seed": (lambda m, r: ["--ranklens-seed", "-3"], ["'-3' is not a seed", ">= 0"]),
    "zero_sample_size": (lambda m, r: ["--ranklens-sample-size", "0"], ["'0' is not a positive integer", ">= 1"]),
    "float64": (lambda m, r: ["--ranklens-dtype", "float64"], ["float64", "float32", "bfloat16", "float16"]),
    "window_too_long": (lambda m, r: ["--ranklens-max-length", "4096"], ["4096", "8..512"]),
    "window_too_short": (
        lambda m, r: ["--ranklens-max-length", "24"],
        ["shorter than the suites' cases", "Pass at least"],
    ),
    "report_path_is_a_folder": (lambda m, r: ["--ranklens-json", str(r.directory)], ["is a directory", "file path"]),
    "report_folder_unwritable": (
        lambda m, r: ["--ranklens-html", str(r.path / "x" / "report.html")],
        ["cannot write", "is not a directory", "folder you can write to"],
    ),
    "cuda_without_cuda": (
        lambda m, r: ["--ranklens-device", "cuda"],
        ["CUDA is not available", "--ranklens-device cpu"],
    ),
    "unknown_device": (lambda m, r: ["--ranklens-device", "gpu"], ["Unknown device 'gpu'", "cuda:N"]),
    "revision_of_a_local_folder": (
        lambda m, r: ["--ranklens-revision", "v2"],
        ["revisions apply to hub ids", "drop --ranklens-revision"],
    ),
    "corrupt_baseline": (
        lambda m, r: ["--ranklens-baseline", str(_corrupt(r.directory / "base.json"))],
        ["not valid JSON", "ranklens report"],
    ),
    "malformed_cases": (
        lambda m, r: ["--ranklens-cases", str(_malformed_rows(r.directory / "rows.jsonl"))],
        ["rows.jsonl:2 is not a JSON object", "one JSON object"],
    ),
    "missing_cases": (
        lambda m, r: ["--ranklens-cases", str(r.directory / "no-such-corpus")],
        ["no-such-corpus: no such file or folder", "BEIR folder"],
    ),
    "baseline_of_other_cases": (
        lambda m, r: ["--ranklens-baseline", str(r.path), "--ranklens-cases", str(BEIR_SAMPLE)],
        ["case source differs", "baseline 'builtin'", "beir-sample", "allow-mismatch"],
    ),
    "baseline_of_another_seed": (
        lambda m, r: ["--ranklens-baseline", str(r.path), "--ranklens-seed", "5"],
        ["seed differs", "allow-mismatch"],
    ),
}


def _malformed_rows(path: Path) -> Path:
    path.write_text('{"query": "a", "passage": "b"}\n{"query": "a", "passage": \n', encoding="utf-8")
    return path


def _corrupt(path: Path) -> Path:
    path.write_text('{"schema_version": "1.1", "checks": [')
    return path


@pytest.mark.parametrize("case", BAD_OPTIONS)
def test_pytest_refuses_a_bad_option_before_loading(
    case: str, tiny_bert: Path, earlier_report: EarlierReport, runner: Runner
) -> None:
    options, says = BAD_OPTIONS[case]
    outcome = runner.pytest(
        "invariants", "--model", tiny_bert, "--ranklens-json", earlier_report.path, *options(tiny_bert, earlier_report)
    )
    runner.refused(outcome, code=PYTEST_USAGE_ERROR, says=says)
    assert earlier_report.intact(), "the report written before the bad run changed"


@pytest.mark.parametrize(
    "case", ["negative_seed", "float64", "window_too_short", "report_folder_unwritable", "malformed_cases"]
)
def test_the_cli_refuses_the_same_options_with_exit_2(
    case: str, tiny_bert: Path, earlier_report: EarlierReport, runner: Runner
) -> None:
    options, says = BAD_OPTIONS[case]
    cli_options = [o.replace("--ranklens-", "--") for o in options(tiny_bert, earlier_report)]
    outcome = runner.cli(
        "run", "--suite", "invariants", "--model", tiny_bert, "--out", earlier_report.directory, *cli_options,
        cwd=earlier_report.directory.parent,
    )  # fmt: skip
    runner.refused(outcome, code=CLI_BAD_INPUT, says=says)
    assert earlier_report.intact(), "the report written before the bad run changed"


@pytest.mark.parametrize(
    ("argv", "env"),
    [(["--model", ""], {}), ([], {"RANKLENS_MODEL": " "})],
    ids=["empty_model_option", "blank_model_variable"],
)
def test_a_blank_model_is_refused_not_replaced_by_the_default(
    argv: list[str], env: dict[str, str], earlier_report: EarlierReport, runner: Runner
) -> None:
    outcome = runner.pytest("invariants", *argv, "--ranklens-json", earlier_report.path, env=env)
    runner.refused(outcome, code=PYTEST_USAGE_ERROR, says=["is empty", "leave", "default model"])
    assert earlier_report.intact(), "the report written before the bad run changed"


def test_the_cli_names_an_unknown_flag_itself(tiny_bert: Path, earlier_report: EarlierReport, runner: Runner) -> None:
    outcome = runner.cli(
        "run", "--model", tiny_bert, "--out", earlier_report.directory, "--sample-sise", "3", cwd=runner.repo
    )
    runner.refused(outcome, code=CLI_BAD_INPUT, says=["unrecognized arguments: --sample-sise"])
    assert earlier_report.intact(), "the report written before the bad run changed"


def test_the_cli_takes_the_report_paths_the_readme_names(tiny_bert: Path, tmp_path: Path, runner: Runner) -> None:
    json_path, html_path = tmp_path / "a" / "r.json", tmp_path / "b" / "r.html"
    outcome = runner.cli(
        "run", "--suite", "invariants", "--model", tiny_bert, "--json", json_path, "--html", html_path,
        "--sample-size", "40", cwd=tmp_path,
    )  # fmt: skip
    report = json.loads(json_path.read_text())
    assert (outcome.code, report["status"], report["sample_size"], html_path.is_file()) == (0, "partial", 40, True), (
        outcome.text[-2000:]
    )
