"""A counterexample is a function of the seed alone, not of what else the process imported."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from ranklens.axioms.measure import tokenizer_case_context
from ranklens.axioms.registry import axiom
from ranklens.axioms.search import _no_local_constants, search_counterexample
from ranklens.axioms.spec import CaseContext
from ranklens.data.wordpiece import bert_wordpiece


class AntiMatcher:
    """A scorer that punishes every query word in the document: it violates TFC1 on any case."""

    def fits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        return np.ones(len(pairs), dtype=bool)

    def score(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        return np.array([-float(sum(w in set(q.lower().split()) for w in d.lower().split())) for q, d in pairs])


@pytest.fixture(scope="module")
def ctx() -> CaseContext:
    return tokenizer_case_context(bert_wordpiece())


def test_one_seed_shrinks_to_one_counterexample_whatever_local_code_is_loaded(
    ctx: CaseContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = axiom("TFC1[position=append]")
    first = search_counterexample(AntiMatcher(), spec, ctx, delta=0.5, seed=3)  # type: ignore[arg-type]
    assert first is not None
    # A module outside site-packages full of literals, as a user's own test module is: Hypothesis
    # mines such "local" constants and would draw some of them during the search.
    literals = ", ".join(str(i) for i in range(0, 70000, 97))
    (tmp_path / "local_literals.py").write_text(f"VALUES = [{literals}]\nWORDS = ['abandonment', 'league']\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("local_literals")
    assert search_counterexample(AntiMatcher(), spec, ctx, delta=0.5, seed=3) == first  # type: ignore[arg-type]


def test_the_search_draws_no_constant_mined_from_local_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The mechanism behind the property above, which a short search may not exercise."""
    from hypothesis.internal.conjecture import providers

    (tmp_path / "more_literals.py").write_text("VALUES = [11, 22, 33]\nWORDS = ['mined']\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("more_literals")
    assert len(providers._get_local_constants()) > 0, "Hypothesis mines local literals: the guard has work to do"
    with _no_local_constants():
        assert len(providers._get_local_constants()) == 0
    assert len(providers._get_local_constants()) > 0
