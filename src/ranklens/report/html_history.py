"""A reranker across releases: each check's effect with its interval, release by release.

``ranklens history reports/v1 reports/v2 ...`` gates each release against the one before and
draws this page from those gate records alone (``gate`` fields, plain JSON): each side of a
record carries a check's verdict and effect [interval], so consecutive records give every
release's effect, and each record's status says what the gate decided at that step. One small
plot per check (the effect, its interval as a band), with the gate's status per step beneath.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from ranklens.report import svg
from ranklens.report.html import page

Side = Mapping[str, Any]


def render_history(releases: Sequence[str], steps: Sequence[Mapping[str, Any]]) -> str:
    """``steps[i]`` is the gate record of ``releases[i + 1]`` against ``releases[i]``."""
    if len(steps) != len(releases) - 1 or not steps:
        raise ValueError(f"{len(releases)} releases need {len(releases) - 1} gate records, got {len(steps)}")
    keys = sorted({row["check"] for step in steps for row in step["checks"]})
    body = [
        Markup('<header><h1>ranklens: {} releases</h1><p class="muted">{}</p></header>').format(
            len(releases), " → ".join(f"{i + 1} = {name}" for i, name in enumerate(releases))
        ),
        _steps(releases, steps),
        Markup('<section id="history"><h2>Effects by release</h2><div class="columns">{}</div></section>').format(
            Markup("").join(_check(key, releases, steps) for key in keys)
        ),
    ]
    return page(f"ranklens history: {releases[0]} … {releases[-1]}", body)


def _steps(releases: Sequence[str], steps: Sequence[Mapping[str, Any]]) -> Markup:
    rows = Markup("").join(
        Markup('<tr><td>{} → {}</td><td><span class="badge {}">{}</span></td><td>{}</td></tr>').format(
            releases[i],
            releases[i + 1],
            "regressed" if step["decision"] == "failed" else "unchanged",
            step["decision"],
            step["headline"],
        )
        for i, step in enumerate(steps)
    )
    return Markup(
        '<section id="gates"><h2>The gate, release by release</h2><table><thead><tr><th>step</th>'
        "<th>gate</th><th>what it found</th></tr></thead><tbody>{}</tbody></table></section>"
    ).format(rows)


def _check(key: str, releases: Sequence[str], steps: Sequence[Mapping[str, Any]]) -> Markup:
    rows = [{row["check"]: row for row in step["checks"]}.get(key) for step in steps]
    sides: list[Side | None] = [rows[0]["baseline"] if rows[0] else None]
    sides += [row["new"] if row else None for row in rows]
    effects = [_effect(side) for side in sides]
    name = next((row["effect_name"] for row in rows if row), "effect")
    x = [float(i + 1) for i in range(len(releases))]
    if any(e is not None for e in effects):
        series = svg.Series(
            name,
            [e[0] if e else None for e in effects],
            [e[1] if e else None for e in effects],
            [e[2] if e else None for e in effects],
        )
        plot = svg.curves(x, [series], x_label="release", y_label=name, x_names=[str(i) for i in range(1, len(x) + 1)])
    else:
        plot = Markup('<p class="unusable">no release has a defined effect</p>')
    statuses = Markup(" ").join(
        Markup('<span class="badge {}" title="{} → {}">{}</span>').format(
            row["status"] if row else "missing", releases[i], releases[i + 1], row["status"] if row else "absent"
        )
        for i, row in enumerate(rows)
    )
    return Markup("<figure>{}<figcaption><strong>{}</strong> · {}</figcaption></figure>").format(plot, key, statuses)


def _effect(side: Side | None) -> tuple[float, float, float] | None:
    if side is None:
        return None
    effect = side["effect"]
    values = (effect.get("value"), effect.get("ci_low"), effect.get("ci_high"))
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
        return None
    return (float(values[0]), float(values[1]), float(values[2]))
