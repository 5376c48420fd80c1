"""pytest loads the ranklens plugin (entry point pytest11) in every run of the environment it is
installed in; a run that uses no ranklens fixture must not pay for torch, transformers or the checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HEAVY = (
    "torch",
    "transformers",
    "sentence_transformers",
    "scipy",
    "ranklens.models",
    "ranklens.axioms",
    "ranklens.claims",
)


def test_importing_the_plugin_imports_nothing_heavy() -> None:
    code = f"import sys, ranklens.plugin; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_pytest_run_that_uses_no_ranklens_fixture_never_imports_torch(tmp_path: Path) -> None:
    (tmp_path / "test_other.py").write_text(
        "import sys\n\n"
        "def test_nothing_heavy_was_imported():\n"
        f"    assert [m for m in {HEAVY!r} if m in sys.modules] == []\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert (
        "--ranklens-model"
        in subprocess.run(
            [sys.executable, "-m", "pytest", "--help"], cwd=tmp_path, capture_output=True, text=True
        ).stdout
    ), "the plugin was not loaded, so this test would prove nothing"
