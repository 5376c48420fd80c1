"""Several models side by side (``ranklens models``, ``ranklens run --model a --model b``) and a
reranker across releases (``ranklens history``): what each page shows, drawn from reports alone."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from tests.report.conftest import INJECTION, axiom, baseline_report, full_report

from ranklens.cli import EXIT_BAD_INPUT, main
from ranklens.plugin.runs import run_folder_names
from ranklens.report import read_report, write_report
from ranklens.report.html_models import render_models
from ranklens.verdicts import Verdict

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _write(tmp_path: Path, name: str, report: object) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return write_report(report, folder / "report.json")  # type: ignore[arg-type]


def test_the_models_page_has_one_row_per_check_and_one_column_per_model(tmp_path: Path) -> None:
    first = full_report("model-a")
    second = dataclasses.replace(
        full_report(f"model-b {INJECTION}"), checks=[c for c in full_report().checks if c.check_id != "LNC1"]
    )
    html = render_models([read_report(_write(tmp_path, n, r)) for n, r in (("a", first), ("b", second))])
    assert "<script" not in html and "&lt;script&gt;" in html
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(invariant|axiom|claim)</td>", html)
    assert len(rows) == len({(c.check_id, tuple(sorted(c.params.items()))) for c in first.checks})
    lnc1 = html[html.index("<td>LNC1</td>") :].split("</tr>")[0]
    assert "inconclusive" in lnc1 and "not run" in lnc1, "a check one model lacks is marked, not dropped"
    assert html.count('class="plot plot-heatmap"') == 2, "one head grid per model for the one head claim"
    assert html.count("heads found L2H3, L3H1") == 2
    assert "Not measured alike" not in html


def test_the_models_page_warns_when_the_runs_were_not_measured_alike(tmp_path: Path) -> None:
    reports = [full_report("a"), dataclasses.replace(full_report("b"), seed=3)]
    html = render_models([read_report(_write(tmp_path, str(i), r)) for i, r in enumerate(reports)])
    assert "Not measured alike:</strong> seed differ" in html


def test_history_draws_every_check_across_releases_with_the_gate_at_each_step(tmp_path: Path) -> None:
    v1, v2 = baseline_report(), full_report()
    v3 = dataclasses.replace(
        v2, checks=[axiom("TFC2", 0.45, Verdict.PASS) if c.check_id == "TFC2" else c for c in v2.checks]
    )
    folders = [_write(tmp_path, name, r).parent for name, r in (("v1", v1), ("v2", v2), ("v3", v3))]
    output = tmp_path / "history.html"
    assert main(["history", *map(str, folders), "-o", str(output)]) == 0
    html = output.read_text()
    assert "1 = v1 → 2 = v2 → 3 = v3" in html
    keys = {(c.check_id, tuple(sorted(c.params.items()))) for c in v2.checks}
    assert html.count('<figure><svg xmlns="http://www.w3.org/2000/svg" class="plot plot-curve"') == len(keys) - 1
    assert html.count("no release has a defined effect") == 1, "the errored check has no effect to draw"
    tfc2 = (
        html[: html.index("<strong>TFC2</strong>")].rsplit("<figure>", 1)[1]
        + html[html.index("<strong>TFC2</strong>") :].split("</figure>")[0]
    )
    assert re.findall(r'class="badge (\w+)"', tfc2) == ["regressed", "improved"]
    steps = html[html.index('id="gates"') : html.index('id="history"')]
    assert re.findall(r'class="badge \w+">(\w+)<', steps) == ["failed", "failed"]  # v3 keeps an error record


def test_history_refuses_one_report_and_writing_over_an_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _write(tmp_path, "v1", full_report())
    assert main(["history", str(report), "-o", str(tmp_path / "h.html")]) == EXIT_BAD_INPUT
    assert "two or more reports" in capsys.readouterr().err
    assert main(["history", str(report), str(report), "-o", str(report)]) == EXIT_BAD_INPUT
    assert "over its input" in capsys.readouterr().err
    assert main(["models", str(tmp_path / "nowhere"), "-o", str(tmp_path / "m.html")]) == EXIT_BAD_INPUT


def test_run_folder_names_are_safe_and_unique(tmp_path: Path) -> None:
    local = tmp_path / "my model"
    local.mkdir()
    names = run_folder_names(["cross-encoder/ms-marco-MiniLM-L-6-v2", str(local), "org/x", "org/x"])
    assert names == ["cross-encoder--ms-marco-MiniLM-L-6-v2", "my-model", "org--x-1", "org--x-2"]


def test_a_models_file_that_lists_nothing_or_cannot_be_read_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = tmp_path / "models.txt"
    listed.write_text("# release candidates\n\n   # none yet\n")
    assert main(["run", "--models", str(listed), "--out", str(tmp_path / "out")]) == EXIT_BAD_INPUT
    assert "lists no model" in capsys.readouterr().err
    assert main(["run", "--models", str(tmp_path / "nowhere.txt")]) == EXIT_BAD_INPUT
    assert "cannot be read" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
