"""Checks written in a user's own file (``examples/test_own_checks.py``) run like built-in axioms:
a verdict from the family's correction, a counterexample, a JSON record, an HTML card, and the
release gate; on ``planted`` and ``minilm-ce`` they give the verdicts those models' workings predict."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from ranklens.axioms import AXIOMS, calibrate_delta, measure_family, results
from ranklens.axioms.measure import case_context
from ranklens.axioms.search import search_counterexample
from ranklens.models import Reranker
from ranklens.models.loading import load_reranker
from ranklens.stats import family_level
from ranklens.verdicts import Verdict
from ranklens.zoo.registry import DEFAULT_MODEL, built_fixture

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "test_own_checks.py"

pytest_plugins = ["pytester"]


def own_checks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("own_checks", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(pytester: pytest.Pytester, model: Path, *options: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(str(EXAMPLE), "--model", str(model), "-p", "no:randomly", *options)


def test_own_checks_are_reported_and_gated_like_built_in_axioms(
    pytester: pytest.Pytester, planted_checkpoint: Callable[[str], Path]
) -> None:
    """``planted`` normalises length, so a brand name appended lowers its score (BRAND passes), and
    it matches WordPieces in any order, so "no t" and "some t" tie (NEG fails: no preference for the
    sentence that asserts the term). ``planted-no-length-norm`` keeps the matching and loses the
    normalisation: the brand no longer moves its score, BRAND is undecided, and the gate flags it."""
    baseline, html = pytester.path / "planted.json", pytester.path / "planted.html"
    first = run(pytester, planted_checkpoint("planted"), "--ranklens-json", str(baseline), "--ranklens-html", str(html))
    assert first.ret == 1, first.stdout.str()[-2000:]  # NEG fails
    checks = {c["check_id"]: c for c in json.loads(baseline.read_text())["checks"]}
    assert {k: c["verdict"] for k, c in checks.items()} == {"BRAND": "pass", "NEG": "fail"}
    assert checks["BRAND"]["details"]["statement"].startswith("Appending a brand name")
    assert checks["NEG"]["threshold"]["ci_level"] == pytest.approx(family_level(len(AXIOMS) + 2))
    assert checks["NEG"]["counterexamples"] == []  # ties only: nothing violates NEG beyond the band
    page = html.read_text()
    assert "BRAND" in page and "Weller et al., &#39;NevIR" in page

    candidate = pytester.path / "lesion.json"
    second = run(
        pytester,
        planted_checkpoint("planted-no-length-norm"),
        "--ranklens-json",
        str(candidate),
        "--ranklens-baseline",
        str(baseline),
        "--ranklens-allow-mismatch",
    )
    assert second.ret == 1
    second.stdout.fnmatch_lines(["*REGRESSED BRAND*verdict pass -> inconclusive*"])


@pytest.mark.skipif(built_fixture(DEFAULT_MODEL) is None, reason="minilm-ce is not built here")
def test_minilm_ce_ignores_a_brand_name_and_does_not_read_negation() -> None:
    """A trained cross-encoder scores an off-topic brand name down as off-topic text (BRAND passes),
    and, like the cross-encoders of NevIR, does not prefer a sentence asserting a query term to one
    denying it (NEG fails: it leans, if anything, the other way)."""
    module = own_checks()
    reranker: Reranker = load_reranker(str(built_fixture(DEFAULT_MODEL)))
    delta = calibrate_delta(reranker, seed=0)
    size = len(AXIOMS) + 2
    measured = measure_family(reranker, [module.BRAND, module.NEGATION], seed=0, delta=delta, family_size=size)
    verdicts = {r.check_id: r.verdict for r in results(measured, delta=delta, seed=0, family_size=size)}
    assert verdicts == {"BRAND": Verdict.PASS, "NEG": Verdict.FAIL}
    shrunk = search_counterexample(reranker, module.NEGATION, case_context(reranker), delta=delta, seed=0)
    assert shrunk is not None and shrunk.startswith("NEG: ")
