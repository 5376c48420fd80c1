"""Draw a verdict's sample from a Hypothesis strategy: uniformly, from a seeded source.

Hypothesis generates to find bugs, so it favours simple and boundary examples (the first one is
the simplest of all) and would make an effect size describe those, not the population a
statement is about. A verdict sample therefore runs the *same* strategies in generation only,
with every primitive choice (an index into a list, a float in a range, a coin) drawn by
:class:`UniformProvider`: uniform over its range, or with the probability the strategy states,
from a ``random.Random`` seeded by the run's seed. The strategies then describe the population
exactly as they are written (``sampled_from(passages)`` is a uniform passage), the same seed
gives the same sample in every process, and the search for a counterexample runs the very same
strategies under Hypothesis' own provider, which shrinks them.

The provider implements Hypothesis' documented backend interface (``PrimitiveProvider``); the
draw itself goes through ``ConjectureData`` and ``BuildContext``, which Hypothesis does not yet
expose publicly, so ``tests/unit/test_strategies_sampling.py`` pins what this module relies on.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from hypothesis import strategies as st
from hypothesis.control import BuildContext
from hypothesis.errors import StopTest, UnsatisfiedAssumption
from hypothesis.internal.conjecture.data import ConjectureData
from hypothesis.internal.conjecture.providers import PrimitiveProvider
from hypothesis.internal.intervalsets import IntervalSet

T = TypeVar("T")

MAX_UNSIZED = 20
"""Longest text or byte string drawn where a strategy gives no ``max_size`` (Hypothesis' own
default is effectively unbounded)."""


class UnboundedDrawError(ValueError):
    """A strategy asked for a number without bounds: no uniform population exists for it."""


class UniformProvider(PrimitiveProvider):
    """Every choice uniform over its range (or as the strategy weights it), from one seeded source."""

    def __init__(self, conjecturedata: ConjectureData | None, source: random.Random) -> None:
        super().__init__(conjecturedata)
        self._random = source

    def draw_boolean(self, p: float = 0.5) -> bool:
        return self._random.random() < p

    def draw_integer(
        self,
        min_value: int | None = None,
        max_value: int | None = None,
        *,
        weights: dict[int, float] | None = None,
        shrink_towards: int = 0,
    ) -> int:
        if min_value is None or max_value is None:
            raise UnboundedDrawError(
                "A verdict sample needs bounded integers: give st.integers(min_value=..., max_value=...) "
                "the range of the population the check is about."
            )
        if weights:
            keys = list(weights)
            rest = 1.0 - sum(weights.values())
            choice = self._random.choices([*keys, None], [*weights.values(), max(rest, 0.0)])[0]
            if choice is not None:
                return choice
        return self._random.randint(min_value, max_value)

    def draw_float(
        self,
        *,
        min_value: float = -math.inf,
        max_value: float = math.inf,
        allow_nan: bool = True,
        smallest_nonzero_magnitude: float,
    ) -> float:
        if not (math.isfinite(min_value) and math.isfinite(max_value)):
            raise UnboundedDrawError(
                "A verdict sample needs bounded floats: give st.floats(min_value=..., max_value=...) "
                "the range of the population the check is about."
            )
        return self._random.uniform(min_value, max_value)

    def draw_string(self, intervals: IntervalSet, *, min_size: int = 0, max_size: int = 10**10) -> str:
        if len(intervals) == 0:
            return ""
        size = self._random.randint(min_size, max(min_size, min(max_size, MAX_UNSIZED)))
        return "".join(chr(intervals[self._random.randrange(len(intervals))]) for _ in range(size))

    def draw_bytes(self, min_size: int = 0, max_size: int = 10**10) -> bytes:
        size = self._random.randint(min_size, max(min_size, min(max_size, MAX_UNSIZED)))
        return self._random.randbytes(size)


@dataclass(frozen=True)
class Sample(Generic[T]):
    """The values drawn, in order, and how many draws were rejected (a failed precondition: the
    strategy returned ``None`` or a filter or ``assume`` could not be met)."""

    values: tuple[T, ...]
    rejected: int


def seeded(seed: int, *labels: object) -> random.Random:
    """The source of one sample: the run's seed and labels naming the sample (e.g. a check), so
    each check's sample is fixed by the seed and independent of which other checks run."""
    return random.Random(":".join(["ranklens", str(seed), *map(str, labels)]))


def draw_sample(
    strategy: st.SearchStrategy[T | None],
    *,
    n: int,
    source: random.Random,
    attempts: int | None = None,
    unique_by: Callable[[T], Hashable] | None = None,
) -> Sample[T]:
    """Up to ``n`` values of ``strategy`` drawn uniformly from ``source``; at most ``attempts``
    draws in all (default ``4 n``), the rest counted as rejected.

    ``unique_by``: keep a value only when its key is new (a repeat is skipped, not counted as
    rejected). Keeping the first draw of each key makes the sample one drawn without replacement,
    as a seeded permutation would: each new key is uniform among those not yet drawn.
    """
    provider = UniformProvider(None, source)
    values: list[T] = []
    seen: set[Hashable] = set()
    rejected = 0
    for _ in range(attempts if attempts is not None else 4 * n):
        if len(values) == n:
            break
        value = draw_once(strategy, provider)
        if value is None:
            rejected += 1
        elif unique_by is None:
            values.append(value)
        elif (key := unique_by(value)) not in seen:
            seen.add(key)
            values.append(value)
    return Sample(tuple(values), rejected)


def draw_once(strategy: st.SearchStrategy[T | None], provider: PrimitiveProvider) -> T | None:
    """One value, or ``None`` when the draw was rejected (a filter that never held, or an
    ``assume`` that failed, as Hypothesis' own idiom for a precondition)."""
    data = ConjectureData(random=None, provider=provider)
    try:
        with _building(data):
            return data.draw(strategy)
    except (StopTest, UnsatisfiedAssumption):
        return None


@contextmanager
def _building(data: ConjectureData) -> Iterator[None]:
    """What ``@given`` sets up around a draw (collections and ``note`` need it)."""
    with BuildContext(data, is_final=False, wrapped_test=_no_test):
        yield


def _no_test(*args: Any, **kwargs: Any) -> None:  # pragma: no cover - never called
    """Sampling runs no test function; BuildContext only records one for its reports."""


Draw = Callable[[st.SearchStrategy[Any]], Any]
"""Hypothesis' ``draw`` inside ``@st.composite`` (``hypothesis.strategies.DrawFn``)."""
