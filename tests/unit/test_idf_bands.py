"""Query terms by IDF band (:mod:`ranklens.strategies.idf_bands`): every term drawn lies in its
band, the named bands split the source's query terms into thirds, and none is empty."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ranklens.cases.terms import query_terms
from ranklens.ir.text import terms
from ranklens.strategies import CaseContext, band_terms, draw_sample, idf_band_terms, idf_bands, seeded
from ranklens.strategies.idf_bands import BANDS


def test_the_named_bands_cut_the_query_terms_into_thirds(ctx: CaseContext) -> None:
    """Contiguous and half-open, so every term lies in exactly one; each holds 25-42 % of the query
    terms (ties at an edge move a tercile off a third) and some term of some query."""
    bands = idf_bands(ctx)
    assert bands["low"][0] == -math.inf and bands["high"][1] == math.inf
    assert bands["low"][1] == bands["mid"][0] < bands["mid"][1] == bands["high"][0]
    counts = {name: sum(len(band_terms(ctx, q, band=name)) for q in ctx.queries) for name in BANDS}
    total = sum(len(terms(q)) for q in ctx.queries)
    assert sum(counts.values()) == total
    assert all(0.25 < counts[name] / total < 0.42 for name in BANDS), counts


@pytest.mark.parametrize("band", BANDS)
def test_a_verdict_sample_of_each_band_lies_in_it(ctx: CaseContext, band: str) -> None:
    lo, hi = idf_bands(ctx)[band]
    query_strategy = st.sampled_from(ctx.queries).flatmap(lambda q: idf_band_terms(ctx, q, band=band))
    drawn = draw_sample(query_strategy, n=200, source=seeded(0, "idf band", band)).values
    assert len(drawn) == 200 and all(lo <= ctx.stats.idf(term) < hi for term in drawn)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), band=st.sampled_from(BANDS), absent=st.booleans())
def test_every_term_drawn_is_a_query_term_in_its_band(
    ctx: CaseContext, data: st.DataObject, band: str, absent: bool
) -> None:
    query, document = data.draw(st.sampled_from(ctx.queries)), data.draw(st.sampled_from(ctx.passages))
    lo, hi = idf_bands(ctx)[band]
    options = band_terms(ctx, query, document, band=band, absent=absent)
    assert options == [t for t in query_terms(query, document, absent=absent) if lo <= ctx.stats.idf(t) < hi]
    if options:
        term = data.draw(idf_band_terms(ctx, query, document, band=band, absent=absent))
        assert term in options


@settings(max_examples=60, deadline=None)
@given(data=st.data(), lo=st.floats(0, 8), width=st.floats(0, 4))
def test_explicit_bounds_are_a_band(ctx: CaseContext, data: st.DataObject, lo: float, width: float) -> None:
    query = data.draw(st.sampled_from(ctx.queries))
    options = band_terms(ctx, query, band=(lo, lo + width))
    assert all(lo <= ctx.stats.idf(t) < lo + width for t in options)
    assert {t for t in terms(query) if lo <= ctx.stats.idf(t) < lo + width} == set(options)


def test_an_unknown_band_is_refused(ctx: CaseContext) -> None:
    with pytest.raises(ValueError, match="unknown IDF band 'medium'"):
        band_terms(ctx, ctx.queries[0], band="medium")
