"""The HTML report's check cards: one per check that has more to show than its summary row.

A card holds the check's message, the plots its ``details`` allow, its minimal counterexamples
and the remaining details. The plots a check's ``details`` can ask for (documented field by field
in ``schema.json``): ``head_recovery`` (+ ``heads_found``) → layer x head heatmap; ``tf_curve``
and ``length_curve`` → line charts; ``idf_scatter`` → scatter; ``ablation`` → random draws against
the units found. A view whose data is absent is not drawn; one whose data is unusable says why in
its place, so one bad record never costs the reviewer the whole page.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from markupsafe import Markup

from ranklens.report import svg
from ranklens.verdicts import CheckResult, Verdict

VIEW_KEYS = ("head_recovery", "heads_found", "tf_curve", "length_curve", "idf_scatter", "ablation")
_DETAILS_CHARS = 4000


class _UnusableError(ValueError):
    """A view's data is present but cannot be drawn; the message says why, in the view's place."""


def cards(anchored: Sequence[tuple[CheckResult, str | None]]) -> Markup:
    """The cards of the checks that have an anchor (see :func:`has_card`), in the given order."""
    drawn = Markup("").join(_card(check, anchor) for check, anchor in anchored if anchor is not None)
    empty = Markup('<p class="muted">No check has details, plots or counterexamples to show.</p>')
    return Markup('<section id="checks"><h2>Checks in detail</h2>{}</section>').format(drawn or empty)


def has_card(check: CheckResult) -> bool:
    """Whether the check has more to show than its summary row: a card, linked from the summary."""
    return bool(check.details or check.counterexamples or check.verdict != Verdict.PASS)


def label(check: CheckResult) -> str:
    """``check_id [name=value, ...]``: how the page names one instance of a check."""
    return check.check_id + (f" [{params(check)}]" if check.params else "")


def params(check: CheckResult) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(check.params.items()))


def effect_text(check: CheckResult) -> str:
    """``name value [ci_low, ci_high]``, or a dash where the effect is undefined."""
    if not math.isfinite(check.effect.value):
        return "—"
    effect = check.effect
    return f"{effect.name} {effect.value:.4g} [{effect.ci_low:.3g}, {effect.ci_high:.3g}]"


def scalar(value: Any) -> str:
    """A details or facts value as short text: floats to six digits, None as a dash, the rest as JSON."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return "—" if value is None else value if isinstance(value, str) else json.dumps(value, default=str)


def _card(check: CheckResult, anchor: str) -> Markup:
    views = Markup("").join(_view(name, draw, check.details) for name, draw in _VIEWS.items() if name in check.details)
    examples = Markup("").join(Markup("<li><pre>{}</pre></li>").format(text) for text in check.counterexamples)
    rest = {k: v for k, v in check.details.items() if k not in VIEW_KEYS}
    return Markup(
        '<article class="card" id="{}"><h3>{} <span class="badge {}">{}</span></h3><p>{}</p>'
        '<p class="muted">{} · effect {} · n = {}{}</p>{}{}{}</article>'
    ).format(
        anchor,
        label(check),
        check.verdict,
        check.verdict,
        check.message,
        check.kind,
        effect_text(check),
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
    name = str(data.get("label", "ablation effect"))
    plot = svg.histogram(draws, found, x_label=name)
    return Markup("{}<figcaption>{} of the units found: {:.4g}, above {:.0%} of {} random draws</figcaption>").format(
        plot, name, found, beaten, len(draws)
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
    items = Markup("").join(Markup("<dt>{}</dt><dd>{}</dd>").format(k, scalar(v)) for k, v in scalars.items())
    others = {k: v for k, v in details.items() if k not in scalars}
    text = json.dumps(others, indent=1, default=str)
    if len(text) > _DETAILS_CHARS:
        text = text[:_DETAILS_CHARS] + f"\n… ({len(text) - _DETAILS_CHARS} more characters in report.json)"
    return Markup("{}{}").format(
        Markup("<h4>Details</h4><dl>{}</dl>").format(items) if items else Markup(""),
        Markup("<details><summary>more details</summary><pre>{}</pre></details>").format(text) if others else "",
    )


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
