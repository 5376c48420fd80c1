"""Head claims declared in a user's own file (``examples/test_own_claims.py``, or any test file)
run like the built-in head claims: discovery and confirmation on disjoint query halves, joint
recovery with an interval at the family's level, the verdict, a shrunk counterexample, a JSON
record, an HTML card and the release gate.

Controls: the built-in soft-TF perturbation declared as a user claim must pass on ``planted``
(heads 1.0 and 1.1 carry TF there) with the built-in claim's joint recovery, and must **fail**
on ``planted-spread-tf`` (TF shared by the eight heads of layer 1, so no small set carries most
of it). ``planted`` matches exact WordPieces only, so the example's related word moves its score
no more than a filler does: the example claim is ``inconclusive`` there, with that reason.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ranklens import Reranker
from ranklens.axioms import calibrate_delta
from ranklens.checks import CheckSpec
from ranklens.claims import HeadClaimSpec
from ranklens.claims.declared import declared_head_claim
from ranklens.claims.discovery import MOST
from ranklens.claims.heads import soft_tf_heads
from ranklens.claims.samples import CaseSample, Split, circuit_cases
from ranklens.claims.statements import CLAIM_IDS
from ranklens.plugin.claim_fixtures import CASES
from ranklens.stats import family_level
from ranklens.strategies import aligned_cases
from ranklens.verdicts import CheckResult, Verdict

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "test_own_claims.py"
SEED = 0

pytest_plugins = ["pytester"]

EXACT_MATCH = HeadClaimSpec(
    "exact_match_heads",
    "A few heads carry the effect of appending a query term the document lacks.",
    "The soft-TF perturbation of Lu, Chen, Eickhoff (arXiv 2502.04645), declared as a user claim.",
    aligned_cases,
)

USER_FILE = """
import pytest
from ranklens.claims import HeadClaimSpec
from ranklens.strategies import aligned_cases
from ranklens.testing import ClaimFixture, RecordFixture, expect

EXACT_MATCH = HeadClaimSpec(
    "exact_match_heads",
    "A few heads carry the effect of appending a query term the document lacks.",
    "The soft-TF perturbation of Lu, Chen, Eickhoff (arXiv 2502.04645), declared as a user claim.",
    aligned_cases,
)


@pytest.mark.ranklens_check("exact_match_heads", kind="claim")
def test_exact_match_heads(claim_check: ClaimFixture, record_check: RecordFixture) -> None:
    expect(record_check(claim_check(EXACT_MATCH)))
"""


@pytest.fixture(scope="module")
def declared(planted_reranker: Callable[[str], Reranker]) -> Callable[[str, HeadClaimSpec], CheckResult]:
    """``declared(variant, spec)``: the claim measured once, on the quick profile's halves."""

    @functools.cache
    def get(variant: str, spec: HeadClaimSpec) -> CheckResult:
        reranker = planted_reranker(variant)
        discovery, confirmation = halves(reranker, "discover", spec), halves(reranker, "confirm", spec)
        delta = calibrate_delta(reranker, seed=SEED)
        return declared_head_claim(reranker, spec, discovery, confirmation, delta=delta, seed=SEED).result

    return get


def halves(reranker: Reranker, split: Split, spec: HeadClaimSpec) -> CaseSample:
    return circuit_cases(reranker, n=CASES["quick"], seed=SEED, split=split, cases=spec.cases)


def test_the_soft_tf_perturbation_declared_passes_with_the_built_in_recovery(
    planted_reranker: Callable[[str], Reranker], declared: Callable[[str, HeadClaimSpec], CheckResult]
) -> None:
    """Same seed, same cases, same protocol: the declared claim finds the built-in claim's heads
    and recovers exactly as much; only its interval is wider (one more claim in the family)."""
    reranker = planted_reranker("planted")
    built_in_halves = [circuit_cases(reranker, n=CASES["quick"], seed=SEED, split=s) for s in ("discover", "confirm")]
    assert [h.cases for h in built_in_halves] == [
        halves(reranker, s, EXACT_MATCH).cases for s in ("discover", "confirm")
    ]
    delta = calibrate_delta(reranker, seed=SEED)
    built_in = soft_tf_heads(reranker, *built_in_halves, delta=delta, seed=SEED).result
    result = declared("planted", EXACT_MATCH)
    assert result.verdict == Verdict.PASS, result.message
    assert result.effect.name == "joint_recovery" and result.effect.value == built_in.effect.value
    assert result.details["heads_found"] == built_in.details["heads_found"]
    assert sorted(result.details["heads_found"]) == [[1, 0], [1, 1]]
    assert result.threshold["ci_level"] == pytest.approx(family_level(len(CLAIM_IDS) + 1))
    assert result.effect.ci_low <= built_in.effect.ci_low and result.effect.ci_low > MOST
    assert not result.counterexamples, result.counterexamples  # the planted heads carry every case


def test_the_declared_claim_fails_where_tf_is_spread_over_many_heads(
    declared: Callable[[str, HeadClaimSpec], CheckResult],
) -> None:
    """``planted-spread-tf`` keeps the effect and spreads it over eight heads: the few found carry
    well under half of it, with an interval that says so, and the search shows one such case."""
    result = declared("planted-spread-tf", EXACT_MATCH)
    assert result.verdict == Verdict.FAIL, result.message
    [part] = result.details["parts"]
    assert part["name"] == "joint_recovery" and part["ci_high"] < part["threshold"] == MOST, part
    [first, *_] = result.counterexamples
    assert first.startswith("minimal (Hypothesis): the heads found recover"), first


def test_a_spec_must_name_a_claim_of_its_own_and_a_route() -> None:
    assert isinstance(EXACT_MATCH, CheckSpec) and EXACT_MATCH.check_id == EXACT_MATCH.name == "exact_match_heads"
    with pytest.raises(ValueError, match="built-in claim"):
        HeadClaimSpec("soft_tf_heads", "s", "c", aligned_cases)
    with pytest.raises(ValueError, match="route"):
        HeadClaimSpec("mine", "s", "c", aligned_cases, route="value")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="min_recovery"):
        HeadClaimSpec("mine", "s", "c", aligned_cases, min_recovery=0)


def test_own_claims_are_reported_and_gated_like_built_in_claims(
    pytester: pytest.Pytester, planted_checkpoint: Callable[[str], Path]
) -> None:
    """The example file (outside the package) and a user's file, run together on ``planted``: two
    declared claims in the family, the example inconclusive (no effect to attribute), the
    soft-TF copy passing; gated against that run, ``planted-spread-tf`` regresses it."""
    user = pytester.makepyfile(test_exact_match=USER_FILE)
    baseline, html = pytester.path / "planted.json", pytester.path / "planted.html"

    def run(variant: str, *options: str) -> pytest.RunResult:
        model = str(planted_checkpoint(variant))
        files = [str(EXAMPLE), str(user)]
        return pytester.runpytest_subprocess(
            *files, "--model", model, "-p", "no:randomly", "--ranklens-profile", "quick", *options
        )

    first = run("planted", "--ranklens-json", str(baseline), "--ranklens-html", str(html))
    assert first.ret == 0, first.stdout.str()[-2000:]
    checks = {c["check_id"]: c for c in json.loads(baseline.read_text())["checks"]}
    assert {k: (c["kind"], c["verdict"]) for k, c in checks.items()} == {
        "related_word_heads": ("claim", "inconclusive"),
        "exact_match_heads": ("claim", "pass"),
    }
    related, exact = checks["related_word_heads"], checks["exact_match_heads"]
    assert "moved the score beyond the neutral band in only" in related["details"]["precondition"]
    assert related["details"]["discovery_cases_kept"] < 10 and related["details"]["confirmation_cases_kept"] < 10
    for check in checks.values():
        assert check["threshold"]["ci_level"] == pytest.approx(family_level(len(CLAIM_IDS) + 2))
    assert sorted(exact["details"]["heads_found"]) == [[1, 0], [1, 1]]
    assert exact["details"]["statement"].startswith("A few heads carry the effect of appending")
    page = html.read_text()
    assert "related_word_heads" in page and "Fang &amp; Zhai (SIGIR 2006)" in page
    assert "exact_match_heads" in page and "<svg" in page  # the layer x head heatmap

    candidate = pytester.path / "spread.json"
    second = run("planted-spread-tf", "--ranklens-json", str(candidate), "--ranklens-baseline", str(baseline))
    assert second.ret == 1, second.stdout.str()[-2000:]
    second.stdout.fnmatch_lines(["*REGRESSED exact_match_heads*verdict pass -> fail*"])
