"""What a product test (the suites in ``axioms/``, ``circuits/``, ``invariants/``) imports: one
call to end on, and the types of the fixtures it asks for.

A product test measures one check, records it and ends with :func:`expect`::

    from ranklens.testing import CheckFixture, RecordFixture, expect

    @pytest.mark.ranklens_check("TFC3", kind="axiom")
    def test_tfc3_covering_two_terms_beats_repeating_one(axiom_check: CheckFixture, record_check: RecordFixture):
        expect(record_check(axiom_check("TFC3")))

The fixtures themselves come from the pytest plugin (:mod:`ranklens.plugin`); this module is
the public face a test needs of them, so that no suite depends on the plugin's internals and a
user's own checks are written exactly like the built-in ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeAlias

import pytest

from ranklens.verdicts import CheckResult, Verdict

if TYPE_CHECKING:  # types only: importing this module must not import torch (pytest imports it early)
    from ranklens.axioms.spec import AxiomSpec
    from ranklens.claims import HeadClaimSpec
    from ranklens.claims.samples import CaseSample
    from ranklens.claims.screen import Search
    from ranklens.models.patching import Progress

__all__ = [
    "RELEVANCE",
    "CheckFixture",
    "CircuitSamples",
    "ClaimFixture",
    "ProgressBar",
    "RecordFixture",
    "RunSettings",
    "expect",
]


def expect(result: CheckResult) -> CheckResult:
    """End a product test on its check's verdict: ``pass`` returns the result; ``fail`` and
    ``error`` fail the test with the result's message; ``inconclusive`` skips it with its numbers.

    Abstaining is its own outcome, never a pass or a fail: a skipped test still leaves its record
    (and the reason) in the report.
    """
    __tracebackhide__ = True  # a failure points at the test's line, not at this function
    if result.verdict == Verdict.PASS:
        return result
    if result.verdict == Verdict.INCONCLUSIVE:
        pytest.skip(f"inconclusive: {result.message}")
    pytest.fail(result.message)


CheckFixture: TypeAlias = "Callable[[str | AxiomSpec], CheckResult]"
"""The ``axiom_check`` fixture: an axiom's result by spec name (``"TFC1[position=append]"``) or
as an :class:`~ranklens.axioms.AxiomSpec` of your own, with a Hypothesis-shrunk counterexample
when one exists."""
ClaimFixture: TypeAlias = "Callable[[HeadClaimSpec], CheckResult]"
"""The ``claim_check`` fixture: a :class:`~ranklens.claims.HeadClaimSpec` of your own, measured as
the built-in head claims are, with a Hypothesis-shrunk counterexample when one exists."""
RecordFixture = Callable[[CheckResult], CheckResult]
"""The ``record_check`` fixture: records a result in the report and returns it (with its test id)."""
ProgressBar: TypeAlias = "Callable[[str], AbstractContextManager[Progress]]"
"""The ``progress_bar`` fixture: ``with progress_bar("patching heads") as progress: ...`` shows a
long step's progress on the terminal."""


class RunSettings(Protocol):
    """What a product test may read from the ``ranklens_settings`` fixture (the parsed options)."""

    @property
    def seed(self) -> int: ...

    @property
    def sample_size(self) -> int | None: ...

    @property
    def profile(self) -> str: ...


@dataclass(frozen=True)
class CircuitSamples:
    """The ``circuit_samples`` fixture: the two disjoint halves of the circuit cases and the
    model's neutral band (drops pairs with no effect)."""

    discovery: CaseSample
    confirmation: CaseSample
    delta: float
    seed: int
    profile: str

    @property
    def search(self) -> Search:
        """How head discovery picks the heads it patches exactly (:mod:`ranklens.claims.screen`)."""
        return "exact" if self.profile == "exact" else "screen"


RELEVANCE: Mapping[str, tuple[int, int]] = {"full": (12, 24), "quick": (6, 24), "exact": (12, 24)}
"""Per profile: (discovery pairs for integrated gradients, confirmation queries for the ablation)
of the ``relevance_neurons`` claim. The quick profile saves on integrated gradients, the costly
part, not on confirmation queries (forward passes): with 12 of them, whether a model that ranks
well separates relevant from non-relevant passages at all was left to the seed (``planted-no-idf``,
seeds 0-59: inconclusive on 25 with 12 queries; with 24, at the full profile, it passed on all)."""
