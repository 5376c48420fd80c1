"""``ranklens``: run the suites from an installed package, and manage fixture models.

    ranklens run --model ./my-reranker --out reports/my-reranker
    ranklens fixtures build [NAME ...]      ranklens fixtures list      ranklens fixtures path NAME

Exit status: pytest's for ``run``; 0 on success and 2 on bad input otherwise. The CLI and the
plugin share one option table (:mod:`ranklens.plugin.options`); the CLI drops the
``--ranklens-`` prefix.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ranklens.errors import RanklensError
from ranklens.plugin.options import OPTIONS, Settings
from ranklens.resources import SUITES

EXIT_BAD_INPUT = 2


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
        if option.dest != "ranklens_json":
            run.add_argument(option.cli_flag, **option.argparse_kwargs())
    run.add_argument("--out", type=Path, default=Path("reports") / "latest", help="report directory")
    run.add_argument(
        "--suite",
        action="append",
        choices=SUITES,
        help="suite to run (repeatable; default: all)",
    )
    run.set_defaults(handler=_run)

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


def _run(args: argparse.Namespace, extra: list[str]) -> int:
    import pytest

    from ranklens.models.checkpoint import locate_checkpoint
    from ranklens.resources import suite_paths, suites_root

    settings = Settings.from_values(lambda dest: getattr(args, dest, None))
    if settings.model:
        locate_checkpoint(settings.model, revision=settings.revision, allow_pickle=settings.allow_pickle)
    out: Path = args.out
    json_path = out / "report.json"
    pytest_args = [
        *map(str, suite_paths(tuple(args.suite or SUITES))),
        *("-c", str(Path(__file__).with_name("suites.ini")), "--rootdir", str(suites_root())),
        *("--ranklens-json", str(json_path.resolve())),
    ]
    for option in OPTIONS:
        value = getattr(args, option.dest, None)
        if value is None or value is False:
            continue
        pytest_args += [option.flag] if value is True else [option.flag, str(value)]
    code = pytest.main([*pytest_args, *[a for a in extra if a != "--"]])
    if json_path.exists():
        print(f"ranklens: report written to {json_path}")
    return int(code)


def _fixtures_build(args: argparse.Namespace, _: list[str]) -> int:
    from tqdm import tqdm

    from ranklens.fixtures.registry import fixture_path, fixtures

    names = args.names or list(fixtures())
    unknown = [n for n in names if n not in fixtures()]
    if unknown:
        raise RanklensError(f"Unknown fixture model(s) {', '.join(unknown)}; known: {', '.join(fixtures())}.")
    for name in names:
        with tqdm(desc=f"building {name}", unit="step", leave=True) as bar:

            def progress(done: int, total: int, bar: tqdm = bar) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            path = fixture_path(name, progress=progress)
        print(f"{name}: {path}")
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
