"""The pytest plugin (entry point ``pytest11``): options, session fixtures, recording, the report.

A product test asks for ``reranker`` and ``record_check``, measures a check, records its
:class:`~ranklens.verdicts.CheckResult` and asserts the verdict::

    @pytest.mark.ranklens_check("score_determinism", kind="invariant")
    def test_scores_are_deterministic(reranker, invariant_pairs, record_check):
        result = record_check(score_determinism(reranker, invariant_pairs))
        assert result.verdict == Verdict.PASS, result.message

The JSON report is written at session end on the controller, even when tests fail or error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from ranklens.errors import RanklensError
from ranklens.models import Pair, Reranker
from ranklens.models.checkpoint import locate_checkpoint
from ranklens.plugin.options import OPTIONS, Settings
from ranklens.plugin.session import EXPECTS_PROPERTY, RanklensSession, record_properties
from ranklens.verdicts import CheckResult

_SESSION_KEY = pytest.StashKey[RanklensSession]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ranklens", "ranklens: test what a cross-encoder reranker computes")
    for option in OPTIONS:
        group.addoption(option.flag, **option.argparse_kwargs())


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "ranklens_check(check_id, kind): the check a product test records (axiom, claim or invariant)"
    )
    try:
        settings = Settings.from_values(config.getoption)
    except ValueError as error:
        raise pytest.UsageError(f"ranklens: {error}") from error
    state = RanklensSession(settings, Path(config.rootpath), _default_model)
    config.stash[_SESSION_KEY] = state
    if not _is_worker(config):
        config.pluginmanager.register(_ControllerHooks(state), "ranklens-controller")


def _default_model() -> str:
    from ranklens.fixtures.registry import DEFAULT_MODEL, fixture_path

    return str(fixture_path(DEFAULT_MODEL))


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail fast on a bad ``--model``: find and validate it before any test runs (no weights read)."""
    settings = session.config.stash[_SESSION_KEY].settings
    if settings.model and not _is_worker(session.config):
        try:
            locate_checkpoint(settings.model, revision=settings.revision, allow_pickle=settings.allow_pickle)
        except RanklensError as error:
            raise pytest.UsageError(f"ranklens: {error}") from error


class _ControllerHooks:
    """Hooks of the process that writes the report: merges records, writes JSON, summarises."""

    def __init__(self, state: RanklensSession) -> None:
        self.state = state
        self.report_error: str | None = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        failure = None
        if report.failed:
            crash = getattr(report.longrepr, "reprcrash", None)
            failure = getattr(crash, "message", None) or f"{report.when} failed"
        self.state.collect(report.nodeid, list(report.user_properties), failure)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        try:
            self.state.write_report()
        except (OSError, RanklensError) as error:
            self.report_error = str(error)
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.report_error:
            terminalreporter.write_line(f"ranklens: could not write the report: {self.report_error}", red=True)
        if not self.state.records:
            return
        counts: dict[str, int] = {}
        for record in self.state.records.values():
            counts[str(record.verdict)] = counts.get(str(record.verdict), 0) + 1
        summary = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items()))
        model = (self.state.model_info or {}).get("id", self.state.settings.model)
        terminalreporter.section("ranklens")
        terminalreporter.write_line(f"{len(self.state.records)} checks on {model}: {summary}")
        if self.state.report_path is not None:
            terminalreporter.write_line(f"JSON report: {self.state.report_path}")


@pytest.fixture(scope="session")
def ranklens_settings(pytestconfig: pytest.Config) -> Settings:
    """The parsed ranklens options."""
    return pytestconfig.stash[_SESSION_KEY].settings


@pytest.fixture(scope="session")
def reranker(pytestconfig: pytest.Config) -> Reranker:
    """The model under test, loaded once per process; a bad model stops the session (exit 4)."""
    try:
        return pytestconfig.stash[_SESSION_KEY].reranker()
    except RanklensError as error:
        pytest.exit(f"ranklens: {error}", returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.fixture
def record_check(request: pytest.FixtureRequest, reranker: Reranker) -> Callable[[CheckResult], CheckResult]:
    """Record a check's result in the report; returns it (with its test id) for the assertion."""
    marker = request.node.get_closest_marker("ranklens_check")
    if marker is not None:
        expected = {"check_id": marker.args[0], "kind": marker.kwargs.get("kind", "axiom")}
        request.node.user_properties.append((EXPECTS_PROPERTY, expected))

    def record(result: CheckResult) -> CheckResult:
        request.node.user_properties.extend(record_properties(result, request.node.nodeid, reranker.info.to_dict()))
        return result

    return record


@pytest.fixture(scope="session")
def invariant_pairs(pytestconfig: pytest.Config) -> Sequence[Pair]:
    """A seeded sample of fixture pairs (relevant and not) for the scoring invariants."""
    from ranklens.cases import sample_pairs

    settings = pytestconfig.stash[_SESSION_KEY].settings
    return sample_pairs(n=settings.sample_size or 64, seed=settings.seed)
