"""Regenerate the verdict matrix: every axiom and claim on every fixture model, one table.

    python scripts/verdict_matrix.py              # run every fixture, then write the matrix
    python scripts/verdict_matrix.py --render     # rewrite the tables from the committed JSON only
    python scripts/verdict_matrix.py --reports DIR  # from DIR/<fixture>/report.json, runs done already

Each fixture runs through ``ranklens run`` (the axiom and circuit suites, seed 0, the full
profile) in its own process, one at a time; the reports go to a temporary folder and only the
matrix is kept: ``reports/matrix/verdict-matrix.json`` (what every cell shows, per model) and
``reports/matrix/verdict-matrix.md``. The claims table in README.md between the
``verdict-matrix`` markers is rewritten from the same JSON; ``tests/unit/test_verdict_matrix.py``
fails when the README and the JSON disagree, and checks the planted controls' cells against what
each variant declares it must fail (:class:`ranklens.zoo.planted.layout.PlantedRecipe`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ranklens.report.matrix import matrix_from_reports, render_matrix
from ranklens.zoo.planted.layout import PLANTED_VARIANTS
from ranklens.zoo.registry import fixture_path

ROOT = Path(__file__).resolve().parent.parent
MATRIX_JSON = ROOT / "reports" / "matrix" / "verdict-matrix.json"
MATRIX_MD = ROOT / "reports" / "matrix" / "verdict-matrix.md"
README = ROOT / "README.md"
START, END = "<!-- verdict-matrix:start -->", "<!-- verdict-matrix:end -->"
FIXTURES = (*PLANTED_VARIANTS, "minilm-base", "minilm-ce")


def run_fixture(name: str, out: Path) -> dict[str, Any]:
    """The report of ``ranklens run`` on one fixture (a failed run still leaves its report)."""
    ranklens = Path(sys.executable).parent / "ranklens"  # the console script of this environment
    model = fixture_path(name)  # built (and cached) here, so the run's time is the suites'
    command = [str(ranklens), "run", "--model", str(model), "--seed", "0", "--out", str(out)]
    command += ["--suite", "axioms", "--suite", "circuits"]
    started = time.perf_counter()
    done = subprocess.run(command, env=os.environ | {"HF_HUB_OFFLINE": "1"}, check=False)
    print(f"{name}: exit {done.returncode} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return _read(out / "report.json")


def _read(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def readme_with(table: str, readme: str) -> str:
    """``readme`` with the text between the markers replaced by ``table``."""
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}{END}{tail}"


def claims_table(matrix: dict[str, Any]) -> str:
    return render_matrix(matrix, kinds=("claim",))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render", action="store_true", help="only rewrite the tables from the committed JSON")
    parser.add_argument("--only", nargs="*", default=None, help="rerun these fixtures, keep the others' cells")
    parser.add_argument("--reports", type=Path, help="read DIR/<fixture>/report.json instead of running")
    args = parser.parse_args()
    if args.render:
        matrix = json.loads(MATRIX_JSON.read_text(encoding="utf-8"))
    elif args.reports:
        reports = {name: _read(args.reports / name / "report.json") for name in FIXTURES}
        matrix = matrix_from_reports(reports)
        MATRIX_JSON.parent.mkdir(parents=True, exist_ok=True)
        MATRIX_JSON.write_text(json.dumps(matrix, indent=1) + "\n", encoding="utf-8")
    else:
        names = args.only or list(FIXTURES)
        with tempfile.TemporaryDirectory() as tmp:
            reports = {name: run_fixture(name, Path(tmp) / name) for name in names}
        fresh = matrix_from_reports(reports)
        matrix = _merged(fresh) if args.only else fresh
        MATRIX_JSON.parent.mkdir(parents=True, exist_ok=True)
        MATRIX_JSON.write_text(json.dumps(matrix, indent=1) + "\n", encoding="utf-8")
    MATRIX_MD.write_text("# Verdict matrix (seed 0, full profile)\n\n" + render_matrix(matrix), encoding="utf-8")
    README.write_text(readme_with(claims_table(matrix), README.read_text(encoding="utf-8")), encoding="utf-8")


def _merged(fresh: dict[str, Any]) -> dict[str, Any]:
    """The committed matrix with the rerun fixtures' columns replaced (fixture order kept)."""
    matrix: dict[str, Any] = json.loads(MATRIX_JSON.read_text(encoding="utf-8"))
    matrix["models"] = [m for m in FIXTURES if m in matrix["models"] or m in fresh["models"]]
    matrix["runs"].update(fresh["runs"])
    for check, cells in fresh["checks"].items():
        matrix["checks"].setdefault(check, {}).update(cells)
    return matrix


if __name__ == "__main__":
    main()
