"""Proximity and coverage axioms (ranklens.axioms.proximity has statements, controls, citations)."""

from __future__ import annotations

import pytest

from ranklens.testing import CheckFixture, RecordFixture, expect


@pytest.mark.ranklens_check("PROX", kind="axiom")
def test_prox_query_terms_side_by_side_beat_terms_far_apart(
    axiom_check: CheckFixture, record_check: RecordFixture
) -> None:
    expect(record_check(axiom_check("PROX")))


@pytest.mark.ranklens_check("AND", kind="axiom")
def test_and_covering_every_query_term_beats_missing_one(
    axiom_check: CheckFixture, record_check: RecordFixture
) -> None:
    expect(record_check(axiom_check("AND")))
