"""The HTML report: one self-contained page rendered from ``report.json`` alone.

No script, font, stylesheet or image is fetched: the CSS is inlined, plots are inline SVG
(:mod:`ranklens.report.svg`), and a Content-Security-Policy forbids scripts and every network
load, so a string that slipped through escaping still could not run. Every string from data goes
through :mod:`markupsafe`, which escapes whatever is not already markup.

What a reviewer sees, top to bottom: the model and the verdict counts; a banner when the run is
not complete (partial, interrupted, error: its reason and the checks it is missing); with a
baseline, the gate's decision and its failures, then its comparison (regressions first); the
summary table; a forest plot of the axioms' effects; one card per check that has more to show
(its message, the plots its ``details`` allow, its minimal counterexamples, the remaining
details); and the model, environment and seed.

The plots a check's ``details`` can ask for (documented field by field in ``schema.json``):
``head_recovery`` (+ ``heads_found``) → layer x head heatmap; ``tf_curve`` and ``length_curve`` →
line charts; ``idf_scatter`` → scatter; ``ablation`` → random draws against the units found. A
view whose data is absent is not drawn; one whose data is unusable says why in its place.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ranklens.gate import CheckComparison, Comparison, Status, headline
from ranklens.report import svg
from ranklens.report.json_report import RunStatus, report_missing, report_status, write_atomic
from ranklens.verdicts import CheckResult, Kind, Verdict

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
VIEW_KEYS = ("head_recovery", "heads_found", "tf_curve", "length_curve", "idf_scatter", "ablation")
_VERDICT_ORDER = (Verdict.ERROR, Verdict.FAIL, Verdict.INCONCLUSIVE, Verdict.PASS)
_DETAILS_CHARS = 4000


class _UnusableError(ValueError):
    """A view's data is present but cannot be drawn; the message says why, in the view's place."""


def render_html(report: Mapping[str, Any], *, comparison: Comparison | None = None, baseline: str = "") -> str:
    """The page for ``report`` (a dict as read by ``read_report``), with the gate's view when given."""
    checks = sorted(
        (CheckResult.from_dict(record) for record in report["checks"]),
        key=lambda c: (_VERDICT_ORDER.index(c.verdict), str(c.kind), c.check_id, _params(c)),
    )
    anchored = [(check, f"check-{i}" if _has_card(check) else None) for i, check in enumerate(checks)]
    model = report.get("model", {})
    body = [
        _header(report, checks),
        _status_banner(report),
        _gate(comparison, baseline) if comparison is not None else Markup(""),
        _summary(anchored),
        _forest(checks),
        _cards(anchored),
        _environment(report),
    ]
    css = files("ranklens.report").joinpath("static", "report.css").read_text(encoding="utf-8")
    page = Markup(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="{}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>ranklens report: {}</title><style>{}</style></head><body><main>{}</main></body></html>\n"
    ).format(CSP, model.get("id") or "unknown model", Markup(css), Markup("").join(body))
    return str(page)


def write_html(
    report: Mapping[str, Any], path: str | os.PathLike[str], *, comparison: Comparison | None = None, baseline: str = ""
) -> Path:
    """Render ``report`` and write the page to ``path`` atomically."""
    return write_atomic(path, render_html(report, comparison=comparison, baseline=baseline))


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


def _gate(comparison: Comparison, baseline: str) -> Markup:
    """The gate's comparison as a table, regressions first; unchanged checks folded away."""
    flagged = [c for c in comparison.checks if c.status != Status.UNCHANGED]
    unchanged = comparison.having(Status.UNCHANGED)
    rows = Markup("").join(_gate_row(c) for c in flagged)
    quiet = Markup("").join(_gate_row(c) for c in unchanged)
    notes = Markup("").join(Markup("<li>{}</li>").format(note) for note in comparison.notes)
    failures = Markup("").join(Markup('<li class="failure">{}</li>').format(f) for f in comparison.failures)
    head = Markup(
        "<thead><tr><th>status</th><th>check</th><th>verdict</th><th>effect: baseline → new</th>"
        "<th>shift [95% CI]</th><th>tolerance</th><th>why</th></tr></thead>"
    )
    return Markup(
        '<section id="gate"><h2>Against the baseline</h2><p>{} (baseline: <code>{}</code>)</p>{}'
        '<table class="gate">{}<tbody>{}</tbody></table>{}{}</section>'
    ).format(
        headline(comparison),
        baseline,
        Markup('<ul class="failures">{}</ul>').format(failures) if failures else Markup(""),
        head,
        rows,
        Markup(
            '<details><summary>{} unchanged checks</summary><table class="gate">{}<tbody>{}</tbody></table></details>'
        ).format(len(unchanged), head, quiet)
        if unchanged
        else Markup(""),
        Markup('<ul class="notes">{}</ul>').format(notes) if notes else Markup(""),
    )


def _gate_row(check: CheckComparison) -> Markup:
    base, new = check.base, check.new
    shift = check.shift
    how = "" if shift is None else (f"paired over {shift.n} cases" if shift.paired else "unpaired")
    return Markup(
        '<tr><td><span class="badge {0}">{0}</span></td><td>{1}</td><td>{2} → {3}</td><td class="num">{4}: {5} → {6}'
        '</td><td class="num">{7}<br><span class="muted">{8}</span></td><td class="num">{9}</td><td>{10}</td></tr>'
    ).format(
        check.status,
        check.key,
        "—" if base is None else base.verdict,
        "—" if new is None else new.verdict,
        check.effect_name,
        _effect_numbers(base),
        _effect_numbers(new),
        "" if shift is None else f"{shift.value:+.4g} [{shift.ci_low:+.3g}, {shift.ci_high:+.3g}]",
        how,
        check.tolerance,
        "; ".join(check.reasons),
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
            _effect_text(check),
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
            row = svg.ForestRow(_label(check), effect.value, effect.ci_low, effect.ci_high, str(check.verdict))
            by_effect.setdefault(effect.name, []).append(row)
    plots = Markup("").join(
        Markup("<figure>{}<figcaption>{} with its confidence interval, one row per axiom</figcaption></figure>").format(
            svg.forest(rows, x_label=name), name
        )
        for name, rows in sorted(by_effect.items())
    )
    empty = Markup('<p class="muted">No axiom with a defined effect in this report.</p>')
    return Markup('<section id="axioms"><h2>Axioms</h2>{}</section>').format(plots or empty)


def _cards(anchored: Sequence[tuple[CheckResult, str | None]]) -> Markup:
    cards = Markup("").join(_card(check, anchor) for check, anchor in anchored if anchor is not None)
    empty = Markup('<p class="muted">No check has details, plots or counterexamples to show.</p>')
    return Markup('<section id="checks"><h2>Checks in detail</h2>{}</section>').format(cards or empty)


def _card(check: CheckResult, anchor: str) -> Markup:
    views = Markup("").join(_view(name, draw, check.details) for name, draw in _VIEWS.items() if name in check.details)
    examples = Markup("").join(Markup("<li><pre>{}</pre></li>").format(text) for text in check.counterexamples)
    rest = {k: v for k, v in check.details.items() if k not in VIEW_KEYS}
    return Markup(
        '<article class="card" id="{}"><h3>{} <span class="badge {}">{}</span></h3><p>{}</p>'
        '<p class="muted">{} · effect {} · n = {}{}</p>{}{}{}</article>'
    ).format(
        anchor,
        _label(check),
        check.verdict,
        check.verdict,
        check.message,
        check.kind,
        _effect_text(check),
        check.n,
        Markup(" · <code>{}</code>").format(check.test_id) if check.test_id else Markup(""),
        views,
        Markup("<h4>Minimal counterexamples</h4><ol>{}</ol>").format(examples) if examples else Markup(""),
        _rest(rest),
    )


def _view(name: str, draw: Callable[[Mapping[str, Any]], Markup], details: Mapping[str, Any]) -> Markup:
    try:
        return Markup('<figure class="view-{}">{}</figure>').format(name, draw(details))
    except (_UnusableError, TypeError, ValueError, KeyError, IndexError) as error:
        return Markup('<p class="unusable">details["{}"] could not be drawn: {}</p>').format(name, error)


def _heatmap(details: Mapping[str, Any]) -> Markup:
    matrix = [[_number(v, allow_none=True) for v in row] for row in details["head_recovery"]]
    if not matrix or not any(matrix):
        raise _UnusableError("the matrix is empty; expected [layer][head] numbers")
    found = {(int(layer), int(head)) for layer, head in details.get("heads_found", [])}
    plot = svg.heatmap(matrix, outlined=found, label="patching recovery")
    listed = ", ".join(f"L{layer}H{head}" for layer, head in sorted(found)) or "none"
    return Markup("{}<figcaption>Normalised patching recovery by layer and head; heads found: {}</figcaption>").format(
        plot, listed
    )


def _curve(key: str, what: str) -> Callable[[Mapping[str, Any]], Markup]:
    def draw(details: Mapping[str, Any]) -> Markup:
        curve = details[key]
        x = [_number(v) for v in curve["x"]]
        series = [
            svg.Series(
                str(s["label"]),
                _aligned(s["y"], x),
                _aligned(s["ci_low"], x) if "ci_low" in s else None,
                _aligned(s["ci_high"], x) if "ci_high" in s else None,
            )
            for s in curve["series"]
        ]
        if not x or not series or all(v is None for s in series for v in s.y):
            raise _UnusableError("no measured point")
        x_label, y_label = str(curve.get("x_label", "x")), str(curve.get("y_label", "y"))
        plot = svg.curves(x, series, x_label=x_label, y_label=y_label)
        return Markup("{}<figcaption>{}: {} against {}</figcaption>").format(plot, what, y_label, x_label)

    return draw


def _scatter(details: Mapping[str, Any]) -> Markup:
    data = details["idf_scatter"]
    x, y = [_number(v) for v in data["x"]], [_number(v) for v in data["y"]]
    if not x or len(x) != len(y):
        raise _UnusableError(f"x and y must be non-empty and of equal length, got {len(x)} and {len(y)}")
    labels = [str(v) for v in data["labels"]] if "labels" in data else None
    x_label, y_label = str(data.get("x_label", "IDF")), str(data.get("y_label", "component"))
    stats = ", ".join(f"{k} {data[k]:.3f}" for k in ("pearson", "spearman") if isinstance(data.get(k), (int, float)))
    thinned = (
        f"; every {math.ceil(len(x) / svg.MAX_POINTS)}th of {len(x)} points drawn" if len(x) > svg.MAX_POINTS else ""
    )
    plot = svg.scatter(x, y, labels, x_label=x_label, y_label=y_label)
    return Markup("{}<figcaption>{} against {} ({}{})</figcaption>").format(
        plot, y_label, x_label, stats or f"{len(x)} tokens", thinned
    )


def _ablation(details: Mapping[str, Any]) -> Markup:
    data = details["ablation"]
    draws, found = [_number(v) for v in data["random"]], _number(data["effect"])
    if not draws:
        raise _UnusableError("no random draw")
    beaten = sum(found > d for d in draws) / len(draws)
    label = str(data.get("label", "ablation effect"))
    plot = svg.histogram(draws, found, x_label=label)
    return Markup("{}<figcaption>{} of the units found: {:.4g}, above {:.0%} of {} random draws</figcaption>").format(
        plot, label, found, beaten, len(draws)
    )


_VIEWS: dict[str, Callable[[Mapping[str, Any]], Markup]] = {
    "head_recovery": _heatmap,
    "tf_curve": _curve("tf_curve", "TF curve of the heads found"),
    "length_curve": _curve("length_curve", "Length curve of the heads found"),
    "idf_scatter": _scatter,
    "ablation": _ablation,
}


def _rest(details: Mapping[str, Any]) -> Markup:
    """Scalars as a list; anything else as JSON, cut to a readable size."""
    scalars = {k: v for k, v in details.items() if isinstance(v, (str, int, float, bool)) or v is None}
    items = Markup("").join(Markup("<dt>{}</dt><dd>{}</dd>").format(k, _scalar(v)) for k, v in scalars.items())
    others = {k: v for k, v in details.items() if k not in scalars}
    text = json.dumps(others, indent=1, default=str)
    if len(text) > _DETAILS_CHARS:
        text = text[:_DETAILS_CHARS] + f"\n… ({len(text) - _DETAILS_CHARS} more characters in report.json)"
    return Markup("{}{}").format(
        Markup("<h4>Details</h4><dl>{}</dl>").format(items) if items else Markup(""),
        Markup("<details><summary>more details</summary><pre>{}</pre></details>").format(text) if others else "",
    )


def _environment(report: Mapping[str, Any]) -> Markup:
    environment = dict(report.get("environment", {}))
    versions = environment.pop("versions", {}) or {}
    return Markup(
        '<section id="environment"><h2>Model, environment and seed</h2><div class="columns">'
        "<div><h3>Model</h3>{}</div><div><h3>Environment</h3>{}</div><div><h3>Versions</h3>{}</div></div>"
        "<p>Seed {} · sample size {}: the same seed gives the same cases.</p></section>"
    ).format(
        _table(report.get("model", {})),
        _table(environment),
        _table(versions),
        report.get("seed"),
        report.get("sample_size") or "each check's default",
    )


def _table(values: Mapping[str, Any]) -> Markup:
    rows = Markup("").join(Markup("<tr><th>{}</th><td>{}</td></tr>").format(k, _scalar(v)) for k, v in values.items())
    return Markup('<table class="facts">{}</table>').format(rows)


def _has_card(check: CheckResult) -> bool:
    return bool(check.details or check.counterexamples or check.verdict != Verdict.PASS)


def _check_link(check: CheckResult, anchor: str | None) -> Markup:
    if anchor is not None:
        return Markup('<a href="#{}">{}</a>').format(anchor, _label(check))
    return Markup("{}").format(_label(check))


def _label(check: CheckResult) -> str:
    return check.check_id + (f" [{_params(check)}]" if check.params else "")


def _params(check: CheckResult) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(check.params.items()))


def _effect_text(check: CheckResult) -> str:
    return f"{check.effect.name} {_effect_numbers(check)}" if math.isfinite(check.effect.value) else "—"


def _effect_numbers(check: CheckResult | None) -> str:
    if check is None or not math.isfinite(check.effect.value):
        return "—"
    effect = check.effect
    return f"{effect.value:.4g} [{effect.ci_low:.3g}, {effect.ci_high:.3g}]"


def _scalar(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "—" if value is None else value if isinstance(value, str) else json.dumps(value, default=str)


def _number(value: Any, *, allow_none: bool = False) -> Any:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _UnusableError(f"expected a finite number, got {value!r}")
    return float(value)


def _aligned(values: Sequence[Any], x: Sequence[float]) -> list[float | None]:
    if len(values) != len(x):
        raise _UnusableError(f"a series has {len(values)} points for {len(x)} x values")
    return [_number(v, allow_none=True) for v in values]
