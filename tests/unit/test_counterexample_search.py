"""The counterexample search: a function of the seed alone, and never an error of its own."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import numpy as np
import pytest

from ranklens.axioms import search
from ranklens.axioms.spec import AxiomSpec
from ranklens.cases.contrast import Case
from ranklens.models import Reranker
from ranklens.strategies import CaseContext
from ranklens.strategies.search import no_local_constants


def test_the_search_draws_no_constant_mined_from_local_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hypothesis draws, now and then, literals mined from the local modules loaded at the time;
    during the search that pool is empty, so the counterexample is a function of the seed alone.
    (A search-outcome test was tried and dropped: a short search on a stub scorer shrank to the
    same case without the guard too, so it could not fail.)"""
    from hypothesis.internal.conjecture import providers

    (tmp_path / "more_literals.py").write_text("VALUES = [11, 22, 33]\nWORDS = ['mined']\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("more_literals")
    assert len(providers._get_local_constants()) > 0, "Hypothesis mines local literals: the guard has work to do"
    with no_local_constants():
        assert len(providers._get_local_constants()) == 0
    assert len(providers._get_local_constants()) > 0


class _AlwaysViolated:
    """A scorer on which every case violates its axiom by a full point."""

    def fits(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        return np.ones(len(pairs), dtype=bool)

    def score(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        return np.ones(len(pairs))


def _violated_once(draw: object, ctx: object, query: str, document: str, params: object) -> Case:
    return Case("STUB", query, document, ((query, document, -1.0),))


def test_a_search_that_runs_out_of_budget_still_returns_what_it_found() -> None:
    """Hypothesis replays the example it found after shrinking; an evaluation budget spent by then
    must not turn that example into a non-violation (it raised FlakyFailure, and the axiom's
    verdict became ERROR on ``planted-no-saturation``'s STMC1)."""
    spec = AxiomSpec("STUB", "every case violates", "none", build=_violated_once)
    ctx = cast(CaseContext, SimpleNamespace())
    found = search.search_counterexample(cast(Reranker, _AlwaysViolated()), spec, ctx, delta=0.5, seed=0, evaluations=1)
    assert found is not None and "contrast -1" in found, found
