"""A counterexample is a function of the seed alone, not of what else the process imported."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from ranklens.axioms.search import _no_local_constants


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
    with _no_local_constants():
        assert len(providers._get_local_constants()) == 0
    assert len(providers._get_local_constants()) > 0
