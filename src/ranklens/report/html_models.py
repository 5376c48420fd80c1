"""Several models side by side: one page drawn from their reports alone.

``ranklens run --model a --model b`` writes it beside the per-model reports, and ``ranklens
models A.json B.json`` draws it from reports already written. Top to bottom: the models (id,
fingerprint, run status) and a banner when their runs are not comparable (seed, sample size or
case source differ); one row per check with each model's verdict and effect [interval]; where
each model's head claims found their heads (a layer x head grid per model); each model's IDF
direction and relevance neurons in one line each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from ranklens.report import svg
from ranklens.report.html import page
from ranklens.report.html_cards import effect_text, label, scalar
from ranklens.verdicts import CheckResult, Kind

Named = tuple[str, Mapping[str, Any]]
"""A report with the name the page gives its model."""
_KIND_ORDER = (Kind.INVARIANT, Kind.AXIOM, Kind.CLAIM)


def model_names(reports: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each report's model id, numbered where two reports test models of the same id."""
    ids = [str((r.get("model") or {}).get("id") or "unknown model") for r in reports]
    counts = Counter(ids)
    return [f"{name} #{ids[: i + 1].count(name)}" if counts[name] > 1 else name for i, name in enumerate(ids)]


def render_models(reports: Sequence[Mapping[str, Any]]) -> str:
    named = list(zip(model_names(reports), reports, strict=True))
    checks = [{label(c): c for c in map(CheckResult.from_dict, report["checks"])} for _, report in named]
    body = [
        Markup("<header><h1>ranklens: {} models side by side</h1></header>").format(len(named)),
        _comparability(named),
        _models(named),
        _grid(named, checks),
        _heads(named, checks),
        _summaries(named, checks),
    ]
    return page(f"ranklens: {', '.join(name for name, _ in named)}", body)


def _comparability(named: Sequence[Named]) -> Markup:
    """A banner naming what differs between the runs: their verdicts are then not on equal terms."""
    facts = [(r.get("seed"), r.get("sample_size"), (r.get("case_source") or {}).get("sha256")) for _, r in named]
    differing = [
        what for i, what in enumerate(("seed", "sample size", "case source")) if len({f[i] for f in facts}) > 1
    ]
    if not differing:
        return Markup("")
    return Markup('<div class="banner partial"><strong>Not measured alike:</strong> {} differ between the runs; '
                  "compare verdicts, not effects.</div>").format(", ".join(differing))  # fmt: skip


def _models(named: Sequence[Named]) -> Markup:
    rows = Markup("").join(
        Markup("<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>").format(
            name,
            str((report.get("model") or {}).get("fingerprint") or "—")[:19],
            report.get("status", "—"),
            (report.get("case_source") or {}).get("name", "builtin"),
            report.get("created", "—"),
        )
        for name, report in named
    )
    return Markup(
        '<section id="models"><h2>Models</h2><table><thead><tr><th>model</th><th>fingerprint</th>'
        "<th>run</th><th>cases</th><th>created</th></tr></thead><tbody>{}</tbody></table></section>"
    ).format(rows)


def _grid(named: Sequence[Named], checks: Sequence[Mapping[str, CheckResult]]) -> Markup:
    """One row per check, one column per model: the verdict and the effect [interval]."""
    every = {key: record for by_label in checks for key, record in by_label.items()}
    order = sorted(every, key=lambda key: (_KIND_ORDER.index(every[key].kind), key))
    head = Markup("").join(Markup("<th>{}</th>").format(name) for name, _ in named)
    rows = Markup("").join(
        Markup("<tr><td>{}</td><td>{}</td>{}</tr>").format(key, every[key].kind, _cells(key, checks)) for key in order
    )
    return Markup(
        '<section id="checks"><h2>Checks</h2><table class="models"><thead><tr><th>check</th><th>kind</th>{}</tr>'
        "</thead><tbody>{}</tbody></table></section>"
    ).format(head, rows or Markup('<tr><td colspan="2">No checks in these reports.</td></tr>'))


def _cells(key: str, checks: Sequence[Mapping[str, CheckResult]]) -> Markup:
    cells = []
    for by_label in checks:
        record = by_label.get(key)
        if record is None:
            cells.append(Markup('<td class="muted">not run</td>'))
            continue
        cells.append(
            Markup('<td><span class="badge {}" title="{}">{}</span> <span class="num">{}</span></td>').format(
                record.verdict, record.message, record.verdict, effect_text(record)
            )
        )
    return Markup("").join(cells)


def _heads(named: Sequence[Named], checks: Sequence[Mapping[str, CheckResult]]) -> Markup:
    """For each head claim, each model's layer x head recovery grid, the heads it found outlined."""
    claims = sorted({key for by_label in checks for key, c in by_label.items() if _grid_of(c) is not None})
    sections = []
    for claim in claims:
        figures = []
        for (name, _), by_label in zip(named, checks, strict=True):
            record = by_label.get(claim)
            grid = None if record is None else _grid_of(record)
            if record is None or grid is None:
                figures.append(Markup("<figure><figcaption>{}: not measured</figcaption></figure>").format(name))
                continue
            found = {(int(layer), int(head)) for layer, head in record.details.get("heads_found") or ()}
            listed = ", ".join(f"L{layer}H{head}" for layer, head in sorted(found)) or "none"
            figures.append(
                Markup("<figure>{}<figcaption>{} ({}): heads found {}</figcaption></figure>").format(
                    svg.heatmap(grid, outlined=found, label="patching recovery"), name, record.verdict, listed
                )
            )
        sections.append(Markup('<h3>{}</h3><div class="columns">{}</div>').format(claim, Markup("").join(figures)))
    if not sections:
        return Markup("")
    return Markup('<section id="heads"><h2>Where the heads sit</h2>{}</section>').format(Markup("").join(sections))


def _grid_of(record: CheckResult) -> list[list[float | None]] | None:
    grid = (record.details or {}).get("head_recovery")
    if not isinstance(grid, list) or not grid or not all(isinstance(row, list) for row in grid):
        return None
    return [[float(v) if isinstance(v, (int, float)) else None for v in row] for row in grid]


def _summaries(named: Sequence[Named], checks: Sequence[Mapping[str, CheckResult]]) -> Markup:
    """The IDF direction and the relevance neurons per model, one line each."""
    rows = []
    for (name, _), by_label in zip(named, checks, strict=True):
        idf, neurons = by_label.get("idf_direction"), by_label.get("relevance_neurons")
        rows.append(
            Markup("<tr><td>{}</td>{}<td>{}</td>{}<td>{}</td></tr>").format(
                name, _verdict_cell(idf), _idf_facts(idf), _verdict_cell(neurons), _neuron_facts(neurons)
            )
        )
    return Markup(
        '<section id="summaries"><h2>IDF direction and relevance neurons</h2><table><thead><tr><th>model</th>'
        "<th>idf_direction</th><th>what was found</th><th>relevance_neurons</th><th>what was found</th></tr>"
        "</thead><tbody>{}</tbody></table></section>"
    ).format(Markup("").join(rows))


def _verdict_cell(record: CheckResult | None) -> Markup:
    if record is None:
        return Markup('<td class="muted">not run</td>')
    return Markup('<td><span class="badge {}">{}</span> <span class="num">{}</span></td>').format(
        record.verdict, record.verdict, effect_text(record)
    )


def _idf_facts(record: CheckResult | None) -> str:
    details = {} if record is None else record.details or {}
    if "component" not in details:
        return "—"
    return f"component {scalar(details.get('component'))}, Spearman with IDF {scalar(details.get('spearman'))}"


def _neuron_facts(record: CheckResult | None) -> str:
    found = [] if record is None else (record.details or {}).get("neurons_found") or []
    if not found:
        return "—" if record is None else record.message[:160]
    layers = Counter(int(layer) for layer, _ in found)
    return f"{len(found)} neurons: " + ", ".join(f"{n} in layer {layer}" for layer, n in sorted(layers.items()))
