"""The circuit claims against planted ground truth: found where planted, absent where lesioned.

Same code path as ``pytest circuits`` (the default thresholds, discovery and confirmation on
disjoint query halves); only the samples are the quick profile's, to keep the run short.
``planted`` has every mechanism at a known place (its manifest). Each lesion removes one
mechanism and must **fail** the claim about it (not merely not pass) while the others still pass;
the controls that keep the behaviour and remove the mechanism fail the part of the claim that
names the mechanism (``planted-spread-tf``: TF shared by eight heads; ``planted-no-saturation``:
heads that carry TF without attending to the matches, which under softmax is what saturates;
``planted-shared-attention``: heads that attend like the circuit's but write nothing read).
The random network passes no claim. Relevance-neuron controls are in ``test_neuron_controls.py``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ranklens import Reranker
from ranklens.axioms import calibrate_delta
from ranklens.claims.discovery import MIN_CASES, patched_cases
from ranklens.claims.heads import HeadClaim, scoring_heads, soft_tf_heads
from ranklens.claims.idf import idf_direction
from ranklens.claims.length_normalization import length_normalization
from ranklens.claims.neurons import MAX_COMPLETENESS_ERROR, relevance_neurons
from ranklens.claims.samples import CaseSample, circuit_cases
from ranklens.claims.saturation import saturation
from ranklens.claims.selectivity import related_selectivity
from ranklens.plugin.claim_fixtures import CASES
from ranklens.testing import RELEVANCE
from ranklens.verdicts import CheckResult, Verdict
from ranklens.zoo.planted.build import read_manifest
from ranklens.zoo.planted.layout import VARIANT_RECIPES

SEED = 0
PLANTED = VARIANT_RECIPES["planted"]
Claims = Callable[[str, str], CheckResult]
Samples = tuple[CaseSample, CaseSample, float]


@pytest.fixture(scope="module")
def samples(planted_reranker: Callable[[str], Reranker]) -> Callable[[str], Samples]:
    """``samples(variant)``: the quick profile's discovery and confirmation cases and the model's
    neutral band, built once per variant."""

    @functools.cache
    def get(variant: str) -> Samples:
        reranker = planted_reranker(variant)
        n = CASES["quick"]
        return (
            circuit_cases(reranker, n=n, seed=SEED, split="discover"),
            circuit_cases(reranker, n=n, seed=SEED, split="confirm"),
            calibrate_delta(reranker, seed=SEED),
        )

    return get


@pytest.fixture(scope="module")
def claim(planted_reranker: Callable[[str], Reranker], samples: Callable[[str], Samples]) -> Claims:
    """``claim(variant, name)``: the claim's result on that fixture, measured once."""
    done: dict[tuple[str, str], CheckResult] = {}
    heads: dict[str, HeadClaim] = {}

    def get(variant: str, name: str) -> CheckResult:
        if (variant, name) in done:
            return done[(variant, name)]
        reranker = planted_reranker(variant)
        discovery, confirmation, delta = samples(variant)
        if variant not in heads:
            heads[variant] = soft_tf_heads(reranker, discovery, confirmation, delta=delta, seed=SEED)
        pairs, queries = RELEVANCE["quick"]
        measure = {
            "soft_tf_heads": lambda: heads[variant].result,
            "scoring_heads": lambda: (
                scoring_heads(reranker, discovery, confirmation, delta=delta, seed=SEED, soft_tf=heads[variant]).result
            ),
            "saturation": lambda: saturation(reranker, heads[variant], confirmation, seed=SEED),
            "length_normalization": lambda: length_normalization(reranker, heads[variant], confirmation, seed=SEED),
            # The edit part at the full profile's size: on planted-no-length-norm its effect is
            # 0.54-0.75 (1.0 on planted), which the quick profile's 24 cases separate from 0.1 at
            # the claims' 99.2 % on one seed of three (seeds 0-2); 64 cases do on all three.
            "idf_direction": lambda: idf_direction(
                reranker, circuit_cases(reranker, n=CASES["full"], seed=SEED, split="confirm"), delta=delta, seed=SEED
            ),
            "relevance_neurons": lambda: relevance_neurons(
                reranker, n_pairs=pairs, n_queries=queries, delta=delta, seed=SEED
            ),
        }
        done[(variant, name)] = measure[name]()
        return done[(variant, name)]

    return get


ALL = ("soft_tf_heads", "scoring_heads", "saturation", "length_normalization", "idf_direction", "relevance_neurons")


@pytest.mark.parametrize("name", ALL)
def test_planted_passes_every_claim(claim: Claims, name: str) -> None:
    result = claim("planted", name)
    assert result.verdict == Verdict.PASS, result.message


def test_the_planted_soft_tf_heads_are_the_top_ranked(claim: Claims) -> None:
    details = claim("planted", "soft_tf_heads").details
    top = [tuple(h["head"]) for h in details["top_heads"][:2]]
    assert sorted(top) == [(1, 0), (1, 1)], f"top heads {details['top_heads'][:4]}"
    assert {tuple(h) for h in details["heads_found"]} == {(1, 0), (1, 1)}, details["heads_found"]


def test_the_planted_scoring_heads_are_the_top_ranked(claim: Claims) -> None:
    details = claim("planted", "scoring_heads").details
    assert {tuple(h) for h in details["heads_found"]} == {(2, 0), (2, 1)}, details["top_heads"][:4]


def test_the_decoy_head_is_not_found(claim: Claims, planted_checkpoint: Callable[[str], Path]) -> None:
    """The decoy attends like a soft-TF head but writes nothing the score reads: the screen gives it
    no effect, so it is not patched exactly (``test_head_screen.py`` compares with exact search)."""
    details = claim("planted", "soft_tf_heads").details
    [(layer, head)] = read_manifest(planted_checkpoint("planted"))["ground_truth"]["decoy_heads"]
    screen = details["head_screen"]
    assert abs(screen["estimated_recovery"][layer][head]) < 0.05, screen["estimated_recovery"]
    assert [layer, head] not in screen["screen_candidates"]


def test_the_planted_idf_direction_is_the_component_found(claim: Claims) -> None:
    details = claim("planted", "idf_direction").details
    assert details["idf_scatter"]["pearson"] > 0.99, details["pearson_by_component"]


@pytest.mark.parametrize(
    ("variant", "planted_neurons"),
    [
        ("planted", PLANTED.relevance_neurons),
        ("planted-moved-neurons", VARIANT_RECIPES["planted-moved-neurons"].relevance_neurons),
    ],
)
def test_the_relevance_neurons_found_are_mostly_the_planted_ones(
    claim: Claims, variant: str, planted_neurons: tuple[int, ...]
) -> None:
    """The moved lesion is the control that discovery is not hard-coded: it must find the moved set."""
    found = {tuple(n) for n in claim(variant, "relevance_neurons").details["neurons_found"]}
    planted = {(2, n) for n in planted_neurons}
    assert len(found & planted) > len(found) / 2, f"found {sorted(found)}, planted {sorted(planted)}"


@pytest.mark.parametrize(("steps", "verdict"), [(20, Verdict.PASS), (2, Verdict.INCONCLUSIVE)])
def test_the_completeness_gate_passes_fine_integration_and_stops_coarse(
    planted_reranker: Callable[[str], Reranker], samples: Callable[[str], Samples], steps: int, verdict: Verdict
) -> None:
    """At the full profile's sample: 20 nodes add up (a layer that barely moves a pair's score is
    judged against the neutral band, not against float noise); 2 nodes do not, and give no verdict."""
    reranker = planted_reranker("planted")
    pairs, queries = RELEVANCE["full"]
    delta = samples("planted")[2]
    result = relevance_neurons(reranker, n_pairs=pairs, n_queries=queries, delta=delta, seed=SEED, steps=steps)
    assert result.verdict == verdict, result.message
    error = result.details["completeness_error"]
    assert (error <= MAX_COMPLETENESS_ERROR) == (verdict == Verdict.PASS), f"completeness error {error}"


MECHANISM_CONTROLS = [
    ("planted-no-saturation", "saturation", "patched_effect_concavity"),
    ("planted-no-saturation", "soft_tf_heads", "match_selectivity"),
    ("planted-no-length-norm", "length_normalization", "contribution_drop_over_null"),
    ("planted-no-idf", "idf_direction", "pearson_idf"),
    ("planted-no-idf", "scoring_heads", "cls_attention_idf_spearman"),
    ("planted-spread-tf", "soft_tf_heads", "joint_recovery"),
    ("planted-shared-attention", "soft_tf_heads", "match_selectivity_over_null"),
    ("planted-shared-attention", "scoring_heads", "idf_spearman_over_other_heads"),
]
"""(control, claim, part): the part of the claim whose mechanism the control removes. Each part's
interval must lie below its threshold there, so the claim fails for that reason."""


@pytest.mark.parametrize(("variant", "name", "part"), MECHANISM_CONTROLS)
def test_each_control_fails_the_part_about_its_missing_mechanism(
    claim: Claims, variant: str, name: str, part: str
) -> None:
    result = claim(variant, name)
    assert result.verdict == Verdict.FAIL, result.message
    [measured] = [p for p in result.details["parts"] if p["name"] == part]
    assert measured["ci_high"] < measured["threshold"], result.message


@pytest.mark.parametrize(
    ("variant", "name", "part"),
    [
        ("planted-no-saturation", "soft_tf_heads", "joint_recovery"),
        ("planted-no-idf", "scoring_heads", "joint_recovery"),
        ("planted-shared-attention", "soft_tf_heads", "joint_recovery"),
        ("planted-shared-attention", "soft_tf_heads", "match_selectivity"),
        ("planted-shared-attention", "scoring_heads", "joint_recovery"),
        ("planted-shared-attention", "scoring_heads", "cls_attention_idf_spearman"),
    ],
)
def test_a_control_keeps_the_behaviour_its_mechanism_produced(
    claim: Claims, variant: str, name: str, part: str
) -> None:
    """The best controls keep the behaviour: the heads found still carry the effect, so the claim
    fails for the mechanism alone (unselective heads still count TF; no-IDF heads still score;
    heads whose layer-mates attend alike still carry the score and still attend selectively)."""
    [measured] = [p for p in claim(variant, name).details["parts"] if p["name"] == part]
    assert measured["ci_low"] > measured["threshold"], measured


def expected_verdict(variant: str, name: str) -> Verdict:
    """What each planted variant declares: it fails the claims about the mechanism it removes,
    leaves inconclusive those whose precondition it removes, and passes the rest."""
    recipe = VARIANT_RECIPES[variant]
    if name in recipe.fails:
        return Verdict.FAIL
    return Verdict.INCONCLUSIVE if name in recipe.unmeasured else Verdict.PASS


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("variant", [v for v in VARIANT_RECIPES if v != "planted"])
def test_each_variant_fails_exactly_the_claims_about_its_missing_mechanism(
    claim: Claims, variant: str, name: str
) -> None:
    result = claim(variant, name)
    assert result.verdict == expected_verdict(variant, name), result.message


def test_the_curve_claims_say_why_they_need_established_soft_tf_heads(claim: Claims) -> None:
    """Without heads that carry TF there is nothing to draw TF or length curves for."""
    for name in ("saturation", "length_normalization"):
        assert "no established soft-TF heads" in claim("planted-spread-tf", name).details["precondition"]


@pytest.mark.parametrize("name", ALL)
def test_the_random_model_passes_no_claim(claim: Claims, name: str) -> None:
    result = claim("random-init", name)
    assert result.verdict != Verdict.PASS, result.message


def test_the_related_word_part_fails_heads_that_match_exact_tokens_only(
    planted_reranker: Callable[[str], Reranker], samples: Callable[[str], Samples], claim: Claims
) -> None:
    """The related-word part is judged only on a model that passes STMC1, and no fixture does, so
    it is judged here directly: ``planted`` matches WordPiece identity only, so its soft-TF heads
    attend to a thesaurus neighbour of the term as to a filler and the part fails; the same
    computation on the term itself (``match_selectivity_over_null``) passes on the same heads."""
    reranker = planted_reranker("planted")
    heads = [(int(h[0]), int(h[1])) for h in claim("planted", "soft_tf_heads").details["heads_found"]]
    _, confirmation, delta = samples("planted")
    confirm = patched_cases(reranker, confirmation.cases, "query", delta=delta)
    parts, details = related_selectivity(reranker, confirm, heads, seed=SEED, judged=True)
    [related] = parts
    assert related.n >= MIN_CASES, details
    assert related.effect.ci_high < related.threshold, details["related_word_selectivity"]
    [exact] = [
        p for p in claim("planted", "soft_tf_heads").details["parts"] if p["name"] == "match_selectivity_over_null"
    ]
    assert exact["ci_low"] > related.threshold, exact


@pytest.mark.parametrize("name", ["soft_tf_heads", "scoring_heads"])
def test_no_case_contradicts_the_heads_planted_put_there(claim: Claims, name: str) -> None:
    """planted's heads carry all of the matching effect on every case: the search finds no case
    on which they recover under half of it."""
    assert not claim("planted", name).counterexamples, claim("planted", name).counterexamples


def test_a_shrunk_case_shows_spread_tf_heads_carrying_too_little(claim: Claims) -> None:
    """With TF spread over many heads, the few found carry a fraction of it: Hypothesis finds a case
    where they recover under half the effect, and shrinks its document to a few words of a passage."""
    [first, *_] = claim("planted-spread-tf", "soft_tf_heads").counterexamples
    recovered = float(re.search(r"recover (-?[0-9.]+) of the effect", first).group(1))  # type: ignore[union-attr]
    document = re.search(r"to document '(.*)'$", first).group(1)  # type: ignore[union-attr]
    assert first.startswith("minimal (Hypothesis): ") and recovered < 0.5 and len(document.split()) <= 10, first


@pytest.mark.parametrize("name", ["saturation", "length_normalization", "idf_direction"])
def test_no_case_contradicts_the_curves_and_direction_planted_put_there(claim: Claims, name: str) -> None:
    """planted's soft-TF heads saturate and normalise length on every case, and its IDF direction
    raises the reward for every term moved along it: the search finds no single contrary case."""
    assert not claim("planted", name).counterexamples, claim("planted", name).counterexamples


@pytest.mark.parametrize(
    ("variant", "name", "measured"),
    [
        ("planted-no-saturation", "saturation", r"concavity (-?[0-9.]+) \(need ([0-9.]+)\)"),
        ("planted-no-length-norm", "length_normalization", r"a drop of (-?[0-9.]+) \(need ([0-9.]+)\)"),
    ],
)
def test_a_shrunk_case_shows_the_lesioned_curve(claim: Claims, variant: str, name: str, measured: str) -> None:
    """Without k1 the gain grows linearly in TF; without b the contribution ignores length: the
    search finds one case showing it, below the claim's own threshold, shrunk to a short document."""
    [first] = claim(variant, name).counterexamples
    value, needed = map(float, re.search(measured, first).groups())  # type: ignore[union-attr]
    document = re.search(r"to document '(.*)'$", first).group(1)  # type: ignore[union-attr]
    assert first.startswith("minimal (Hypothesis): ") and value < needed and len(document.split()) <= 10, first


def test_the_edit_search_finds_a_case_when_the_edit_points_against_idf(
    planted_reranker: Callable[[str], Reranker], samples: Callable[[str], Samples], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No fixture's direction lowers the reward for matching, so the search is shown on planted with
    the edit reversed (the mechanism inverted, the model unchanged): moving a term *against* its
    IDF direction makes matching it pay less, the edit part fails, and the search finds and shrinks
    a case showing it; along the direction it finds none (the test above)."""
    from ranklens.claims import idf

    along = idf._edit_step
    monkeypatch.setattr(idf, "_edit_step", lambda *args: -along(*args))
    reranker = planted_reranker("planted")
    _, _, delta = samples("planted")
    cases = circuit_cases(reranker, n=CASES["quick"], seed=SEED, split="confirm")
    result = idf_direction(reranker, cases, delta=delta, seed=SEED)
    [edit] = [p for p in result.details["parts"] if p["name"] == "edit_net_preference"]
    [first] = result.counterexamples
    change = float(re.search(r"reward for matching it by (-?[0-9.e+-]+)", first).group(1))  # type: ignore[union-attr]
    assert (result.verdict, edit["ci_high"] < 0, change < -delta) == (Verdict.FAIL, True, True), first
