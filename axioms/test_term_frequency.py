"""Term-frequency axioms (ranklens.axioms.term_frequency has statements, controls, citations)."""

from __future__ import annotations

import pytest

from ranklens.testing import CheckFixture, RecordFixture, expect


@pytest.mark.ranklens_check("TFC1", kind="axiom")
@pytest.mark.parametrize("position", ["append", "prepend", "middle"], ids=lambda p: f"position={p}")
def test_tfc1_adding_a_query_term_raises_the_score(
    axiom_check: CheckFixture, record_check: RecordFixture, position: str
) -> None:
    expect(record_check(axiom_check(f"TFC1[position={position}]")))


@pytest.mark.ranklens_check("TFC2", kind="axiom")
@pytest.mark.parametrize("step", [1, 2], ids=lambda n: f"step={n}")
def test_tfc2_each_further_occurrence_adds_less(
    axiom_check: CheckFixture, record_check: RecordFixture, step: int
) -> None:
    expect(record_check(axiom_check(f"TFC2[step={step},position=append]")))


@pytest.mark.ranklens_check("TFC3", kind="axiom")
def test_tfc3_covering_two_terms_beats_repeating_one(axiom_check: CheckFixture, record_check: RecordFixture) -> None:
    expect(record_check(axiom_check("TFC3")))


@pytest.mark.ranklens_check("TDC", kind="axiom")
def test_tdc_a_rarer_term_helps_more(axiom_check: CheckFixture, record_check: RecordFixture) -> None:
    expect(record_check(axiom_check("TDC")))


@pytest.mark.ranklens_check("LB1", kind="axiom")
def test_lb1_containing_a_query_term_beats_lacking_it(axiom_check: CheckFixture, record_check: RecordFixture) -> None:
    expect(record_check(axiom_check("LB1[absent=True,position=append]")))
