"""Semantic term matching axioms (ranklens.axioms.semantic has statements, controls, citations)."""

from __future__ import annotations

import pytest

from ranklens.testing import CheckFixture, RecordFixture, expect


@pytest.mark.ranklens_check("STMC1", kind="axiom")
def test_stmc1_a_related_word_helps(axiom_check: CheckFixture, record_check: RecordFixture) -> None:
    expect(record_check(axiom_check("STMC1")))


@pytest.mark.ranklens_check("STMC2", kind="axiom")
def test_stmc2_the_exact_term_helps_more_than_a_related_word(
    axiom_check: CheckFixture, record_check: RecordFixture
) -> None:
    expect(record_check(axiom_check("STMC2")))
