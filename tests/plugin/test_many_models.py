"""``pytest --model a --model b``: one session runs every check once per model, with the model in
each test id and record, and writes one complete report per model (and gates each on its own)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ranklens.plugin.options import Settings
from ranklens.plugin.runs import run_folder_names
from ranklens.verdicts import model_in_test_id, one_model_test_id

REPO = Path(__file__).resolve().parents[2]
INVARIANTS = REPO / "invariants"
INVARIANT_CHECKS = {"window_fit", "score_determinism", "batch_size_invariance", "batch_order_invariance"}

pytest_plugins = ["pytester"]


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(str(INVARIANTS), *args, "-p", "no:cacheprovider", "-p", "no:randomly")


@pytest.fixture
def two_models(tiny_checkpoint: Callable[..., Path]) -> dict[str, Path]:
    models = [tiny_checkpoint("bert"), tiny_checkpoint("electra")]
    return dict(zip(run_folder_names([str(m) for m in models]), models, strict=True))


def model_args(models: dict[str, Path]) -> list[str]:
    return [arg for path in models.values() for arg in ("--model", str(path))]


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "xdist"])
def test_each_model_runs_every_check_and_gets_its_own_report(
    pytester: pytest.Pytester, two_models: dict[str, Path], workers: list[str]
) -> None:
    out = pytester.path / "reports"
    result = run(
        pytester,
        *model_args(two_models),
        "--ranklens-json",
        str(out / "report.json"),
        "--ranklens-html",
        str(out / "report.html"),
        "-v",
        *workers,
    )
    result.assert_outcomes(passed=2 * len(INVARIANT_CHECKS))
    assert not (out / "report.json").exists(), "several models never share one report"
    for name, path in two_models.items():
        assert re.search(rf"test_scoring_twice_gives_the_same_scores\[model={re.escape(name)}\]", result.stdout.str())
        report = json.loads((out / name / "report.json").read_text())
        assert (report["status"], report["missing"]) == ("partial", []), "only the suites' selection narrows it"
        assert report["status_reason"].endswith("(suites not (wholly) selected: axioms, circuits)")
        assert report["model"]["id"] == str(path)
        assert {r["check_id"] for r in report["checks"]} == INVARIANT_CHECKS
        assert {model_in_test_id(r["test_id"]) for r in report["checks"]} == {name}
        assert (out / name / "report.html").is_file()
    page = (out / "models.html").read_text()
    assert all(str(path) in page for path in two_models.values())


def test_one_model_keeps_its_test_ids_and_report_path(pytester: pytest.Pytester, two_models: dict[str, Path]) -> None:
    path = next(iter(two_models.values()))
    out = pytester.path / "report.json"
    result = run(pytester, "--model", str(path), "--ranklens-json", str(out), "-v")
    result.assert_outcomes(passed=len(INVARIANT_CHECKS))
    assert "model=" not in result.stdout.str()
    assert {model_in_test_id(r["test_id"]) for r in json.loads(out.read_text())["checks"]} == {None}


def test_a_models_file_is_the_same_as_repeating_model(pytester: pytest.Pytester, two_models: dict[str, Path]) -> None:
    listing = pytester.path / "models.txt"
    listing.write_text("# candidates\n" + "".join(f"{path}  # {name}\n\n" for name, path in two_models.items()))
    result = run(pytester, "--ranklens-models", str(listing), "--ranklens-json", str(pytester.path / "r.json"))
    result.assert_outcomes(passed=2 * len(INVARIANT_CHECKS))
    assert all((pytester.path / name / "r.json").is_file() for name in two_models)


def test_one_model_that_does_not_load_stops_the_session_before_any_test(
    pytester: pytest.Pytester, two_models: dict[str, Path]
) -> None:
    good = next(iter(two_models.values()))
    out = pytester.path / "reports" / "report.json"
    missing = pytester.path / "missing-model"
    result = run(pytester, "--model", str(good), "--model", str(missing), "--ranklens-json", str(out))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*ranklens: {missing}: No such directory*No model was tested*"])
    assert json.loads((out.parent / "missing-model" / "report.json").read_text())["status"] == "error"
    assert not (out.parent / good.name / "report.json").exists()


def test_each_model_is_gated_against_its_own_baseline(pytester: pytest.Pytester, two_models: dict[str, Path]) -> None:
    base = pytester.path / "base"
    run(pytester, *model_args(two_models), "--ranklens-json", str(base / "report.json")).assert_outcomes(passed=8)
    gated = run(pytester, *model_args(two_models), "--ranklens-baseline", str(base), "--ranklens-json", "c/r.json")
    assert gated.ret == pytest.ExitCode.OK, gated.stdout.str()[-3000:]
    for name in two_models:
        gated.stdout.fnmatch_lines([f"*ranklens gate: *{name}*", f"*against *{name}/report.json*"])
        assert json.loads((pytester.path / "c" / name / "r.json").read_text())["gate"]["decision"] == "passed"
    one_file = run(
        pytester, *model_args(two_models), "--ranklens-baseline", str(base / next(iter(two_models)) / "report.json")
    )
    assert one_file.ret == pytest.ExitCode.USAGE_ERROR
    one_file.stderr.fnmatch_lines(["*is one report, but this session tests several models*"])


def test_selecting_one_models_tests_reports_that_model_alone(
    pytester: pytest.Pytester, two_models: dict[str, Path]
) -> None:
    chosen, other = two_models
    out = pytester.path / "reports" / "report.json"
    result = run(pytester, *model_args(two_models), "-k", chosen, "--ranklens-json", str(out))
    result.assert_outcomes(passed=len(INVARIANT_CHECKS), deselected=len(INVARIANT_CHECKS))
    report = json.loads((pytester.path / "reports" / chosen / "report.json").read_text())
    assert report["status"] == "partial" and not any(other in m["test_id"] for m in report["missing"])
    assert not (pytester.path / "reports" / other).exists()


@pytest.mark.parametrize(
    ("given_models", "problem"),
    [(["a", "a"], "asked for twice"), (["a", " "], "--model is empty")],
)
def test_the_model_list_is_refused_when_it_cannot_mean_what_was_meant(given_models: list[str], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Settings.from_values(lambda dest: given_models if dest == "ranklens_model" else None)


NAMES = st.from_regex(r"[A-Za-z0-9._-]{1,20}", fullmatch=True)
PARAMS = st.lists(st.from_regex(r"[a-z]{1,8}=[a-z0-9.]{1,8}", fullmatch=True), max_size=3)


@given(name=NAMES, params=PARAMS)
def test_a_test_id_names_its_model_and_compares_with_the_one_model_id(name: str, params: list[str]) -> None:
    """The gate pairs records across a one-model and a several-model run by the test id without
    its model part; whatever the test's own parameters, that part comes off exactly."""
    alone = "suite/test_x.py::test_y" + (f"[{'-'.join(params)}]" if params else "")
    several = f"suite/test_x.py::test_y[{'-'.join([*params, f'model={name}'])}]"
    assert model_in_test_id(several) == name
    assert one_model_test_id(several) == alone
    assert model_in_test_id(alone) is None and one_model_test_id(alone) == alone
