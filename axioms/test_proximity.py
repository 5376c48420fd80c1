"""Proximity and coverage axioms (ranklens.axioms.proximity has statements, controls, citations)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ranklens.plugin.axiom_fixtures import skip_if_inconclusive
from ranklens.verdicts import CheckResult, Verdict

Check = Callable[[str], CheckResult]
Record = Callable[[CheckResult], CheckResult]


@pytest.mark.ranklens_check("PROX", kind="axiom")
def test_prox_query_terms_side_by_side_beat_terms_far_apart(axiom_check: Check, record_check: Record) -> None:
    result = record_check(axiom_check("PROX"))
    skip_if_inconclusive(result)
    assert result.verdict == Verdict.PASS, result.message


@pytest.mark.ranklens_check("AND", kind="axiom")
def test_and_covering_every_query_term_beats_missing_one(axiom_check: Check, record_check: Record) -> None:
    result = record_check(axiom_check("AND"))
    skip_if_inconclusive(result)
    assert result.verdict == Verdict.PASS, result.message
