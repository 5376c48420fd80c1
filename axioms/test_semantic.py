"""Semantic term matching axioms (ranklens.axioms.semantic has statements, controls, citations)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ranklens.plugin.axiom_fixtures import skip_if_inconclusive
from ranklens.verdicts import CheckResult, Verdict

Check = Callable[[str], CheckResult]
Record = Callable[[CheckResult], CheckResult]


@pytest.mark.ranklens_check("STMC1", kind="axiom")
def test_stmc1_a_related_word_helps(axiom_check: Check, record_check: Record) -> None:
    result = record_check(axiom_check("STMC1"))
    skip_if_inconclusive(result)
    assert result.verdict == Verdict.PASS, result.message


@pytest.mark.ranklens_check("STMC2", kind="axiom")
def test_stmc2_the_exact_term_helps_more_than_a_related_word(axiom_check: Check, record_check: Record) -> None:
    result = record_check(axiom_check("STMC2"))
    skip_if_inconclusive(result)
    assert result.verdict == Verdict.PASS, result.message
