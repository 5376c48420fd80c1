"""One Check protocol and one registry for axioms and claims; ``expect``, the end of a product test."""

from __future__ import annotations

import pytest

from ranklens.axioms import AXIOMS, axiom
from ranklens.catalog import all_checks
from ranklens.checks import CheckSpec, spec_name
from ranklens.claims.parts import LEVEL
from ranklens.claims.registry import CLAIMS, ClaimSpec, claim
from ranklens.claims.statements import CLAIM_IDS
from ranklens.stats import family_level
from ranklens.testing import expect
from ranklens.verdicts import CheckResult, Effect, Kind, Verdict


@pytest.mark.parametrize("spec", all_checks(), ids=lambda s: s.name)
def test_every_registered_check_satisfies_the_protocol(spec: CheckSpec) -> None:
    assert isinstance(spec, CheckSpec)
    assert spec.check_id and spec.statement and spec.citation
    assert spec.name == spec_name(spec.check_id, spec.params)
    assert spec.kind in (Kind.AXIOM, Kind.CLAIM)


def test_the_catalog_is_every_axiom_then_every_claim() -> None:
    checks = all_checks()
    assert checks == (*AXIOMS, *CLAIMS)
    assert {s.kind for s in checks[: len(AXIOMS)]} == {Kind.AXIOM}
    assert {s.kind for s in checks[len(AXIOMS) :]} == {Kind.CLAIM}


def test_names_are_unique_and_ids_belong_to_one_kind() -> None:
    names = [s.name for s in all_checks()]
    assert len(names) == len(set(names))
    assert {s.check_id for s in AXIOMS}.isdisjoint(s.check_id for s in CLAIMS)
    assert len({s.check_id for s in CLAIMS}) == len(CLAIMS)


def test_the_claim_registry_is_the_family_the_level_is_corrected_for() -> None:
    assert tuple(s.check_id for s in CLAIMS) == CLAIM_IDS
    assert CLAIM_IDS == (
        "soft_tf_heads",
        "saturation",
        "length_normalization",
        "scoring_heads",
        "idf_direction",
        "relevance_neurons",
    )
    assert family_level(len(CLAIMS)) == LEVEL
    assert all(isinstance(s, ClaimSpec) and callable(s.measure) and s.name == s.check_id for s in CLAIMS)


def test_lookups_find_a_spec_by_name() -> None:
    assert claim("saturation").measure.__name__ == "saturation"
    assert axiom("TFC1[position=append]").check_id == "TFC1"
    assert axiom("TFC1[position=append]").params == {"position": "append"}


def test_a_typo_names_the_valid_claims() -> None:
    with pytest.raises(KeyError) as caught:
        claim("saturaton")
    message = str(caught.value)
    assert "'saturaton'" in message
    assert all(check_id in message for check_id in CLAIM_IDS)


def test_a_typo_names_the_valid_axioms() -> None:
    with pytest.raises(KeyError) as caught:
        axiom("TFC1")  # a parametrised axiom needs its parameters
    assert all(s.name in str(caught.value) for s in AXIOMS)


def _result(verdict: Verdict, message: str = "TFC1: net preference +0.40 [+0.20, +0.60]; n = 30.") -> CheckResult:
    effect = Effect("net_preference", 0.4, 0.2, 0.6)
    return CheckResult("TFC1", Kind.AXIOM, verdict, 30, effect, {"min_effect": 0.1}, message=message)


def test_expect_returns_a_pass() -> None:
    result = _result(Verdict.PASS)
    assert expect(result) is result


@pytest.mark.parametrize("verdict", [Verdict.FAIL, Verdict.ERROR])
def test_expect_fails_a_fail_and_an_error_with_the_message(verdict: Verdict) -> None:
    with pytest.raises(pytest.fail.Exception) as caught:
        expect(_result(verdict, "TFC1: net preference -0.40 [-0.60, -0.20]; n = 30."))
    assert str(caught.value) == "TFC1: net preference -0.40 [-0.60, -0.20]; n = 30."


def test_expect_skips_an_inconclusive_with_its_numbers() -> None:
    with pytest.raises(pytest.skip.Exception) as caught:
        expect(_result(Verdict.INCONCLUSIVE, "TFC1: 3 cases, 11 needed to pass; n = 3."))
    assert str(caught.value) == "inconclusive: TFC1: 3 cases, 11 needed to pass; n = 3."


def test_spec_names_keep_their_parameters_in_order() -> None:
    assert spec_name("TFC2", {"step": 1, "position": "append"}) == "TFC2[step=1,position=append]"
    assert spec_name("TDC", {}) == "TDC"
