"""The committed verdict matrix: complete, shown unchanged in the README, and what the controls declare.

``scripts/verdict_matrix.py`` runs every fixture and writes ``reports/matrix/verdict-matrix.json``;
these tests read only that file and the README, so the README cannot drift from the measured
matrix, and a regenerated matrix in which a planted control no longer fails its mechanism's
claim cannot be committed quietly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ranklens.catalog import all_checks
from ranklens.report.matrix import render_matrix
from ranklens.zoo.planted.layout import PLANTED_VARIANTS, RANDOM_INIT, VARIANT_RECIPES

ROOT = Path(__file__).resolve().parents[2]
MATRIX = json.loads((ROOT / "reports" / "matrix" / "verdict-matrix.json").read_text(encoding="utf-8"))
FIXTURES = (*PLANTED_VARIANTS, "minilm-base", "minilm-ce")
CLAIMS = [c.check_id for c in all_checks() if c.kind == "claim"]


def cell(model: str, check: str) -> dict[str, Any]:
    return dict(MATRIX["checks"][check][model])


def test_the_readme_shows_the_committed_claims_matrix() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split("<!-- verdict-matrix:start -->\n", 1)[1].split("<!-- verdict-matrix:end -->", 1)[0]
    assert shown == render_matrix(MATRIX, kinds=("claim",)), "run: python scripts/verdict_matrix.py --render"


def test_the_markdown_matrix_is_the_committed_json() -> None:
    text = (ROOT / "reports" / "matrix" / "verdict-matrix.md").read_text(encoding="utf-8")
    assert text.endswith(render_matrix(MATRIX)), "run: python scripts/verdict_matrix.py --render"


def test_every_fixture_ran_every_axiom_and_claim_to_completion() -> None:
    checks = {c.check_id for c in all_checks() if c.kind in ("axiom", "claim")}
    assert list(MATRIX["models"]) == list(FIXTURES)
    missing = {m: sorted(c for c in checks if m not in MATRIX["checks"].get(c, {})) for m in FIXTURES}
    assert not any(missing.values()), missing
    # "partial": the matrix runs the axiom and circuit suites, not the invariants; never interrupted or failed.
    assert {m: r["status"] for m, r in MATRIX["runs"].items()} == dict.fromkeys(FIXTURES, "partial")


@pytest.mark.parametrize("claim", CLAIMS)
@pytest.mark.parametrize("variant", list(VARIANT_RECIPES))
def test_each_planted_variant_gets_the_verdict_it_declares(variant: str, claim: str) -> None:
    recipe = VARIANT_RECIPES[variant]
    expected = "fail" if claim in recipe.fails else "inconclusive" if claim in recipe.unmeasured else "pass"
    assert cell(variant, claim)["verdict"] == expected, cell(variant, claim)


@pytest.mark.parametrize("claim", CLAIMS)
def test_the_random_network_passes_no_claim(claim: str) -> None:
    assert cell(RANDOM_INIT, claim)["verdict"] != "pass", cell(RANDOM_INIT, claim)
