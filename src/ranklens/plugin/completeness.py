"""How complete a run was: which checks it was expected to record, and which it did not.

A release gate must not mistake a subset for the whole. The expected checks are the collected
tests marked ``ranklens_check`` (collected on the controller, or on each xdist worker and sent
back in its ``workeroutput``); a check is missing when its test produced no record. The run is:

- ``interrupted`` when the user stopped it, or an expected check never ran (``-x``, a crash);
- ``error`` when no check ran at all;
- ``partial`` when the selection was narrower than the product suites: ``-k``/``-m``/``--deselect``
  removed checks, a skip came before a check recorded anything, or the paths named only some
  of the suites (``pytest invariants``, ``ranklens run --suite axioms``);
- ``complete`` otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from ranklens.report import MissingCheck, RunStatus
from ranklens.resources import SUITES

WORKER_OUTPUT_KEY = "ranklens_completeness"
Records = Mapping[tuple[str, str, str], Any]


def check_id_of(item: pytest.Item) -> str | None:
    """The check a product test records, from its ``ranklens_check`` marker."""
    marker = item.get_closest_marker("ranklens_check")
    return None if marker is None or not marker.args else str(marker.args[0])


class Completeness:
    """The expected checks of one run and what became of them."""

    def __init__(self, rootdir: Path) -> None:
        self.rootdir = rootdir
        self.expected: dict[str, str] = {}
        """Node id -> check id of every selected check."""
        self.deselected: dict[str, str] = {}
        self.skipped: dict[str, str] = {}
        """Node id -> why it was skipped before it recorded anything."""
        self.unselected_suites: tuple[str, ...] = ()
        self.targets_product_suites = False
        """Whether the command-line paths select any product suite (``pytest tests`` does not)."""

    def expect(self, items: Iterable[pytest.Item]) -> None:
        self.expected.update(_checks(items))

    def deselect(self, items: Iterable[pytest.Item]) -> None:
        self.deselected.update(_checks(items))

    def skip(self, nodeid: str, reason: str) -> None:
        """Note a test skipped before recording; only expected checks count (on an xdist
        controller the expected checks arrive after the tests ran, so this filters later)."""
        self.skipped[nodeid] = reason

    def select_paths(self, args: Iterable[str], invocation_dir: Path) -> None:
        """Note the product suites the command-line paths leave out (or take only in part)."""
        suites = [self.rootdir / name for name in SUITES if (self.rootdir / name).is_dir()]
        whole, some = set(), set()
        for arg in args:
            path = (invocation_dir / arg.split("::")[0]).resolve()
            for suite in suites:
                if "::" not in arg and (path == suite or path in suite.parents):
                    whole.add(suite)
                elif path == suite or suite in path.parents:
                    some.add(suite)
        self.targets_product_suites = bool(whole or some)
        if whole or some:
            self.unselected_suites = tuple(suite.name for suite in suites if suite not in whole)

    # -- xdist: workers collect, the controller judges ---------------------------------------

    def worker_output(self) -> dict[str, Any]:
        return {"expected": self.expected, "deselected": self.deselected}

    def merge(self, output: Mapping[str, Any]) -> None:
        self.expected.update(output.get("expected", {}))
        self.deselected.update(output.get("deselected", {}))

    # -- the judgement -----------------------------------------------------------------------

    def assess(self, records: Records, *, interrupted: bool) -> tuple[RunStatus, str, list[MissingCheck]]:
        """The run's status, one sentence saying why, and the checks it lacks."""
        ran = {nodeid for nodeid, _, _ in records}
        skipped = {n: why for n, why in self.skipped.items() if n in self.expected}
        not_run = {n: c for n, c in self.expected.items() if n not in ran and n not in skipped}
        missing = [
            *(MissingCheck(n, c, "did not run") for n, c in sorted(not_run.items())),
            *(MissingCheck(n, self.expected[n], f"skipped: {why}") for n, why in sorted(skipped.items())),
            *(MissingCheck(n, c, "deselected (-k, -m or --deselect)") for n, c in sorted(self.deselected.items())),
        ]
        counted = f"{len(ran)} of {len(self.expected) or len(ran)} checks"
        if interrupted:
            return RunStatus.INTERRUPTED, f"interrupted by the user after {counted} ran", missing
        if not_run:
            return RunStatus.INTERRUPTED, f"stopped early (-x, --maxfail or a crash): {counted} ran", missing
        if not records:
            return RunStatus.ERROR, "no check ran", missing
        narrowed = [
            *([f"{len(self.deselected)} checks deselected"] if self.deselected else []),
            *([f"{len(skipped)} checks skipped before recording"] if skipped else []),
            *([f"suites not (wholly) selected: {', '.join(self.unselected_suites)}"] if self.unselected_suites else []),
        ]
        if narrowed:
            return RunStatus.PARTIAL, f"a subset of the product suites ran ({'; '.join(narrowed)})", missing
        return RunStatus.COMPLETE, f"all {len(ran)} selected checks ran", missing


def _checks(items: Iterable[pytest.Item]) -> dict[str, str]:
    return {item.nodeid: check for item in items if (check := check_id_of(item)) is not None}
