"""``ranklens``: run the suites from an installed package, gate and render reports, manage fixtures.

    ranklens run --model ./my-reranker --out reports/my-reranker [--baseline BASE.json]
    ranklens compare BASE.json NEW.json     ranklens render report.json -o report.html
    ranklens fixtures build [NAME ...]      ranklens fixtures list      ranklens fixtures path NAME
    ranklens summary A.json B.json [--table checks|cases|heads|neurons] [--csv F] [--parquet F]
    ranklens run --model a --model b --out DIR    ranklens models A.json B.json -o models.html
    ranklens history reports/v1 reports/v2 reports/v3 -o history.html

Exit status: pytest's for ``run`` (1 when the gate against ``--baseline`` failed); for
``compare`` 0 when the gate passes, 1 when it fails (a regression, a missing check, an incomplete
candidate: the rule is in :mod:`ranklens.gate.compare`), 2 on bad input; 0 on success and 2 on bad
input otherwise. The CLI and the plugin share one option table (:mod:`ranklens.plugin.options`); the
CLI drops the ``--ranklens-`` prefix.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ranklens.cli.views import refuse_overwriting_inputs
from ranklens.errors import RanklensError
from ranklens.plugin.options import OPTIONS, Settings, listed_models
from ranklens.resources import SUITES

if TYPE_CHECKING:
    from ranklens.gate import GateConfig

EXIT_REGRESSION = 1
"""``ranklens compare``: the gate failed (a regression, a missing check, an incomplete candidate)."""
EXIT_BAD_INPUT = 2
EXIT_PYTEST_USAGE = 4


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    ours, passthrough = (words[: words.index("--")], words[words.index("--") + 1 :]) if "--" in words else (words, [])
    parser = _parser()
    args = parser.parse_args(ours)  # an unknown flag is an error here (exit 2), not a pytest usage error
    if passthrough and args.command != "run":
        parser.error(f"only `ranklens run` passes arguments after -- on (to pytest): {' '.join(passthrough)}")
    try:
        return int(args.handler(args, passthrough))
    except RanklensError as error:
        print(f"ranklens: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ranklens", description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run",
        help="run the suites on a model and write the report",
        epilog="Arguments after -- go to pytest unchanged (e.g. -- -n 2 -k TFC1).",
    )
    for option in OPTIONS:
        kwargs = option.argparse_kwargs()
        if option.dest == "ranklens_model":
            kwargs["help"] = (
                "Cross-encoder to test: a Hugging Face id or a local directory (default: $RANKLENS_MODEL, else the "
                "embedded default model). Repeat it to test several models, one process each: OUT/NAME/report.json "
                "per model and OUT/models.html side by side."
            )
        run.add_argument(option.cli_flag, **kwargs)
    run.add_argument(
        "--out",
        type=Path,
        default=Path("reports") / "latest",
        help="report directory: report.json and report.html (--json and --html override each)",
    )
    run.add_argument(
        "--ray",
        nargs="?",
        const="local",
        metavar="ADDRESS",
        help="run each (model, suite) job on a Ray cluster (a local one without ADDRESS); needs ranklens[ray]",
    )
    run.add_argument(
        "--suite",
        action="append",
        choices=SUITES,
        help="suite to run (repeatable; default: all)",
    )
    run.set_defaults(handler=_run)

    compare = commands.add_parser(
        "compare",
        help="gate a report against a baseline: a table on stdout; exit 0 passed, 1 gate failed "
        "(regression, missing checks, incomplete run), 2 bad input",
    )
    compare.add_argument("baseline", type=Path, metavar="BASE.json")
    compare.add_argument("new", type=Path, metavar="NEW.json")
    _gate_arguments(compare)
    compare.set_defaults(handler=_compare)

    render = commands.add_parser("render", help="render a report.json as one self-contained HTML file")
    render.add_argument("report", type=Path, metavar="REPORT.json")
    render.add_argument("-o", "--output", type=Path, help="the HTML file (default: REPORT.html beside the JSON)")
    render.add_argument(
        "--baseline",
        type=Path,
        metavar="BASE.json",
        help="gate the report against it and show that comparison (a gated report's JSON already holds its own)",
    )
    _gate_arguments(render)
    render.set_defaults(handler=_render)

    summary = commands.add_parser(
        "summary",
        help="the checks (or cases, heads, neurons) of one or more reports as one table: "
        "print it, or write it with --csv / --parquet",
    )
    summary.add_argument("reports", nargs="+", type=Path, metavar="REPORT.json")
    summary.add_argument(
        "--table", default="checks", help="checks (default: one row per model x check), cases, heads or neurons"
    )
    summary.add_argument("--csv", type=Path, metavar="FILE", help="write the table as CSV")
    summary.add_argument("--parquet", type=Path, metavar="FILE", help="write the table as Parquet (needs pyarrow)")
    summary.set_defaults(handler=_summary)

    models = commands.add_parser("models", help="several models' reports side by side as one HTML page")
    models.add_argument("reports", nargs="+", type=Path, metavar="REPORT", help="report.json files or run folders")
    models.add_argument("-o", "--output", type=Path, default=Path("models.html"), help="default: models.html")
    models.set_defaults(handler=_models)

    history = commands.add_parser(
        "history", help="each check's effect across releases (oldest first), with the gate between consecutive ones"
    )
    history.add_argument("reports", nargs="+", type=Path, metavar="REPORT", help="report.json files or run folders")
    history.add_argument("-o", "--output", type=Path, default=Path("history.html"), help="default: history.html")
    _gate_arguments(history)
    history.set_defaults(handler=_history)

    fixtures = commands.add_parser("fixtures", help="build and locate the fixture models")
    actions = fixtures.add_subparsers(dest="action", required=True)
    build = actions.add_parser("build", help="build fixture models (default: all) into the cache")
    build.add_argument("names", nargs="*", metavar="NAME")
    build.set_defaults(handler=_fixtures_build)
    listing = actions.add_parser("list", help="list fixture models and whether they are built")
    listing.set_defaults(handler=_fixtures_list)
    path = actions.add_parser("path", help="print a fixture's directory (usable as --model); builds it if needed")
    path.add_argument("name", metavar="NAME")
    path.set_defaults(handler=_fixtures_path)
    return parser


def _gate_arguments(parser: argparse.ArgumentParser) -> None:
    """The gate options of the shared table, for the commands that gate outside pytest."""
    for option in OPTIONS:
        if option.dest in ("ranklens_allow_mismatch", "ranklens_allow_missing", "ranklens_config"):
            parser.add_argument(option.cli_flag, **option.argparse_kwargs())


def _run(args: argparse.Namespace, passthrough: list[str]) -> int:
    """The product suites under pytest, with the report in ``--out``; pytest's exit status, except
    that a usage error (a bad option, a model that does not load) is 2 like every CLI input error."""
    import pytest

    from ranklens.resources import suite_paths, suites_root

    try:
        listed = [] if args.ranklens_models is None else listed_models(args.ranklens_models)
    except ValueError as error:
        raise RanklensError(str(error)) from error
    args.ranklens_model, args.ranklens_models = [*(args.ranklens_model or []), *listed] or None, None
    if args.ray is not None:
        from ranklens.cli.cluster import run_on_ray

        return run_on_ray(args, _forwarded(args, gate=False), passthrough)
    models = args.ranklens_model or [None]
    if len(models) > 1:
        from ranklens.cli.many import run_many

        return run_many(args, _forwarded(args), passthrough)
    args.ranklens_model = models[0]
    out: Path = args.out
    args.ranklens_json = (args.ranklens_json or out / "report.json").resolve()
    args.ranklens_html = (args.ranklens_html or out / "report.html").resolve()
    try:
        Settings.from_values(lambda dest: getattr(args, dest, None))  # a bad value stops here, before pytest
    except ValueError as error:
        raise RanklensError(str(error)) from error
    if args.ranklens_config is None and Path("pyproject.toml").is_file():
        args.ranklens_config = Path("pyproject.toml").resolve()  # the user's project, not the suites' rootdir
    pytest_args = [
        *map(str, suite_paths(tuple(args.suite or SUITES))),
        *("-c", str(Path(__file__).parents[1] / "suites.ini"), "--rootdir", str(suites_root())),
    ]
    for option in OPTIONS:
        value = getattr(args, option.dest, None)
        if value is True:
            pytest_args.append(option.flag)
        elif value is not None and value is not False:
            pytest_args.append(f"{option.flag}={value}")
    code = int(pytest.main([*pytest_args, *passthrough]))
    return EXIT_BAD_INPUT if code == EXIT_PYTEST_USAGE else code


_GATE_DESTS = ("ranklens_baseline", "ranklens_allow_mismatch", "ranklens_allow_missing", "ranklens_config")


def _forwarded(args: argparse.Namespace, *, gate: bool = True) -> list[str]:
    """The options every model's own run takes unchanged (without the gate's where the driver gates)."""
    forwarded = [f"--suite={suite}" for suite in args.suite or ()] if gate else []
    for option in OPTIONS:
        value = getattr(args, option.dest, None)
        skipped = (
            "ranklens_model",
            "ranklens_models",
            "ranklens_json",
            "ranklens_html",
            *(() if gate else _GATE_DESTS),
        )
        if option.dest in skipped or value in (None, False):
            continue
        forwarded.append(option.cli_flag if value is True else f"{option.cli_flag}={value}")
    return forwarded


def _models(args: argparse.Namespace, _: list[str]) -> int:
    from ranklens.cli.views import write_models_page

    print(f"ranklens: {len(args.reports)} models side by side in {write_models_page(args.reports, args.output)}")
    return 0


def _history(args: argparse.Namespace, _: list[str]) -> int:
    from ranklens.cli.views import write_history_page

    for line in write_history_page(args.reports, args.output, _gate_config(args)):
        print(f"ranklens: {line}")
    print(f"ranklens: history written to {args.output}")
    return 0


def _compare(args: argparse.Namespace, _: list[str]) -> int:
    from ranklens.gate import compare_reports, table
    from ranklens.report import read_report

    comparison = compare_reports(read_report(args.baseline), read_report(args.new), _gate_config(args))
    print(table(comparison, baseline=str(args.baseline)))
    return EXIT_REGRESSION if comparison.failed else 0


def _render(args: argparse.Namespace, _: list[str]) -> int:
    """The page of the report as its JSON holds it (with the gate section of a gated run); with
    ``--baseline``, gated against that baseline first, the page showing that comparison instead."""
    from ranklens.report import read_report, require_writable
    from ranklens.report.html import write_html

    report = read_report(args.report)
    output: Path = args.output or args.report.with_suffix(".html")
    refuse_overwriting_inputs(output, [args.report, args.baseline], instead="choose an .html path with -o")
    require_writable(output)
    if args.baseline is not None:
        from ranklens.gate import compare_reports, gate_record

        comparison = compare_reports(read_report(args.baseline), report, _gate_config(args))
        report = {**report, "gate": gate_record(comparison, baseline=str(args.baseline))}
    write_html(report, output)
    print(f"ranklens: HTML report written to {output}")
    return 0


def _summary(args: argparse.Namespace, _: list[str]) -> int:
    """Print the table (the checks: one line each), or write it to the files asked for."""
    from ranklens.report import require_writable, write_atomic
    from ranklens.report.frames import table_of

    outputs = [path for path in (args.csv, args.parquet) if path is not None]
    if args.parquet is not None and not any(importlib.util.find_spec(m) for m in ("pyarrow", "fastparquet")):
        raise RanklensError("--parquet needs a Parquet engine: pip install pyarrow (or use --csv).")
    for output in outputs:
        refuse_overwriting_inputs(output, args.reports, instead="choose another path for --csv or --parquet")
        require_writable(output)
    frame = table_of(args.reports, args.table)
    if args.csv is not None:
        write_atomic(args.csv, frame.to_csv(index=False))
    if args.parquet is not None:
        frame.to_parquet(args.parquet, index=False)
    for output in outputs:
        print(f"ranklens: {len(frame)} rows written to {output}")
    if not outputs:
        shown = (
            ["model", "name", "verdict", "value", "ci_low", "ci_high", "n"] if args.table == "checks" else list(frame)
        )
        print(frame[shown].round(3).to_string(index=False))
    return 0


def _gate_config(args: argparse.Namespace) -> GateConfig:
    """The gate settings of ``compare`` and ``render``: pyproject.toml's, allowed further by flags."""
    from ranklens.gate import load_gate_config

    return load_gate_config(
        args.ranklens_config,
        Path("pyproject.toml"),
        allow_mismatch=bool(args.ranklens_allow_mismatch),
        allow_missing=bool(args.ranklens_allow_missing),
    )


def _build_with_progress(name: str) -> Path:
    """A fixture model's directory, built first (with a progress bar on stderr) if it is missing."""
    from tqdm import tqdm

    from ranklens.zoo.registry import fixture_path

    try:
        return fixture_path(name, build=False)
    except RanklensError:
        pass  # not built yet: build it below, showing progress
    with tqdm(desc=f"building {name}", unit="step", leave=True) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        return fixture_path(name, progress=progress)


def _fixtures_build(args: argparse.Namespace, _: list[str]) -> int:
    from ranklens.zoo.registry import fixtures

    names = args.names or list(fixtures())
    unknown = [n for n in names if n not in fixtures()]
    if unknown:
        raise RanklensError(f"Unknown fixture model(s) {', '.join(unknown)}; known: {', '.join(fixtures())}.")
    for name in names:
        print(f"{name}: {_build_with_progress(name)}")
    return 0


def _fixtures_list(_: argparse.Namespace, __: list[str]) -> int:
    from ranklens.zoo.registry import fixture_path, fixtures

    for name, model in fixtures().items():
        try:
            where = str(fixture_path(name, build=False))
        except RanklensError:
            where = "not built"
        print(f"{name:20} {model.description}\n{'':20} {where}")
    return 0


def _fixtures_path(args: argparse.Namespace, _: list[str]) -> int:
    from ranklens.zoo.registry import fixture_path

    print(fixture_path(args.name))
    return 0
