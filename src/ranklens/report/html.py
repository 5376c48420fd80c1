"""The HTML report: one self-contained page rendered from ``report.json`` alone.

No script, font, stylesheet or image is fetched: the CSS is inlined, plots are inline SVG
(:mod:`ranklens.report.svg`), and a Content-Security-Policy forbids scripts and every network
load, so a string that slipped through escaping still could not run. Every string from data goes
through :mod:`markupsafe`, which escapes whatever is not already markup.

What a reviewer sees, top to bottom: the model and the verdict counts; a banner when the run is
not complete (partial, interrupted, error: its reason and the checks it is missing); for a gated
run, the gate's decision, failures and comparison as its ``gate`` field records them
(:mod:`ranklens.report.html_gate`); the summary table; a forest plot of the axioms' effects; one
card per check that has more to show (:mod:`ranklens.report.html_cards`); and the model,
environment and seed. This module lays out the page; the sections with more logic have their own.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ranklens.report import svg
from ranklens.report.html_cards import cards, effect_text, has_card, label, params, scalar
from ranklens.report.html_gate import gate_section
from ranklens.report.json_report import RunStatus, report_missing, report_status, write_atomic
from ranklens.verdicts import CheckResult, Kind, Verdict

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_VERDICT_ORDER = (Verdict.ERROR, Verdict.FAIL, Verdict.INCONCLUSIVE, Verdict.PASS)


def render_html(report: Mapping[str, Any]) -> str:
    """The page for ``report`` (a dict as read by ``read_report``); its gate section from ``report["gate"]``."""
    checks = sorted(
        (CheckResult.from_dict(record) for record in report["checks"]),
        key=lambda c: (_VERDICT_ORDER.index(c.verdict), str(c.kind), c.check_id, params(c)),
    )
    anchored = [(check, f"check-{i}" if has_card(check) else None) for i, check in enumerate(checks)]
    model = report.get("model", {})
    gate = report.get("gate")
    body = [
        _header(report, checks),
        _status_banner(report),
        Markup("") if gate is None else gate_section(gate),
        _summary(anchored),
        _forest(checks),
        cards(anchored),
        _environment(report),
    ]
    return page(f"ranklens report: {model.get('id') or 'unknown model'}", body)


def page(title: str, body: Sequence[Markup]) -> str:
    """A self-contained page: the inlined stylesheet, the CSP, ``body`` (already escaped markup)."""
    css = files("ranklens.report").joinpath("static", "report.css").read_text(encoding="utf-8")
    return str(
        Markup(
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta http-equiv="Content-Security-Policy" content="{}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>{}</title><style>{}</style></head><body><main>{}</main></body></html>\n"
        ).format(CSP, title, Markup(css), Markup("").join(body))
    )


def write_html(report: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Render ``report`` and write the page to ``path`` atomically."""
    return write_atomic(path, render_html(report))


def _header(report: Mapping[str, Any], checks: Sequence[CheckResult]) -> Markup:
    model = report.get("model", {})
    counts = Markup(" ").join(
        Markup('<span class="badge {0}">{1} {0}</span>').format(v, sum(c.verdict == v for c in checks))
        for v in _VERDICT_ORDER
        if any(c.verdict == v for c in checks)
    )
    return Markup(
        '<header><h1>ranklens report</h1><p class="model">{}</p><p>{} checks: {}</p>'
        '<p class="muted">run {} · seed {} · sample size {} · created {} · schema {}</p>'
        '<nav><a href="#summary">summary</a> <a href="#axioms">axioms</a> <a href="#checks">checks</a> '
        '<a href="#environment">model &amp; environment</a></nav></header>'
    ).format(
        model.get("id") or "unknown model",
        len(checks),
        counts or "none",
        report_status(report) or "status not recorded",
        report.get("seed"),
        report.get("sample_size") or "each check's default",
        report.get("created", "?"),
        report.get("schema_version"),
    )


def _status_banner(report: Mapping[str, Any]) -> Markup:
    """A run that is not complete says so before anything else: its verdicts cover only part of the suites."""
    status = report_status(report)
    if status in (None, RunStatus.COMPLETE):
        return Markup("")
    missing = Markup("").join(
        Markup("<li><code>{}</code> ({}): {}</li>").format(m.check_id, m.test_id, m.reason)
        for m in report_missing(report)
    )
    return Markup('<section id="status" class="banner {0}"><h2>Incomplete run: {0}</h2><p>{1}</p>{2}</section>').format(
        status,
        report.get("status_reason") or "No reason was recorded.",
        Markup("<p>Checks expected but not recorded:</p><ul>{}</ul>").format(missing) if missing else Markup(""),
    )


def _summary(anchored: Sequence[tuple[CheckResult, str | None]]) -> Markup:
    rows = Markup("").join(
        Markup(
            '<tr><td>{}</td><td>{}</td><td><span class="badge {}">{}</span></td><td class="num">{}</td>'
            '<td class="num">{}</td><td class="message">{}</td></tr>'
        ).format(
            _check_link(check, anchor),
            check.kind,
            check.verdict,
            check.verdict,
            effect_text(check),
            check.n,
            check.message,
        )
        for check, anchor in anchored
    )
    return Markup(
        '<section id="summary"><h2>Summary</h2><table><thead><tr><th>check</th><th>kind</th><th>verdict</th>'
        "<th>effect [CI]</th><th>n</th><th>message</th></tr></thead><tbody>{}</tbody></table></section>"
    ).format(rows or Markup('<tr><td colspan="6">No checks ran.</td></tr>'))


def _forest(checks: Sequence[CheckResult]) -> Markup:
    """One forest plot per effect name: effects on different scales never share an axis."""
    by_effect: dict[str, list[svg.ForestRow]] = {}
    for check in checks:
        effect = check.effect
        if check.kind == Kind.AXIOM and all(math.isfinite(v) for v in (effect.value, effect.ci_low, effect.ci_high)):
            row = svg.ForestRow(label(check), effect.value, effect.ci_low, effect.ci_high, str(check.verdict))
            by_effect.setdefault(effect.name, []).append(row)
    plots = Markup("").join(
        Markup("<figure>{}<figcaption>{} with its confidence interval, one row per axiom</figcaption></figure>").format(
            svg.forest(rows, x_label=name), name
        )
        for name, rows in sorted(by_effect.items())
    )
    empty = Markup('<p class="muted">No axiom with a defined effect in this report.</p>')
    return Markup('<section id="axioms"><h2>Axioms</h2>{}</section>').format(plots or empty)


def _environment(report: Mapping[str, Any]) -> Markup:
    environment = dict(report.get("environment", {}))
    versions = environment.pop("versions", {}) or {}
    return Markup(
        '<section id="environment"><h2>Model, cases, environment and seed</h2><div class="columns">'
        "<div><h3>Model</h3>{}</div><div><h3>Cases</h3>{}</div><div><h3>Environment</h3>{}</div>"
        "<div><h3>Versions</h3>{}</div></div>"
        "<p>Seed {} · sample size {}: the same seed and cases give the same cases.</p></section>"
    ).format(
        _table(report.get("model", {})),
        _cases(report.get("case_source")),
        _table(environment),
        _table(versions),
        report.get("seed"),
        report.get("sample_size") or "each check's default",
    )


def _cases(source: Mapping[str, Any] | None) -> Markup:
    """Where the cases came from; a report from before 1.4 used the built-in corpus."""
    if source is None:
        return Markup('<p class="muted">the built-in corpus (not recorded before schema 1.4)</p>')
    facts = {k: v for k, v in source.items() if k not in ("counts", "notes")} | dict(source.get("counts", {}))
    notes = Markup("").join(Markup("<p>{}</p>").format(note) for note in source.get("notes", ()))
    return _table(facts) + notes


def _table(values: Mapping[str, Any]) -> Markup:
    rows = Markup("").join(Markup("<tr><th>{}</th><td>{}</td></tr>").format(k, scalar(v)) for k, v in values.items())
    return Markup('<table class="facts">{}</table>').format(rows)


def _check_link(check: CheckResult, anchor: str | None) -> Markup:
    if anchor is not None:
        return Markup('<a href="#{}">{}</a>').format(anchor, label(check))
    return Markup("{}").format(label(check))
