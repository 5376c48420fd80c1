"""Length axioms (ranklens.axioms.length has statements, controls, citations)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ranklens.plugin.axiom_fixtures import skip_if_inconclusive
from ranklens.verdicts import CheckResult, Verdict

Check = Callable[[str], CheckResult]
Record = Callable[[CheckResult], CheckResult]


@pytest.mark.ranklens_check("LNC1", kind="axiom")
@pytest.mark.parametrize("sentences", [1, 3])
def test_lnc1_adding_unrelated_text_lowers_the_score(axiom_check: Check, record_check: Record, sentences: int) -> None:
    result = record_check(axiom_check(f"LNC1[sentences={sentences}]"))
    skip_if_inconclusive(result)
    assert result.verdict == Verdict.PASS, result.message


@pytest.mark.ranklens_check("LNC2", kind="axiom")
def test_lnc2_a_self_concatenated_document_is_not_penalised(axiom_check: Check, record_check: Record) -> None:
    result = record_check(axiom_check("LNC2[times=2]"))
    skip_if_inconclusive(result)
    assert result.verdict == Verdict.PASS, result.message


@pytest.mark.ranklens_check("TF-LNC", kind="axiom")
def test_tf_lnc_a_query_term_helps_although_the_document_grows(axiom_check: Check, record_check: Record) -> None:
    result = record_check(axiom_check("TF-LNC"))
    skip_if_inconclusive(result)
    assert result.verdict == Verdict.PASS, result.message
