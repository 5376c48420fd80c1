"""``ranklens``: run the suites from an installed package, gate and render reports, manage fixtures.

    ranklens run --model ./my-reranker --out reports/my-reranker [--baseline BASE.json]
    ranklens compare BASE.json NEW.json     ranklens render report.json -o report.html
    ranklens fixtures build [NAME ...]      ranklens fixtures list      ranklens fixtures path NAME

Exit status: pytest's for ``run`` (1 when a check regressed against ``--baseline``); for
``compare`` 0 when clean, 1 on a regression, 2 on bad input; 0 on success and 2 on bad input
otherwise. The CLI and the plugin share one option table (:mod:`ranklens.plugin.options`); the
CLI drops the ``--ranklens-`` prefix.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ranklens.errors import RanklensError
from ranklens.plugin.options import OPTIONS, Settings
from ranklens.resources import SUITES

EXIT_REGRESSION = 1
EXIT_BAD_INPUT = 2
_RUN_WRITES = ("ranklens_json", "ranklens_html")
"""Options ``run`` sets itself, from ``--out``."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "run":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return int(args.handler(args, extra))
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
        if option.dest not in _RUN_WRITES:
            run.add_argument(option.cli_flag, **option.argparse_kwargs())
    run.add_argument(
        "--out", type=Path, default=Path("reports") / "latest", help="report directory (report.json, report.html)"
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
        help="gate a report against a baseline: a table on stdout; exit 0 clean, 1 regression, 2 bad input",
    )
    compare.add_argument("baseline", type=Path, metavar="BASE.json")
    compare.add_argument("new", type=Path, metavar="NEW.json")
    _gate_arguments(compare)
    compare.set_defaults(handler=_compare)

    render = commands.add_parser("render", help="render a report.json as one self-contained HTML file")
    render.add_argument("report", type=Path, metavar="REPORT.json")
    render.add_argument("-o", "--output", type=Path, help="the HTML file (default: REPORT.html beside the JSON)")
    render.add_argument("--baseline", type=Path, metavar="BASE.json", help="include the gate's comparison with it")
    _gate_arguments(render)
    render.set_defaults(handler=_render)

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
        if option.dest in ("ranklens_allow_mismatch", "ranklens_config"):
            parser.add_argument(option.cli_flag, **option.argparse_kwargs())


def _run(args: argparse.Namespace, extra: list[str]) -> int:
    import pytest

    from ranklens.fixtures.registry import DEFAULT_MODEL
    from ranklens.models.checkpoint import locate_checkpoint
    from ranklens.resources import suite_paths, suites_root

    settings = Settings.from_values(lambda dest: getattr(args, dest, None))
    if settings.model:
        locate_checkpoint(settings.model, revision=settings.revision, allow_pickle=settings.allow_pickle)
    else:  # build the default model here, where a progress bar can be shown, not inside pytest
        args.ranklens_model = str(_build_with_progress(DEFAULT_MODEL))
    if args.ranklens_config is None and Path("pyproject.toml").is_file():
        args.ranklens_config = Path("pyproject.toml").resolve()  # the user's project, not the suites' rootdir
    out: Path = args.out
    json_path, html_path = out / "report.json", out / "report.html"
    pytest_args = [
        *map(str, suite_paths(tuple(args.suite or SUITES))),
        *("-c", str(Path(__file__).with_name("suites.ini")), "--rootdir", str(suites_root())),
        *("--ranklens-json", str(json_path.resolve()), "--ranklens-html", str(html_path.resolve())),
    ]
    for option in OPTIONS:
        value = getattr(args, option.dest, None)
        if value is None or value is False:
            continue
        pytest_args += [option.flag] if value is True else [option.flag, str(value)]
    code = pytest.main([*pytest_args, *[a for a in extra if a != "--"]])
    if json_path.exists():
        html = f" and {html_path}" if html_path.exists() else ""
        print(f"ranklens: report written to {json_path}{html}")
    return int(code)


def _compare(args: argparse.Namespace, _: list[str]) -> int:
    from ranklens.gate import compare_reports, load_gate_config, table
    from ranklens.report import read_report

    config = load_gate_config(args.ranklens_config, Path("pyproject.toml"), allow_mismatch=args.ranklens_allow_mismatch)
    comparison = compare_reports(read_report(args.baseline), read_report(args.new), config)
    print(table(comparison, baseline=str(args.baseline)))
    return EXIT_REGRESSION if comparison.regressed else 0


def _render(args: argparse.Namespace, _: list[str]) -> int:
    from ranklens.gate import compare_reports, load_gate_config
    from ranklens.report import read_report
    from ranklens.report.html import write_html

    report = read_report(args.report)
    comparison = None
    if args.baseline is not None:
        config = load_gate_config(
            args.ranklens_config, Path("pyproject.toml"), allow_mismatch=args.ranklens_allow_mismatch
        )
        comparison = compare_reports(read_report(args.baseline), report, config)
    output = args.output or args.report.with_suffix(".html")
    write_html(report, output, comparison=comparison, baseline=str(args.baseline or ""))
    print(f"ranklens: HTML report written to {output}")
    return 0


def _build_with_progress(name: str) -> Path:
    """A fixture model's directory, built first (with a progress bar on stderr) if it is missing."""
    from tqdm import tqdm

    from ranklens.fixtures.registry import fixture_path

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
    from ranklens.fixtures.registry import fixtures

    names = args.names or list(fixtures())
    unknown = [n for n in names if n not in fixtures()]
    if unknown:
        raise RanklensError(f"Unknown fixture model(s) {', '.join(unknown)}; known: {', '.join(fixtures())}.")
    for name in names:
        print(f"{name}: {_build_with_progress(name)}")
    return 0


def _fixtures_list(_: argparse.Namespace, __: list[str]) -> int:
    from ranklens.fixtures.registry import fixture_path, fixtures

    for name, model in fixtures().items():
        try:
            where = str(fixture_path(name, build=False))
        except RanklensError:
            where = "not built"
        print(f"{name:20} {model.description}\n{'':20} {where}")
    return 0


def _fixtures_path(args: argparse.Namespace, _: list[str]) -> int:
    from ranklens.fixtures.registry import fixture_path

    print(fixture_path(args.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
