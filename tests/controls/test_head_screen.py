"""The attribution-patching screen against planted ground truth, and its audit against a bad screen.

Discovery patches exactly only the heads the screen puts forward (:mod:`ranklens.claims.screen`).
On ``planted`` the screen must rank the planted heads first and leave the verdicts and heads found
of exact discovery unchanged; a screen that ranks the heads backwards must be caught by the audit
(the planted heads reported missed) and by the claim (which then fails on planted).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pytest

from ranklens import Reranker
from ranklens.axioms import calibrate_delta
from ranklens.claims import screen
from ranklens.claims.heads import HeadClaim, scoring_heads, soft_tf_heads
from ranklens.claims.samples import circuit_cases
from ranklens.claims.screen import Search
from ranklens.plugin.claim_fixtures import CASES
from ranklens.verdicts import Verdict

SEED = 0
PLANTED = {"soft_tf_heads": {(1, 0), (1, 1)}, "scoring_heads": {(2, 0), (2, 1)}}
Claims = Callable[[Search], tuple[HeadClaim, HeadClaim]]


@pytest.fixture(scope="module")
def planted_claims(planted_reranker: Callable[[str], Reranker]) -> Claims:
    """``planted_claims(search)``: the two head claims on ``planted`` at the quick profile."""
    reranker = planted_reranker("planted")
    n, delta = CASES["quick"], calibrate_delta(reranker, seed=SEED)
    halves = [circuit_cases(reranker, n=n, seed=SEED, split=split) for split in ("discover", "confirm")]

    @functools.cache
    def get(search: Search) -> tuple[HeadClaim, HeadClaim]:
        soft = soft_tf_heads(reranker, *halves, delta=delta, seed=SEED, search=search)
        return soft, scoring_heads(reranker, *halves, delta=delta, seed=SEED, soft_tf=soft, search=search)

    return get


def _by_estimate(details: dict[str, object]) -> list[tuple[int, int]]:
    estimated = np.array(details["head_screen"]["estimated_recovery"])  # type: ignore[index]
    order = np.argsort(-estimated, axis=None)
    return [(int(i) // estimated.shape[1], int(i) % estimated.shape[1]) for i in order]


@pytest.mark.parametrize("claim", [0, 1], ids=["soft_tf_heads", "scoring_heads"])
def test_the_screen_ranks_the_planted_heads_first(planted_claims: Claims, claim: int) -> None:
    result = planted_claims("screen")[claim].result
    details = result.details
    assert set(_by_estimate(details)[:2]) == PLANTED[result.check_id], details["head_screen"]
    assert {tuple(h) for h in details["head_screen"]["screen_candidates"]} == PLANTED[result.check_id]
    assert details["head_screen"]["recall_of_exact_top"] == 1.0
    assert details["head_screen"]["missed_heads"] == []


@pytest.mark.parametrize("claim", [0, 1], ids=["soft_tf_heads", "scoring_heads"])
def test_the_screen_finds_what_patching_every_head_finds(planted_claims: Claims, claim: int) -> None:
    screened, exact = planted_claims("screen")[claim].result, planted_claims("exact")[claim].result
    assert screened.verdict == exact.verdict == Verdict.PASS
    assert screened.details["heads_found"] == exact.details["heads_found"]
    assert screened.effect == exact.effect
    every = np.array(exact.details["head_recovery"], dtype=float)
    assert np.isfinite(every).all(), "the exact search patches every head"
    assert exact.details["head_screen"]["audit_cases"] == exact.details["discovery_cases_kept"]


def test_a_backwards_screen_is_reported_and_fails_the_claim(
    planted_reranker: Callable[[str], Reranker], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The negative control: the screen's estimate negated puts the planted heads last."""
    estimate = screen.attribution_patching
    monkeypatch.setattr(screen, "attribution_patching", lambda *a, **k: -estimate(*a, **k))
    reranker = planted_reranker("planted")
    halves = [circuit_cases(reranker, n=CASES["quick"], seed=SEED, split=s) for s in ("discover", "confirm")]
    result = soft_tf_heads(reranker, *halves, delta=calibrate_delta(reranker, seed=SEED), seed=SEED).result
    audit = result.details["head_screen"]
    assert {tuple(h["head"]) for h in audit["missed_heads"]} >= PLANTED["soft_tf_heads"], audit
    assert audit["recall_of_exact_top"] == 0.0
    assert result.verdict == Verdict.FAIL, result.message
