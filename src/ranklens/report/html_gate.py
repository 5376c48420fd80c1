"""The HTML report's gate section, drawn from the report's ``gate`` field (schema 1.3) alone.

The gate wrote its decision into the JSON; this module only shows it: the headline, the
failures, then the comparison as a table (regressions first, unchanged checks folded away) and
the notes. It never re-applies the rule, so the page and the run's exit status cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

_HEAD = Markup(
    "<thead><tr><th>status</th><th>check</th><th>verdict</th><th>effect: baseline → new</th>"
    "<th>shift [95% CI]</th><th>tolerance</th><th>why</th></tr></thead>"
)


def gate_section(gate: Mapping[str, Any]) -> Markup:
    """The gate's comparison with the baseline, as ``report["gate"]`` records it."""
    checks = gate["checks"]
    flagged = Markup("").join(_row(c) for c in checks if c["status"] != "unchanged")
    unchanged = [c for c in checks if c["status"] == "unchanged"]
    quiet = Markup("").join(_row(c) for c in unchanged)
    failures = Markup("").join(Markup('<li class="failure">{}</li>').format(f) for f in gate["failures"])
    notes = Markup("").join(Markup("<li>{}</li>").format(note) for note in gate["notes"])
    return Markup(
        '<section id="gate"><h2>Against the baseline</h2><p>{} (baseline: <code>{}</code>)</p>{}'
        '<table class="gate">{}<tbody>{}</tbody></table>{}{}</section>'
    ).format(
        gate["headline"],
        gate["baseline"],
        Markup('<ul class="failures">{}</ul>').format(failures) if failures else Markup(""),
        _HEAD,
        flagged,
        Markup(
            '<details><summary>{} unchanged checks</summary><table class="gate">{}<tbody>{}</tbody></table></details>'
        ).format(len(unchanged), _HEAD, quiet)
        if unchanged
        else Markup(""),
        Markup('<ul class="notes">{}</ul>').format(notes) if notes else Markup(""),
    )


def _row(check: Mapping[str, Any]) -> Markup:
    base, new, shift = check["baseline"], check["new"], check["shift"]
    how = "" if shift is None else (f"paired over {shift['n']} cases" if shift["paired"] else "unpaired")
    tolerance = check["tolerance"]
    return Markup(
        '<tr><td><span class="badge {0}">{0}</span></td><td>{1}</td><td>{2} → {3}</td><td class="num">{4}: {5} → {6}'
        '</td><td class="num">{7}<br><span class="muted">{8}</span></td><td class="num">{9}</td><td>{10}</td></tr>'
    ).format(
        check["status"],
        check["check"],
        "—" if base is None else base["verdict"],
        "—" if new is None else new["verdict"],
        check["effect_name"],
        _effect(base),
        _effect(new),
        "" if shift is None else f"{shift['value']:+.4g} [{shift['ci_low']:+.3g}, {shift['ci_high']:+.3g}]",
        how,
        f"{tolerance['value']:g} ({tolerance['source']})",
        "; ".join(check["reasons"]),
    )


def _effect(side: Mapping[str, Any] | None) -> str:
    """``value [ci_low, ci_high]`` of one run's effect; a dash where it is undefined (null in JSON)."""
    effect = None if side is None else side["effect"]
    if effect is None or any(effect[k] is None for k in ("value", "ci_low", "ci_high")):
        return "—"
    return f"{effect['value']:.4g} [{effect['ci_low']:.3g}, {effect['ci_high']:.3g}]"
