"""Session fixtures of the product suites: the measured axiom family, seeded pairs.

Kept apart from the plugin's hooks; ``ranklens.plugin`` imports them so pytest registers them.
The axioms (and torch with them) are imported when a fixture is first used, not with the plugin.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pytest

from ranklens.plugin.options import Settings
from ranklens.testing import CheckFixture
from ranklens.verdicts import CheckResult

if TYPE_CHECKING:
    from ranklens.models import Reranker


@dataclasses.dataclass(frozen=True)
class AxiomFamily:
    """The family's results by axiom name, and the neutral band they were decided with."""

    results: Mapping[str, CheckResult]
    delta: float


@pytest.fixture(scope="session")
def axiom_family(reranker: Reranker, ranklens_settings: Settings) -> AxiomFamily:
    """Every registered axiom measured once, on seeded cases scored in one batched pass."""
    from ranklens.axioms import AXIOMS, calibrate_delta, measure_family, results

    seed = ranklens_settings.seed
    delta = calibrate_delta(reranker, seed=seed)
    measured = measure_family(reranker, AXIOMS, seed=seed, sample_size=ranklens_settings.sample_size, delta=delta)
    checks = results(measured, delta=delta, seed=seed)
    return AxiomFamily({m.spec.name: check for m, check in zip(measured, checks, strict=True)}, delta)


@pytest.fixture(scope="session")
def axiom_check(reranker: Reranker, axiom_family: AxiomFamily, ranklens_settings: Settings) -> CheckFixture:
    """The result of one axiom by name, with a Hypothesis-shrunk counterexample when one exists."""
    from ranklens.axioms.measure import case_context
    from ranklens.axioms.registry import axiom
    from ranklens.axioms.search import search_counterexample

    ctx = case_context(reranker)

    def get(name: str) -> CheckResult:
        result = axiom_family.results[name]
        shrunk = search_counterexample(
            reranker, axiom(name), ctx, delta=axiom_family.delta, seed=ranklens_settings.seed
        )
        if shrunk is None:
            return result
        return dataclasses.replace(result, counterexamples=[f"minimal (Hypothesis): {shrunk}", *result.counterexamples])

    return get
