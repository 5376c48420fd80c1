"""The pytest plugin (entry point ``pytest11``): options, session fixtures, recording, the report.

A product test asks for ``reranker`` and ``record_check``, measures a check, records its
:class:`~ranklens.verdicts.CheckResult` and asserts the verdict::

    @pytest.mark.ranklens_check("score_determinism", kind="invariant")
    def test_scores_are_deterministic(reranker, invariant_pairs, record_check):
        result = record_check(score_determinism(reranker, invariant_pairs))
        assert result.verdict == Verdict.PASS, result.message

The JSON report (and the HTML page, with ``--ranklens-html``) is written at session end on the
controller, even when tests fail or error. With ``--ranklens-baseline`` the run is then gated: a
regressed check sets the session's exit status to 1 (tests failed) and the terminal summary
names each regressed check with its numbers; ``@pytest.mark.ranklens_tolerance(x)`` sets a
test's tolerance (see :mod:`ranklens.gate.config`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from ranklens.errors import RanklensError
from ranklens.gate import MARKER_KEY, Baseline, Status, flagged_lines, headline, load_gate_config, parse_tolerance
from ranklens.models import Pair, Reranker
from ranklens.models.checkpoint import locate_checkpoint
from ranklens.plugin.circuits import circuit_samples, progress_bar, soft_tf_claim  # noqa: F401 - registers the suite fixtures
from ranklens.plugin.options import OPTIONS, Settings
from ranklens.plugin.session import EXPECTS_PROPERTY, RanklensSession, record_properties
from ranklens.plugin.suites import axiom_check, axiom_family  # noqa: F401 - registers the suite fixtures
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
    config.addinivalue_line(
        "markers", "ranklens_tolerance(value): the gate's tolerance for this test's checks, in the effect's units"
    )
    try:
        settings = Settings.from_values(config.getoption)
        baseline = None if _is_worker(config) else _baseline(settings, Path(config.rootpath))
    except (ValueError, RanklensError) as error:
        raise pytest.UsageError(f"ranklens: {error}") from error
    state = RanklensSession(settings, Path(config.rootpath), _default_model, baseline)
    config.stash[_SESSION_KEY] = state
    if not _is_worker(config):
        config.pluginmanager.register(_ControllerHooks(state), "ranklens-controller")


def _baseline(settings: Settings, rootdir: Path) -> Baseline | None:
    """The baseline and gate settings, parsed and checked before anything runs."""
    if settings.baseline_path is None:
        return None
    gate = load_gate_config(settings.config_path, rootdir / "pyproject.toml", allow_mismatch=settings.allow_mismatch)
    return Baseline.for_run(settings.baseline_path, gate, seed=settings.seed, sample_size=settings.sample_size)


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
        comparison = self.state.comparison
        if comparison is not None and comparison.regressed and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

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
        if self.state.html_path is not None:
            terminalreporter.write_line(f"HTML report: {self.state.html_path}")
        self._gate_summary(terminalreporter)

    def _gate_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        comparison, baseline = self.state.comparison, self.state.baseline
        if comparison is None or baseline is None:
            return
        terminalreporter.section("ranklens gate")
        terminalreporter.write_line(f"{headline(comparison)} against {baseline.path}")
        for line in flagged_lines(comparison, baseline=str(baseline.path)):
            regressed = line.startswith(Status.REGRESSED.upper())
            terminalreporter.write_line(line, red=regressed, yellow=not regressed)
        if comparison.regressed:
            terminalreporter.write_line("ranklens gate: FAILED, checks regressed against the baseline", red=True)


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
    tolerance = _marked_tolerance(request.node)

    def record(result: CheckResult) -> CheckResult:
        if tolerance is not None:
            result = dataclasses.replace(result, threshold={**result.threshold, MARKER_KEY: tolerance})
        request.node.user_properties.extend(record_properties(result, request.node.nodeid, reranker.info.to_dict()))
        return result

    return record


def _marked_tolerance(node: pytest.Item) -> float | None:
    """The ``ranklens_tolerance`` marker's value (closest to the test wins), checked now."""
    marker = node.get_closest_marker("ranklens_tolerance")
    if marker is None:
        return None
    value = marker.args[0] if marker.args else marker.kwargs.get("value")
    return parse_tolerance(value, where=f"ranklens_tolerance marker of {node.nodeid}")


@pytest.fixture(scope="session")
def invariant_pairs(pytestconfig: pytest.Config) -> Sequence[Pair]:
    """A seeded sample of fixture pairs (relevant and not) for the scoring invariants."""
    from ranklens.cases import sample_pairs

    settings = pytestconfig.stash[_SESSION_KEY].settings
    return sample_pairs(n=settings.sample_size or 64, seed=settings.seed)
