"""The reliability suite's harness: run ranklens as a user would, in a subprocess, and check that a
bad input ends in the documented exit status, a message naming the cause and the fix, no
traceback, and an earlier report left byte-identical."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GOOD_REPORT = REPO / "reports" / "baselines" / "tiny-bert--invariants.json"


@dataclass(frozen=True)
class Outcome:
    """What a finished ranklens process left: exit status and everything it printed."""

    code: int
    stdout: str
    stderr: str

    @property
    def text(self) -> str:
        return self.stdout + self.stderr


def _environment(extra: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "RANKLENS_MODEL"))}
    # One thread per run: these runs check exits and messages, not numbers, and the other xdist
    # worker is using the other core.
    env.update({"HF_HUB_OFFLINE": "1", "PYTHONWARNINGS": "ignore", "COLUMNS": "200", "OMP_NUM_THREADS": "1"})
    env.update(extra or {})
    return env


def run_process(argv: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> Outcome:
    done = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=_environment(env),
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


class Runner:
    """Runs ranklens as a user would and judges how a refused run ended."""

    repo = REPO

    @staticmethod
    def cli(*args: object, cwd: Path, env: dict[str, str] | None = None) -> Outcome:
        """``ranklens ARGS`` as a user types it."""
        return run_process([sys.executable, "-m", "ranklens.cli", *map(str, args)], cwd=cwd, env=env)

    @staticmethod
    def pytest(*args: object, cwd: Path = REPO, env: dict[str, str] | None = None) -> Outcome:
        """``pytest ARGS`` from ``cwd`` (the repository by default), the plugin from its entry point."""
        argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *map(str, args)]
        return run_process(argv, cwd=cwd, env=env)

    @staticmethod
    def refused(outcome: Outcome, *, code: int, says: Sequence[str]) -> None:
        """The run stopped with ``code``, printed every phrase of ``says`` (cause and fix, any
        case), and showed no traceback."""
        missing = [phrase for phrase in says if phrase.lower() not in outcome.text.lower()]
        assert (outcome.code, missing, "Traceback" in outcome.text) == (code, [], False), (
            f"exit {outcome.code} (expected {code}); phrases not printed: {missing}\n"
            f"--- stdout ---\n{outcome.stdout[-3000:]}\n--- stderr ---\n{outcome.stderr[-3000:]}"
        )


@pytest.fixture(scope="session")
def runner() -> Runner:
    return Runner()


@dataclass(frozen=True)
class EarlierReport:
    """A complete report written before the bad run; the bad run must leave it byte-identical."""

    path: Path
    content: bytes

    @property
    def directory(self) -> Path:
        return self.path.parent

    def intact(self) -> bool:
        return self.path.read_bytes() == self.content


@pytest.fixture
def earlier_report(tmp_path: Path) -> EarlierReport:
    """``tmp/out/report.json``: a complete report (a committed one, of the invariant suite alone,
    marked as its complete run), the evidence a bad run must not destroy."""
    path = tmp_path / "out" / "report.json"
    path.parent.mkdir()
    report = {**json.loads(GOOD_REPORT.read_text()), "status": "complete", "status_reason": "all 4 checks ran"}
    path.write_text(json.dumps(report, indent=2) + "\n")
    return EarlierReport(path, path.read_bytes())


@pytest.fixture(scope="session")
def tiny_bert(tiny_checkpoint: Callable[..., Path]) -> Path:
    return tiny_checkpoint("bert")
