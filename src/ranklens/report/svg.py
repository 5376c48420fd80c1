"""Plots as inline SVG, generated here so the HTML report needs no script, font or network.

Every plot is an ``<svg class="plot plot-KIND">`` whose data marks carry ``class="mark"`` (the
browser test checks they are there) and a ``<title>`` with the exact numbers (a hover tooltip
without JavaScript). Text from data goes through :mod:`markupsafe`, which escapes anything that
is not already markup, so a token or a model name cannot inject elements.

Inputs are plain, already-checked numbers; :mod:`ranklens.report.html_cards` (and the page's
forest plot in :mod:`ranklens.report.html`) decides what to draw and says so when a view's data is
missing or unusable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

WIDTH = 640
PALETTE = ("#0969da", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#bf3989")
VERDICT_COLOURS = {"pass": "#1a7f37", "fail": "#cf222e", "inconclusive": "#9a6700", "error": "#8250df"}
MAX_POINTS = 2000
"""A scatter over a whole vocabulary would weigh megabytes; beyond this, every k-th point is drawn."""


@dataclass(frozen=True)
class ForestRow:
    """One effect with its interval, labelled by its check."""

    label: str
    value: float
    low: float
    high: float
    verdict: str


@dataclass(frozen=True)
class Series:
    """One line of a curve; ``None`` where a point was not measured (the line breaks there)."""

    label: str
    y: Sequence[float | None]
    low: Sequence[float | None] | None = None
    high: Sequence[float | None] | None = None


class _Scale:
    """A linear map from a data interval to a pixel interval, with round tick values."""

    def __init__(self, values: Sequence[float], start: float, end: float, *, pad: float = 0.05) -> None:
        low, high = min(values), max(values)
        if high - low < 1e-12:
            low, high = low - 0.5, high + 0.5
        margin = (high - low) * pad
        self.low, self.high = low - margin, high + margin
        self.start, self.end = start, end

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)

    def ticks(self, count: int = 6) -> list[float]:
        raw = (self.high - self.low) / count
        step = 10 ** math.floor(math.log10(raw))
        step *= next(m for m in (1, 2, 2.5, 5, 10) if raw <= step * m)
        first = math.ceil(self.low / step)
        return [i * step for i in range(first, math.floor(self.high / step) + 1)]


def forest(rows: Sequence[ForestRow], *, x_label: str) -> Markup:
    """Effects as points with interval whiskers, one row per check, a dashed line at zero."""
    left, row_height, top = 220, 22, 12
    height = top + row_height * len(rows) + 44
    x = _Scale([v for r in rows for v in (r.low, r.high, r.value)] + [0.0], left, WIDTH - 20)
    parts = [_x_axis(x, top + row_height * len(rows), x_label)]
    if x.low <= 0 <= x.high:
        parts.append(_line(x(0), top, x(0), top + row_height * len(rows), "zero"))
    for i, row in enumerate(rows):
        y = top + row_height * (i + 0.5)
        colour = VERDICT_COLOURS.get(row.verdict, "#57606a")
        label = row.label if len(row.label) <= 34 else row.label[:33] + "…"
        parts.append(
            Markup('<text x="{}" y="{:.1f}" class="label" text-anchor="end">{}</text>').format(left - 8, y + 4, label)
        )
        parts.append(
            Markup(
                '<g class="mark"><title>{}: {:.4g} [{:.4g}, {:.4g}] ({})</title>'
                '<line x1="{:.1f}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}" stroke="{}" stroke-width="2"/>'
                '<circle cx="{:.1f}" cy="{:.1f}" r="4.5" fill="{}"/></g>'
            ).format(
                row.label,
                row.value,
                row.low,
                row.high,
                row.verdict,
                x(row.low),
                x(row.high),
                y,
                y,
                colour,
                x(row.value),
                y,
                colour,
            )
        )
    return _svg("forest", height, parts, f"forest plot of {len(rows)} effects")


def heatmap(matrix: Sequence[Sequence[float | None]], *, outlined: set[tuple[int, int]], label: str) -> Markup:
    """A layer x head grid, diverging colours centred on 0, selected heads outlined."""
    layers, heads = len(matrix), max(len(row) for row in matrix)
    cell = max(8.0, min(36.0, (WIDTH - 140) / heads))
    left, top = 70.0, 16.0
    height = int(top + cell * layers + 64)
    finite = [abs(v) for row in matrix for v in row if v is not None]
    bound = max(finite, default=1.0) or 1.0
    parts = []
    for layer, row in enumerate(matrix):
        y = top + layer * cell
        parts.append(
            Markup('<text x="{}" y="{:.1f}" class="label" text-anchor="end">L{}</text>').format(
                left - 6, y + cell / 2 + 4, layer
            )
        )
        for head, value in enumerate(row):
            fill = "#d0d7de" if value is None else _diverging(value / bound)
            shown = "not measured" if value is None else f"{value:.4g}"
            stroke = ' stroke="#1f2328" stroke-width="2.5"' if (layer, head) in outlined else ' stroke="#ffffff"'
            parts.append(
                Markup(
                    '<rect class="mark" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"{}>'
                    "<title>L{}H{}: {}</title></rect>"
                ).format(left + head * cell, y, cell, cell, fill, Markup(stroke), layer, head, shown)
            )
    for head in range(heads):
        if heads <= 16 or head % 2 == 0:
            parts.append(
                Markup('<text x="{:.1f}" y="{:.1f}" class="tick" text-anchor="middle">{}</text>').format(
                    left + (head + 0.5) * cell, top + layers * cell + 14, head
                )
            )
    legend_y = top + layers * cell + 34
    parts.append(
        Markup('<text x="{:.1f}" y="{:.1f}" class="label" text-anchor="middle">head</text>').format(
            left + heads * cell / 2, legend_y + 6
        )
    )
    parts.append(
        Markup('<text x="{}" y="{:.1f}" class="label" text-anchor="end">{}</text>').format(
            WIDTH - 236, legend_y + 9, label
        )
    )
    for i, fraction in enumerate((-1.0, -0.5, 0.0, 0.5, 1.0)):
        x = WIDTH - 230 + i * 42
        parts.append(
            Markup(
                '<rect x="{}" y="{:.1f}" width="40" height="10" fill="{}"/><text x="{}" y="{:.1f}" class="tick" '
                'text-anchor="middle">{:.2g}</text>'
            ).format(x, legend_y, _diverging(fraction), x + 20, legend_y + 22, fraction * bound)
        )
    return _svg("heatmap", height, parts, f"heatmap of {layers} layers by {heads} heads")


def curves(
    x_values: Sequence[float],
    series: Sequence[Series],
    *,
    x_label: str,
    y_label: str,
    x_names: Sequence[str] | None = None,
) -> Markup:
    """Lines over a shared x axis, each with its interval as a band; legend on top. With
    ``x_names`` the ticks are the x values themselves, named (releases rather than numbers)."""
    top, bottom, left = 30, 44, 60
    height = 260
    y_values = [v for s in series for seq in (s.y, s.low or (), s.high or ()) for v in seq if v is not None]
    x = _Scale(list(x_values), left, WIDTH - 20, pad=0.03)
    y = _Scale(y_values, height - bottom, top)
    ticks = None if x_names is None else list(zip(x_values, x_names, strict=True))
    parts = [_x_axis(x, height - bottom, x_label, ticks), _y_axis(y, left, y_label, top, height - bottom)]
    for i, line in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        if line.low is not None and line.high is not None:
            band = [
                (a, lo, hi)
                for a, lo, hi in zip(x_values, line.low, line.high, strict=False)
                if lo is not None and hi is not None
            ]
            if band:
                outline = [(x(a), y(hi)) for a, _, hi in band] + [(x(a), y(lo)) for a, lo, _ in reversed(band)]
                parts.append(
                    Markup('<polygon points="{}" fill="{}" fill-opacity="0.15"/>').format(_points(outline), colour)
                )
        for segment in _segments(x_values, line.y):
            parts.append(
                Markup('<polyline class="mark" points="{}" fill="none" stroke="{}" stroke-width="2"/>').format(
                    _points([(x(a), y(b)) for a, b in segment]), colour
                )
            )
            for a, b in segment:
                parts.append(
                    Markup(
                        '<circle cx="{:.1f}" cy="{:.1f}" r="3" fill="{}"><title>{} at {:g}: {:.4g}</title></circle>'
                    ).format(x(a), y(b), colour, line.label, a, b)
                )
        parts.append(
            Markup(
                '<rect x="{}" y="8" width="12" height="4" fill="{}"/><text x="{}" y="14" class="label">{}</text>'
            ).format(left + 110 * i, colour, left + 110 * i + 16, line.label[:14])
        )
    return _svg("curve", height, parts, f"{y_label} against {x_label}")


def scatter(
    x_values: Sequence[float], y_values: Sequence[float], labels: Sequence[str] | None, *, x_label: str, y_label: str
) -> Markup:
    """Points, thinned evenly to :data:`MAX_POINTS`; each point's title names its label."""
    top, bottom, left = 16, 44, 60
    height = 300
    stride = max(1, math.ceil(len(x_values) / MAX_POINTS))
    x = _Scale(list(x_values), left, WIDTH - 20, pad=0.03)
    y = _Scale(list(y_values), height - bottom, top)
    parts = [_x_axis(x, height - bottom, x_label), _y_axis(y, left, y_label, top, height - bottom)]
    for i in range(0, len(x_values), stride):
        name = labels[i] if labels is not None and i < len(labels) else f"#{i}"
        parts.append(
            Markup(
                '<circle class="mark" cx="{:.1f}" cy="{:.1f}" r="2.5" fill="#0969da" fill-opacity="0.55">'
                "<title>{}: ({:.4g}, {:.4g})</title></circle>"
            ).format(x(x_values[i]), y(y_values[i]), name, x_values[i], y_values[i])
        )
    return _svg("scatter", height, parts, f"{y_label} against {x_label}")


def histogram(draws: Sequence[float], found: float, *, x_label: str) -> Markup:
    """The distribution over random draws as bars, the found units' effect as a red line."""
    top, bottom, left = 24, 44, 60
    height = 240
    x = _Scale([*draws, found], left, WIDTH - 20)
    bins = max(5, min(30, round(math.sqrt(len(draws)))))
    width = (x.high - x.low) / bins
    counts = [0] * bins
    for value in draws:
        counts[min(bins - 1, int((value - x.low) / width))] += 1
    y = _Scale([0.0, float(max(counts))], height - bottom, top, pad=0.0)
    parts = [_x_axis(x, height - bottom, x_label), _y_axis(y, left, "random draws", top, height - bottom)]
    for i, count in enumerate(counts):
        if count:
            low = x.low + i * width
            parts.append(
                Markup(
                    '<rect class="mark" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="#8c959f">'
                    "<title>{} draws in [{:.4g}, {:.4g})</title></rect>"
                ).format(
                    x(low) + 1,
                    y(count),
                    max(1.0, x(low + width) - x(low) - 2),
                    y(0) - y(count),
                    count,
                    low,
                    low + width,
                )
            )
    parts.append(
        Markup(
            '<line class="mark found" x1="{0:.1f}" x2="{0:.1f}" y1="{1}" y2="{2}" stroke="#cf222e" stroke-width="3">'
            "<title>units found: {3:.4g}</title></line>"
        ).format(x(found), top - 6, height - bottom, found)
    )
    parts.append(
        Markup('<text x="{:.1f}" y="{}" class="label" fill="#cf222e">found</text>').format(x(found) + 4, top + 2)
    )
    return _svg("ablation", height, parts, f"{x_label}: units found against random draws")


def _svg(kind: str, height: float, parts: Sequence[Markup], description: str) -> Markup:
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="plot plot-{}" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" aria-label="{}">{}</svg>'
    ).format(kind, WIDTH, int(height), WIDTH, int(height), description, Markup("").join(parts))


def _x_axis(x: _Scale, y: float, label: str, named: Sequence[tuple[float, str]] | None = None) -> Markup:
    shown = named if named is not None else [(t, f"{_round(t):g}") for t in x.ticks()]
    ticks = Markup("").join(
        Markup(
            '<line x1="{0:.1f}" x2="{0:.1f}" y1="{1}" y2="{2}" class="axis"/><text x="{0:.1f}" y="{3}" class="tick" '
            'text-anchor="middle">{4}</text>'
        ).format(x(t), y, y + 4, y + 16, name if len(name) <= 16 else name[:15] + "…")
        for t, name in shown
    )
    return Markup(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="axis"/>{}<text x="{}" y="{}" class="label" '
        'text-anchor="middle">{}</text>'
    ).format(x.start, x.end, y, y, ticks, (x.start + x.end) / 2, y + 34, label)


def _y_axis(y: _Scale, x: float, label: str, top: float, bottom: float) -> Markup:
    ticks = Markup("").join(
        Markup(
            '<line x1="{0}" x2="{1}" y1="{2:.1f}" y2="{2:.1f}" class="axis"/><text x="{3}" y="{4:.1f}" class="tick" '
            'text-anchor="end">{5:g}</text>'
        ).format(x - 4, x, y(t), x - 6, y(t) + 4, _round(t))
        for t in y.ticks()
    )
    middle = (top + bottom) / 2
    return Markup(
        '<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" class="axis"/>{3}<text x="14" y="{4}" class="label" '
        'text-anchor="middle" transform="rotate(-90 14 {4})">{5}</text>'
    ).format(x, top, bottom, ticks, middle, label)


def _line(x1: float, y1: float, x2: float, y2: float, css: str) -> Markup:
    return Markup('<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" class="{}"/>').format(x1, y1, x2, y2, css)


def _points(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{a:.1f},{b:.1f}" for a, b in points)


def _segments(x_values: Sequence[float], y_values: Sequence[float | None]) -> list[list[tuple[float, float]]]:
    """Runs of measured points; a ``None`` breaks the line rather than bridging the gap."""
    segments: list[list[tuple[float, float]]] = [[]]
    for a, b in zip(x_values, y_values, strict=False):
        if b is None:
            segments.append([])
        else:
            segments[-1].append((a, b))
    return [s for s in segments if s]


def _diverging(fraction: float) -> str:
    """Blue (-1) through white (0) to red (+1)."""
    f = max(-1.0, min(1.0, fraction))
    end = (207, 34, 46) if f >= 0 else (9, 105, 218)
    r, g, b = (round(255 + (c - 255) * abs(f)) for c in end)
    return f"#{r:02x}{g:02x}{b:02x}"


def _round(value: float) -> float:
    """Tick values without float noise (0.30000000000000004 -> 0.3)."""
    return float(f"{value:.6g}")
