"""Synthetic reports that exercise every view of the HTML report (the axiom and circuit suites
will emit the same ``details`` keys; until they land these records stand in for them)."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from ranklens.gate import GateConfig, compare_reports, gate_record
from ranklens.report import Report, plain, read_report, write_report
from ranklens.report.html import render_html
from ranklens.verdicts import Better, CaseOutcome, CheckResult, Effect, Kind, Verdict, case_id

INJECTION = "<script>document.title='pwned';window.__pwned=1</script>"
"""Data that would run if a string reached the page unescaped; tests look for its effects."""


def axiom(check_id: str, value: float, verdict: Verdict, **params: object) -> CheckResult:
    """An axiom record measured as (pos - neg)/n on 200 cases, with a per-case outcome for each."""
    cases = tuple(CaseOutcome(case_id(check_id, i), 1.0 if i < 100 * (1 + value) else -1.0) for i in range(200))
    return CheckResult(
        check_id,
        Kind.AXIOM,
        verdict,
        200,
        Effect("pos_minus_neg", value, value - 0.1, value + 0.1, better=Better.HIGHER),
        {"min_effect": 0.1},
        params=params,
        counterexamples=(f"query: 'cats {INJECTION}' | document: 'cats eat {INJECTION} fish' | score fell by 0.3",)
        if verdict == Verdict.FAIL
        else (),
        cases=cases,
        message=f"{check_id}: (pos - neg)/n = {value:.2f}.",
    )


def soft_tf_claim() -> CheckResult:
    """A circuit record with every plot the HTML can draw."""
    layers, heads = 4, 6
    recovery = [[round(math.sin(layer * heads + head) * 0.2, 3) for head in range(heads)] for layer in range(layers)]
    recovery[2][3], recovery[3][1] = 0.91, 0.64
    recovery[0][0] = None  # type: ignore[call-overload]
    tf = [1, 2, 3, 4, 5, 6]
    return CheckResult(
        "soft_tf_heads",
        Kind.CLAIM,
        Verdict.PASS,
        120,
        Effect("recovery_top_heads", 0.78, 0.7, 0.85, better=Better.HIGHER),
        {"min_recovery": 0.5},
        details={
            "head_recovery": recovery,
            "heads_found": [[2, 3], [3, 1]],
            "tf_curve": {
                "x": tf,
                "x_label": "term frequency",
                "y_label": "attention to matches",
                "series": [
                    {
                        "label": "L2H3",
                        "y": [t / (t + 1.5) for t in tf],
                        "ci_low": [t / (t + 1.5) - 0.05 for t in tf],
                        "ci_high": [t / (t + 1.5) + 0.05 for t in tf],
                    },
                    {"label": f"L3H1 {INJECTION}", "y": [t / (t + 3) for t in tf[:-1]] + [None]},
                ],
            },
            "length_curve": {
                "x": [0, 16, 32, 64, 128],
                "x_label": "added tokens",
                "y_label": "attention to matches",
                "series": [{"label": "L2H3", "y": [0.6, 0.5, 0.42, 0.33, 0.25]}],
            },
            "idf_scatter": {
                "x": [i / 10 for i in range(100)],
                "y": [math.cos(i) * 0.1 + i / 50 for i in range(100)],
                "labels": [f"tok{i}" for i in range(99)] + [INJECTION],
                "x_label": "IDF",
                "y_label": "component 3",
                "pearson": 0.93,
                "spearman": 0.91,
            },
            "ablation": {"effect": 1.4, "random": [0.1 * (i % 7) for i in range(50)], "label": "score drop"},
            "n_dropped_pairs": 4,
        },
        message="2 heads recover 78% of the TFC1 effect.",
    )


def broken_views_claim() -> CheckResult:
    """A claim whose view data follows the schema but cannot be drawn (lengths disagree): the page
    must say so in the view's place, not crash."""
    return CheckResult(
        "idf_direction",
        Kind.CLAIM,
        Verdict.INCONCLUSIVE,
        30,
        Effect("spearman", 0.2, -0.1, 0.5, better=Better.HIGHER),
        {},
        details={
            "idf_scatter": {"x": [1.0, 2.0], "y": [1.0]},
            "tf_curve": {"x": [1, 2], "series": [{"label": "L0H0", "y": [0.5]}]},
        },
        message="The component is weakly correlated with IDF.",
    )


def full_report(model_id: str = f"planted {INJECTION}") -> Report:
    """Axioms (pass, fail, inconclusive), claims with every view, an invariant and an error."""
    return Report(
        model={"id": model_id, "architecture": "BertForSequenceClassification", "n_layers": 4, "n_heads": 6},
        environment={"python": "3.11", "versions": {"ranklens": "0.1.0", "torch": "2.x"}, "device": "cpu"},
        seed=0,
        sample_size=None,
        checks=[
            axiom("TFC1", 0.62, Verdict.PASS, position="append"),
            axiom("TFC1", 0.55, Verdict.PASS, position="prepend"),
            axiom("TFC2", -0.3, Verdict.FAIL),
            axiom("LNC1", 0.02, Verdict.INCONCLUSIVE),
            soft_tf_claim(),
            broken_views_claim(),
            CheckResult(
                "score_determinism",
                Kind.INVARIANT,
                Verdict.PASS,
                64,
                Effect("violation_rate", 0.0, 0.0, 0.056, better=Better.LOWER),
                {"max_violation_rate": 0.0},
            ),
            CheckResult(
                "relevance_neurons",
                Kind.CLAIM,
                Verdict.ERROR,
                0,
                Effect("undefined", math.nan, math.nan, math.nan),
                {},
                message="RuntimeError: the measurement blew up",
            ),
        ],
    )


def baseline_report() -> Report:
    """The report an earlier release gave: TFC2 passed and TFC1 (prepend) was stronger."""
    earlier = {
        ("TFC2", ()): axiom("TFC2", 0.4, Verdict.PASS),
        ("TFC1", ("prepend",)): axiom("TFC1", 0.85, Verdict.PASS, position="prepend"),
    }
    report = full_report()
    checks = [earlier.get((c.check_id, tuple(map(str, c.params.values()))), c) for c in report.checks]
    return dataclasses.replace(report, checks=checks)


@pytest.fixture
def full_report_path(tmp_path: Path) -> Path:
    """``full_report()`` written (and so validated) as report.json."""
    return write_report(full_report(), tmp_path / "report.json")


@pytest.fixture
def baseline_path(tmp_path: Path) -> Path:
    """``baseline_report()`` written as baseline.json."""
    return write_report(baseline_report(), tmp_path / "baseline.json")


@pytest.fixture
def hostile_gate_path(tmp_path: Path) -> Path:
    """A gated report whose gate field carries markup: in a check id (regressed: it could not be
    measured, its message the script), in a missing check's id, and in the baseline's path."""
    hostile = f"TFC1 {INJECTION}"
    undefined = Effect("undefined", math.nan, math.nan, math.nan)
    crashed = CheckResult(hostile, Kind.AXIOM, Verdict.ERROR, 0, undefined, {}, message=INJECTION)
    base = Report(
        {"id": "m"}, {}, 0, None, [axiom(hostile, 0.6, Verdict.PASS), axiom(f"LNC1 {INJECTION}", 0.6, Verdict.PASS)]
    )
    candidate = gated(Report({"id": "m"}, {}, 0, None, [crashed]), base, path=f"b {INJECTION}.json")
    return write_report(candidate, tmp_path / "gated.json")


@pytest.fixture
def injection() -> str:
    """The script text planted in model names, documents and tokens of the synthetic report."""
    return INJECTION


def gated(report: Report, baseline: Report, *, path: str = "baseline.json") -> Report:
    """``report`` as a gated run writes it: with the gate's comparison against ``baseline``."""
    comparison = compare_reports(plain(baseline.to_dict()), plain(report.to_dict()), GateConfig())
    return dataclasses.replace(report, gate=gate_record(comparison, baseline=path))


@pytest.fixture(scope="module")
def synthetic_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``full_report()`` gated against ``baseline_report()``, written as JSON and rendered from
    that file alone, beside the two JSON files."""
    directory = tmp_path_factory.mktemp("synthetic")
    write_report(baseline_report(), directory / "baseline.json")
    new = read_report(write_report(gated(full_report(), baseline_report()), directory / "report.json"))
    html = directory / "report.html"
    html.write_text(render_html(new))
    return html
