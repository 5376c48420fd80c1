"""What the verdict sampler relies on in Hypothesis: a draw through ``ConjectureData`` and
``BuildContext`` with our provider gives each strategy's values, uniformly, reproducibly per seed.

Those are not public Hypothesis API (``ranklens.strategies.sampling``), so these tests are the
tripwire for a Hypothesis release that changes them.
"""

from __future__ import annotations

import pytest
from hypothesis import assume
from hypothesis import strategies as st
from scipy.stats import chisquare

from ranklens.strategies import draw_sample, seeded
from ranklens.strategies.sampling import UnboundedDrawError

COMPOSED = st.tuples(st.sampled_from("abcde"), st.integers(0, 9), st.floats(0.0, 1.0), st.booleans())


def test_the_same_seed_and_labels_give_the_same_sample_and_others_another() -> None:
    first = draw_sample(COMPOSED, n=50, source=seeded(3, "check"))
    assert first == draw_sample(COMPOSED, n=50, source=seeded(3, "check"))
    assert first.values != draw_sample(COMPOSED, n=50, source=seeded(3, "other check")).values
    assert first.values != draw_sample(COMPOSED, n=50, source=seeded(4, "check")).values


def test_every_option_is_drawn_uniformly() -> None:
    """Hypothesis' own generation favours the first option (its shrink target); the sampler must not."""
    drawn = draw_sample(st.sampled_from(range(10)), n=5000, source=seeded(0, "uniform")).values
    counts = [drawn.count(k) for k in range(10)]
    assert chisquare(counts).pvalue > 0.001, counts


def test_a_rejected_draw_is_counted_not_kept() -> None:
    def odd(value: int) -> int | None:
        assume(value % 2 == 1)
        return value

    sample = draw_sample(st.integers(0, 99).map(odd), n=20, source=seeded(0, "odd"), attempts=100)
    none = draw_sample(st.integers(0, 99).map(lambda v: v if v % 2 else None), n=20, source=seeded(0, "none"))
    assert len(sample.values) == 20 and all(v % 2 for v in sample.values) and sample.rejected > 0
    assert all(v % 2 for v in none.values) and none.rejected > 0


def test_unique_by_draws_without_replacement() -> None:
    sample = draw_sample(st.integers(0, 9), n=10, source=seeded(0, "unique"), attempts=500, unique_by=lambda v: v)
    assert sorted(sample.values) == list(range(10))


@pytest.mark.parametrize("strategy", [st.integers(min_value=0), st.floats(min_value=0.0)], ids=["integers", "floats"])
def test_an_unbounded_number_is_refused_with_the_fix(strategy: st.SearchStrategy[object]) -> None:
    with pytest.raises(UnboundedDrawError, match="needs bounded"):
        draw_sample(strategy, n=1, source=seeded(0, "unbounded"))
