"""Reports as pandas tables: one tidy row per model x check, and the tables that join back to it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import ranklens
from ranklens.cli import main
from ranklens.report import Report, write_report
from ranklens.report.frames import CHECK_COLUMNS
from ranklens.verdicts import CheckResult, Effect, Kind, Verdict

ROOT = Path(__file__).resolve().parents[2]
AXIOMS = ROOT / "reports" / "baselines" / "planted--axioms.json"
INVARIANTS = ROOT / "reports" / "baselines" / "tiny-bert--invariants.json"


def test_each_check_of_a_real_report_is_one_row_with_the_numbers_of_its_record() -> None:
    frame = ranklens.read_report(AXIOMS).to_frame()
    records = json.loads(AXIOMS.read_text())["checks"]
    assert list(frame.columns) == list(CHECK_COLUMNS)
    assert len(frame) == len(records)
    for row, record in zip(frame.itertuples(), records, strict=True):
        assert (row.check_id, row.verdict, row.n) == (record["check_id"], record["verdict"], record["n"])
        assert (row.value, row.ci_low, row.ci_high) == tuple(
            record["effect"][k] for k in ("value", "ci_low", "ci_high")
        )
        assert row.model == "planted" and row.seed == 0 and row.sample_size == 60
        assert row.case_source == "builtin"  # a report from before case sources were recorded
    assert "TFC2[step=1,position=append]" in set(frame["name"]), "parameters name the row as the report names the check"


def test_several_reports_stack_into_one_frame_with_the_model_on_each_row() -> None:
    frame = ranklens.read_reports([AXIOMS, INVARIANTS])
    assert frame.groupby("model").size().to_dict() == {
        "planted": len(json.loads(AXIOMS.read_text())["checks"]),
        "tiny-bert": len(json.loads(INVARIANTS.read_text())["checks"]),
    }
    assert not frame.duplicated(["model", "name"]).any(), "model and name identify a row"


def test_an_axioms_cases_average_to_its_effect() -> None:
    """The per-case table is the same data as the effect, not a summary of something else."""
    tables = ranklens.read_report(AXIOMS)
    means = tables.cases_frame().groupby("name")["value"].mean()
    checks = tables.to_frame().set_index("name")
    axioms = checks[checks["kind"] == "axiom"]
    assert len(axioms) > 0
    for name, value in axioms["value"].items():
        assert means[name] == pytest.approx(value), name


def test_the_head_grid_and_the_neurons_found_are_tables(full_report_path: Path, tmp_path: Path) -> None:
    tables = ranklens.read_report(full_report_path)
    heads = tables.heads_frame()
    grid = heads[heads["check_id"] == "soft_tf_heads"]
    assert len(grid) == 4 * 6
    assert set(map(tuple, grid.loc[grid["found"], ["layer", "head"]].to_numpy().tolist())) == {(2, 3), (3, 1)}
    assert grid.set_index(["layer", "head"]).loc[(2, 3), "recovery"] == 0.91

    neurons = CheckResult(
        "relevance_neurons",
        Kind.CLAIM,
        Verdict.PASS,
        12,
        Effect("excess", 0.4, 0.3, 0.5),
        {"min_excess": 0.1},
        details={"neurons_found": [[2, 37], [2, 101]]},
    )
    path = write_report(
        Report(model={"id": "m"}, environment={}, seed=0, sample_size=None, checks=[neurons]), tmp_path / "n.json"
    )
    found = ranklens.read_report(path).neurons_frame()
    assert found[["layer", "neuron"]].to_numpy().tolist() == [[2, 37], [2, 101]]


def test_summary_writes_the_checks_as_csv_and_prints_them_otherwise(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "checks.csv"
    assert main(["summary", str(AXIOMS), str(INVARIANTS), "--csv", str(out)]) == 0
    written = pd.read_csv(out)
    assert list(written.columns) == list(CHECK_COLUMNS)
    assert len(written) == len(ranklens.read_reports([AXIOMS, INVARIANTS]))
    capsys.readouterr()
    assert main(["summary", str(AXIOMS)]) == 0
    printed = capsys.readouterr().out
    assert "TFC2[step=1,position=append]" in printed and "verdict" in printed


def test_summary_never_writes_over_a_report_it_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.json"
    report.write_bytes(AXIOMS.read_bytes())
    assert main(["summary", str(report), "--csv", str(report)]) == 2
    assert report.read_bytes() == AXIOMS.read_bytes()
    assert "Refusing to write" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["summary", "missing.json"], "No report at"),
        (["summary", str(AXIOMS), "--table", "layers"], "Unknown table 'layers'"),
    ],
)
def test_summary_names_what_is_wrong_with_its_input(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(arguments) == 2
    assert message in capsys.readouterr().err


def test_parquet_without_an_engine_says_what_to_install_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name in ("pyarrow", "fastparquet") else real(name)
    )
    out = tmp_path / "checks.parquet"
    assert main(["summary", str(AXIOMS), "--parquet", str(out), "--csv", str(tmp_path / "c.csv")]) == 2
    assert "pip install pyarrow" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "c.csv").exists()


def test_importing_ranklens_imports_no_pandas() -> None:
    """pytest imports every plugin it finds: ranklens must stay light until a table is asked for."""
    code = "import sys, ranklens, ranklens.plugin; print('pandas' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        == "False"
    )
