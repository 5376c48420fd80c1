"""``ranklens run --model a --model b``: each model in its own process, then a side-by-side page.

(``pytest --model a --model b`` tests them in one process instead: :mod:`ranklens.plugin.runs`.)

One process per model keeps memory at that of the largest model (a process returns everything
when it ends) and keeps one model's failure from touching another's run. Each model's report
goes to ``OUT/NAME/`` exactly as a one-model run writes it; ``OUT/models.html`` puts them side by
side (:mod:`ranklens.report.html_models`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ranklens.errors import RanklensError
from ranklens.plugin.runs import MODELS_PAGE, run_folder_names


def refuse_single_report_paths(args: argparse.Namespace) -> None:
    """--json and --html name one file, but several models (or a cluster run) write a folder each."""
    if args.ranklens_json is not None or args.ranklens_html is not None:
        raise RanklensError(
            "--json and --html name one file; with several models or --ray each report goes to "
            "OUT/NAME/report.json. Pass --out DIR instead."
        )


def run_many(args: argparse.Namespace, forwarded: Sequence[str], passthrough: Sequence[str]) -> int:
    """Run each of ``args.ranklens_model`` with the ``forwarded`` options; the worst exit status."""
    from ranklens.cli.views import write_models_page

    refuse_single_report_paths(args)
    out: Path = args.out
    codes = []
    reports = []
    for model, name in zip(args.ranklens_model, run_folder_names(args.ranklens_model), strict=True):
        folder = out / name
        print(f"ranklens: {model} -> {folder}", flush=True)
        command = [sys.executable, "-m", "ranklens.cli", "run", "--model", model, "--out", str(folder), *forwarded]
        codes.append(subprocess.run([*command, "--", *passthrough], check=False).returncode)
        if (folder / "report.json").is_file():
            reports.append(folder / "report.json")
    if len(reports) >= 1:
        page = write_models_page(reports, out / MODELS_PAGE)
        print(f"ranklens: {len(reports)} models side by side in {page}")
    return max(codes)
