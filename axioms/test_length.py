"""Length axioms (ranklens.axioms.length has statements, controls, citations)."""

from __future__ import annotations

import pytest

from ranklens.testing import CheckFixture, RecordFixture, expect


@pytest.mark.ranklens_check("LNC1", kind="axiom")
@pytest.mark.parametrize("sentences", [1, 3], ids=lambda n: f"sentences={n}")
def test_lnc1_adding_unrelated_text_lowers_the_score(
    axiom_check: CheckFixture, record_check: RecordFixture, sentences: int
) -> None:
    expect(record_check(axiom_check(f"LNC1[sentences={sentences}]")))


@pytest.mark.ranklens_check("LNC2", kind="axiom")
def test_lnc2_a_self_concatenated_document_is_not_penalised(
    axiom_check: CheckFixture, record_check: RecordFixture
) -> None:
    expect(record_check(axiom_check("LNC2[times=2]")))


@pytest.mark.ranklens_check("TF-LNC", kind="axiom")
def test_tf_lnc_a_query_term_helps_although_the_document_grows(
    axiom_check: CheckFixture, record_check: RecordFixture
) -> None:
    expect(record_check(axiom_check("TF-LNC")))
