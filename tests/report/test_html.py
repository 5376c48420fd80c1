"""The HTML report as text: self-contained, escaped, every view drawn from its details key, and
graceful where data is missing or unusable. (tests/report/browser/ opens it in Chromium.)"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ranklens.cli import main
from ranklens.report import MissingCheck, Report, RunStatus, plain, read_report, write_report
from ranklens.report.html import CSP, render_html
from ranklens.verdicts import CheckResult, Effect, Kind, Verdict

VIEWS = {
    "forest": "plot-forest",
    "head_recovery": "plot-heatmap",
    "tf_curve": 'class="view-tf_curve"><svg',
    "length_curve": 'class="view-length_curve"><svg',
    "idf_scatter": "plot-scatter",
    "ablation": "plot-ablation",
}


@pytest.fixture(scope="module")
def page(synthetic_html: Path) -> str:
    return synthetic_html.read_text()


def test_no_string_from_the_data_reaches_the_page_as_markup(page: str, injection: str) -> None:
    raw, escaped = page.count("<script"), page.count("&lt;script&gt;")
    assert (raw, escaped >= 5) == (0, True), f"{raw} raw <script> tags, {escaped} escaped ones"


def test_the_page_fetches_nothing(page: str) -> None:
    """The only URL is the SVG namespace, which is a name, not a fetch."""
    urls = set(re.findall(r"(?:https?:)?//[\w.-]+[^\s\"'<>)]*", page)) - {"http://www.w3.org/2000/svg"}
    loads = re.findall(r"<(?:link|script|img|iframe)\b|@import|url\(|\bsrc=", page)
    assert (urls, loads) == (set(), []), f"external references {urls}, loading constructs {loads}"


def test_the_page_forbids_scripts_and_network_through_its_csp(page: str) -> None:
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page.replace("&#39;", "'"), CSP


@pytest.mark.parametrize(("view", "marker"), VIEWS.items())
def test_each_view_is_drawn_from_its_data(page: str, view: str, marker: str) -> None:
    assert marker in page, f"the {view} view ({marker!r}) is missing from the page"


def test_unusable_view_data_is_reported_in_place_of_the_plot(page: str) -> None:
    notes = re.findall(r'<p class="unusable">(.*?)</p>', page)
    assert len(notes) == 2 and "got 2 and 1" in notes[1], notes


def test_the_selected_heads_are_outlined_on_the_heatmap(page: str) -> None:
    outlined = re.findall(r'stroke="#1f2328" stroke-width="2.5"><title>(L\dH\d)', page)
    assert outlined == ["L2H3", "L3H1"], outlined


def test_counterexamples_are_shown_as_text(page: str) -> None:
    assert "<li><pre>query: &#39;cats &lt;script&gt;" in page, "TFC2's counterexample is missing"


def test_the_comparison_lists_regressions_before_unchanged_checks(page: str) -> None:
    gate = page[page.index('id="gate"') : page.index('id="summary"')]
    order = re.findall(r'class="badge (regressed|unchanged|improved)"', gate)
    assert order[:3] == ["regressed"] * 3 and set(order[3:]) == {"unchanged"}, order


def test_the_comparison_says_failed_and_lists_the_failures_before_its_table(page: str) -> None:
    gate = page[page.index('id="gate"') : page.index('id="summary"')]
    failures = re.findall(r'<li class="failure">(.*?)</li>', gate)
    first = gate.index('class="failures"') < gate.index('<table class="gate"') if failures else False
    assert ("ranklens gate: FAILED" in gate, len(failures), first) == (True, 3, True), gate[:2000]


def test_ranklens_render_draws_the_gate_section_from_a_gated_json_alone(
    hostile_gate_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No baseline and no comparison object: the page shows what the report's ``gate`` field says,
    and a check id, failure message or baseline path carrying markup reaches it as text."""
    code = main(["render", str(hostile_gate_path), "-o", str(tmp_path / "r.html")])
    page = (tmp_path / "r.html").read_text()
    gate = page[page.index('<section id="gate"') : page.index('<section id="summary"')]
    escaped = "TFC1 &lt;script&gt;document.title=&#39;pwned&#39;"
    found = (
        code,
        "ranklens gate: FAILED: 1 regressed, 1 missing" in gate,
        re.findall(r'<span class="badge (\w+)">', gate),
        len(re.findall(r'<li class="failure">[^<]*&lt;script&gt;', gate)),
        f"<td>{escaped}" in gate,
        "<code>b &lt;script&gt;" in gate,
        "<script" in page,
    )
    assert found == (0, True, ["regressed", "missing"], 2, True, True, False), (capsys.readouterr(), gate)


def test_a_schema_1_2_report_still_reads_and_renders_without_a_gate_section(tmp_path: Path) -> None:
    check = CheckResult("window_fit", Kind.INVARIANT, Verdict.PASS, 4, Effect("rate", 0.0, 0.0, 0.6), {})
    data = plain(Report({"id": "m"}, {}, 0, None, [check]).to_dict())
    path = tmp_path / "old.json"
    path.write_text(json.dumps({**data, "schema_version": "1.2"}))
    html = render_html(read_report(path))
    assert ("schema 1.2" in html, 'id="gate"' in html, "window_fit" in html) == (True, False, True), html[:2000]


def test_a_report_without_axioms_or_details_says_so_instead_of_drawing_empty_plots(tmp_path: Path) -> None:
    check = CheckResult("window_fit", Kind.INVARIANT, Verdict.PASS, 4, Effect("rate", 0.0, 0.0, 0.6), {})
    html = render_html(read_report(write_report(Report({"id": "m"}, {}, 0, None, [check]), tmp_path / "r.json")))
    found = ("<svg" in html, "No axiom with a defined effect" in html, "No check has details" in html)
    assert found == (False, True, True), found


def test_ranklens_render_writes_the_page_and_says_where(
    full_report_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "review.html"
    code = main(["render", str(full_report_path), "-o", str(out)])
    said = capsys.readouterr().out
    assert (code, f"HTML report written to {out}" in said, out.exists()) == (0, True, True), said


def test_ranklens_render_with_a_baseline_includes_the_comparison(
    full_report_path: Path, baseline_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["render", str(full_report_path), "--baseline", str(baseline_path)])
    html = full_report_path.with_suffix(".html").read_text()
    assert (code, "Against the baseline" in html, "3 regressed" in html) == (0, True, True), capsys.readouterr()


def test_an_incomplete_run_shows_a_banner_with_its_reason_and_missing_checks(tmp_path: Path, injection: str) -> None:
    missing = MissingCheck("axioms/test_tf.py::test_tfc2", "TFC2", f"not run {injection}")
    report = Report(
        {"id": "m"},
        {},
        0,
        None,
        [],
        status=RunStatus.INTERRUPTED,
        status_reason=f"stopped {injection}",
        missing=[missing],
    )
    html = render_html(read_report(write_report(report, tmp_path / "r.json")))
    banner = html[html.index('<section id="status"') : html.index("</section>", html.index('<section id="status"'))]
    found = ("interrupted" in banner, "stopped &lt;script&gt;" in banner, "TFC2" in banner, "<script" in html)
    assert found == (True, True, True, False), banner


def test_a_complete_run_has_no_incomplete_banner(full_report_path: Path) -> None:
    html = render_html(read_report(full_report_path))
    assert '<section id="status"' not in html, "a complete report must not carry the incomplete-run banner"


def test_ranklens_render_refuses_to_overwrite_its_json_input(
    full_report_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = full_report_path.read_bytes()
    code = main(["render", str(full_report_path), "-o", str(full_report_path.parent / "." / full_report_path.name)])
    err = capsys.readouterr().err
    assert (code, "choose an .html path" in err, full_report_path.read_bytes() == before) == (2, True, True), err


def test_ranklens_render_refuses_to_overwrite_the_baseline(
    full_report_path: Path, baseline_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = baseline_path.read_bytes()
    code = main(["render", str(full_report_path), "--baseline", str(baseline_path), "-o", str(baseline_path)])
    err = capsys.readouterr().err
    assert (code, "choose an .html path" in err, baseline_path.read_bytes() == before) == (2, True, True), err


@pytest.mark.parametrize(
    ("target", "words"),
    [("existing-directory", "is a directory"), ("a-file/review.html", "is not a directory")],
)
def test_ranklens_render_finds_an_unwritable_output_before_rendering(
    full_report_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    target: str,
    words: str,
) -> None:
    (tmp_path / "existing-directory").mkdir()
    (tmp_path / "a-file").write_text("not a directory")
    rendered: list[object] = []
    monkeypatch.setattr("ranklens.report.html.render_html", lambda *a, **k: rendered.append(a) or "")
    code = main(["render", str(full_report_path), "-o", str(tmp_path / target)])
    err = capsys.readouterr().err
    assert (code, words in err, rendered) == (2, True, []), f"exit {code}, rendered {len(rendered)}: {err}"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any directory")
def test_ranklens_render_finds_a_directory_without_write_permission_before_rendering(
    full_report_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code = main(["render", str(full_report_path), "-o", str(locked / "new" / "review.html")])
    err = capsys.readouterr().err
    assert (code, "no permission to write" in err) == (2, True), f"exit {code}: {err}"


def test_ranklens_render_of_a_file_that_is_not_utf8_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b"\xff\xfe{\x00}\x00")
    code = main(["render", str(path)])
    err = capsys.readouterr().err
    assert (code, f"{str(path)!r} is not UTF-8 text" in err) == (2, True), f"exit {code}: {err}"


def test_ranklens_run_writes_json_and_html_and_says_where(tmp_path: Path, tiny_checkpoint: Callable[..., Path]) -> None:
    out = tmp_path / "run"
    command = [sys.executable, "-m", "ranklens.cli", "run", "--model", str(tiny_checkpoint("bert")), "--out", str(out)]
    command += ["--suite", "invariants", "--sample-size", "40"]
    completed = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
    said = f"JSON report: {out / 'report.json'}\nHTML report: {out / 'report.html'}"
    assert (completed.returncode, said in completed.stdout) == (0, True), (
        completed.stdout[-2000:] + completed.stderr[-2000:]
    )


def test_the_page_says_where_the_cases_came_from_escaped(tmp_path: Path, injection: str) -> None:
    check = CheckResult("TFC1", Kind.AXIOM, Verdict.PASS, 10, Effect("net preference", 0.5, 0.3, 0.7), {})
    source = {"name": injection, "format": "jsonl", "sha256": "ab" * 32, "counts": {"passages": 7}, "notes": ["n"]}
    report = Report({"id": "m"}, {}, 0, None, [check], case_source=source)
    html = render_html(read_report(write_report(report, tmp_path / "r.json")))
    cases = html[html.index("<h3>Cases</h3>") :]
    assert "&lt;script&gt;" in cases and "<script" not in html and "jsonl" in cases and "passages" in cases
    legacy = render_html(read_report(write_report(Report({"id": "m"}, {}, 0, None, [check]), tmp_path / "old.json")))
    assert "the built-in corpus (not recorded before schema 1.4)" in legacy
