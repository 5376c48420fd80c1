"""Session fixtures of the product suites: the measured axiom family, and your own axioms.

Kept apart from the plugin's hooks; ``ranklens.plugin`` imports them so pytest registers them.
The axioms (and torch with them) are imported when a fixture is first used, not with the plugin.

The family is every built-in axiom plus every axiom the session's own tests declare (a test
marked ``ranklens_check(ID, kind="axiom")`` whose ID is not built in counts once per collected
test): intervals and Holm adjustments are read among all of them, so a check written in a user's
file is corrected exactly as a built-in one is, and adding checks widens every interval a little.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pytest

from ranklens.plugin.completeness import check_id_of
from ranklens.plugin.options import Settings
from ranklens.testing import CheckFixture
from ranklens.verdicts import CheckResult

if TYPE_CHECKING:
    from ranklens.axioms.spec import AxiomSpec
    from ranklens.models import Reranker


def declared_axioms(session: pytest.Session) -> int:
    """Collected tests of an axiom that is not built in: each one more member of the family."""
    from ranklens.axioms import AXIOMS

    built_in = {spec.axiom_id for spec in AXIOMS}
    return sum(
        1
        for item in session.items
        if (marker := item.get_closest_marker("ranklens_check")) is not None
        and marker.kwargs.get("kind") == "axiom"
        and check_id_of(item) not in built_in
    )


@pytest.fixture(scope="session")
def axiom_delta(reranker: Reranker, ranklens_settings: Settings) -> float:
    """The model's neutral band, calibrated once for every axiom (built-in or declared)."""
    from ranklens.axioms import calibrate_delta

    return calibrate_delta(reranker, seed=ranklens_settings.seed)


@pytest.fixture(scope="session")
def axiom_family(
    request: pytest.FixtureRequest, reranker: Reranker, ranklens_settings: Settings, axiom_delta: float
) -> Mapping[str, CheckResult]:
    """Every built-in axiom's result by name, measured once on seeded cases scored in one batched
    pass, at the level of the family of built-in and declared axioms."""
    from ranklens.axioms import AXIOMS, measure_family, results

    seed, size = ranklens_settings.seed, len(AXIOMS) + declared_axioms(request.session)
    measured = measure_family(
        reranker, AXIOMS, seed=seed, sample_size=ranklens_settings.sample_size, delta=axiom_delta, family_size=size
    )
    checks = results(measured, delta=axiom_delta, seed=seed, family_size=size)
    return {m.spec.name: check for m, check in zip(measured, checks, strict=True)}


@pytest.fixture(scope="session")
def axiom_check(
    request: pytest.FixtureRequest, reranker: Reranker, ranklens_settings: Settings, axiom_delta: float
) -> CheckFixture:
    """An axiom's result, by built-in name or as an :class:`~ranklens.axioms.AxiomSpec` of your
    own, with a Hypothesis-shrunk counterexample when one exists."""
    from ranklens.axioms import AXIOMS, measure_family, results
    from ranklens.axioms.measure import case_context
    from ranklens.axioms.search import search_counterexample

    ctx = case_context(reranker)
    settings, built_in = ranklens_settings, {spec.name: spec for spec in AXIOMS}
    declared: dict[str, tuple[AxiomSpec, CheckResult]] = {}

    def measured(spec: AxiomSpec) -> CheckResult:
        if spec.name in built_in and built_in[spec.name] == spec:
            family: Mapping[str, CheckResult] = request.getfixturevalue("axiom_family")
            return family[spec.name]
        if spec.name in built_in:
            raise ValueError(f"{spec.name!r} is a built-in axiom's name: give your axiom an id of its own.")
        if spec.name in declared and declared[spec.name][0] != spec:
            raise ValueError(f"Two different axioms are named {spec.name!r}: give each an id (or params) of its own.")
        if spec.name not in declared:
            size = len(AXIOMS) + max(declared_axioms(request.session), 1)
            found = measure_family(
                reranker,
                [spec],
                seed=settings.seed,
                sample_size=settings.sample_size,
                delta=axiom_delta,
                family_size=size,
            )
            [result] = results(found, delta=axiom_delta, seed=settings.seed, family_size=size)
            declared[spec.name] = (spec, result)
        return declared[spec.name][1]

    def get(check: str | AxiomSpec) -> CheckResult:
        from ranklens.axioms.registry import axiom

        spec = axiom(check) if isinstance(check, str) else check
        result = measured(spec)
        shrunk = search_counterexample(reranker, spec, ctx, delta=axiom_delta, seed=settings.seed)
        if shrunk is None:
            return result
        return dataclasses.replace(result, counterexamples=[f"minimal (Hypothesis): {shrunk}", *result.counterexamples])

    return get
