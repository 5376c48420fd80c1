"""The pytest plugin (entry point ``pytest11``): options, session fixtures, recording, the report.

A product test asks for ``reranker`` and ``record_check``, measures a check, records its
:class:`~ranklens.verdicts.CheckResult` and ends on its verdict with
:func:`ranklens.testing.expect` (``inconclusive`` is skipped with its numbers)::

    from ranklens.testing import RecordFixture, expect

    @pytest.mark.ranklens_check("score_determinism", kind="invariant")
    def test_scores_are_deterministic(reranker, invariant_pairs, record_check: RecordFixture):
        expect(record_check(score_determinism(reranker, invariant_pairs)))

The JSON report (and the HTML page, with ``--ranklens-html``) is written at session end on the
controller, even when tests fail or error. With ``--ranklens-baseline`` the run is then gated: a
regressed check sets the session's exit status to 1 (tests failed) and the terminal summary
names each regressed check with its numbers; ``@pytest.mark.ranklens_tolerance(x)`` sets a
test's tolerance (see :mod:`ranklens.gate.config`).
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ranklens.errors import RanklensError
from ranklens.plugin import rootdir
from ranklens.plugin.axiom_fixtures import axiom_check, axiom_delta, axiom_family  # noqa: F401 - registers the suite fixtures
from ranklens.plugin.claim_fixtures import (  # noqa: F401 - registers the suite fixtures
    circuit_samples,
    passes_stmc1,
    progress_bar,
    soft_tf_claim,
)
from ranklens.plugin.completeness import WORKER_OUTPUT_KEY
from ranklens.plugin.options import OPTIONS, Settings
from ranklens.plugin.progress import terminal_progress
from ranklens.plugin.session import EXPECTS_PROPERTY, RanklensSession, record_properties
from ranklens.verdicts import CheckResult

if TYPE_CHECKING:  # the model stack and the gate are imported when a run needs them, not with the plugin
    from ranklens.gate import Baseline
    from ranklens.models import Pair, Reranker

_SESSION_KEY = pytest.StashKey[RanklensSession]()
_BUILD_ANNOUNCEMENT = (
    "no --model given, so the suites test the embedded default model {model}. It is not built yet: "
    "training it offline from the pretrained MiniLM weights takes about 6 minutes on 2 CPU cores, once; "
    "later runs reuse it from the cache (`ranklens fixtures list` shows where)."
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ranklens", "ranklens: test what a cross-encoder reranker computes")
    for option in OPTIONS:
        group.addoption(*option.pytest_flags, **option.argparse_kwargs())


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    """``pytest --model PATH`` must not take PATH for the rootdir (see :mod:`ranklens.plugin.rootdir`)."""
    rootdir.realign(early_config, args)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "ranklens_check(check_id, kind): the check a product test records (axiom, claim or invariant)"
    )
    config.addinivalue_line(
        "markers", "ranklens_tolerance(value): the gate's tolerance for this test's checks, in the effect's units"
    )
    try:
        settings = Settings.from_values(config.getoption)
        _use_cases(settings)
        baseline = None if _is_worker(config) else _baseline(settings, Path(config.rootpath))
    except (ValueError, RanklensError) as error:
        raise pytest.UsageError(f"ranklens: {error}") from error
    state = RanklensSession(settings, Path(config.rootpath), baseline)
    config.stash[_SESSION_KEY] = state
    if not _is_worker(config):
        config.pluginmanager.register(_ControllerHooks(state), "ranklens-controller")


def pytest_unconfigure(config: pytest.Config) -> None:
    from ranklens.data.sources import use_case_source

    use_case_source(None)  # an in-process pytest run (pytester) must not leave its cases behind


def _use_cases(settings: Settings) -> None:
    """Read ``--ranklens-cases`` now (controller and each worker), so a bad source is a usage
    error before the model loads; without it the built-in corpus is read when first needed."""
    from ranklens.data.sources import open_case_source, use_case_source

    use_case_source(None if settings.cases is None else open_case_source(settings.cases))


def _baseline(settings: Settings, rootdir: Path) -> Baseline | None:
    """The baseline and gate settings, parsed and checked before anything runs."""
    if settings.baseline_path is None:
        return None
    from ranklens.gate import Baseline, load_gate_config

    gate = load_gate_config(
        settings.config_path,
        rootdir / "pyproject.toml",
        allow_mismatch=settings.allow_mismatch,
        allow_missing=settings.allow_missing,
    )
    from ranklens.data.sources import active_source

    return Baseline.for_run(
        settings.baseline_path,
        gate,
        seed=settings.seed,
        sample_size=settings.sample_size,
        case_source=active_source().record(),
    )


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Load the model once, before any test: a checkpoint that cannot be used stops the session
    with one paragraph (cause and fix) and exit status 4, and leaves any earlier report intact."""
    config = session.config
    state = config.stash[_SESSION_KEY]
    state.completeness.select_paths(config.args, config.invocation_params.dir)
    if _is_worker(config) or not (state.settings.model or state.completeness.targets_product_suites):
        return  # e.g. the harness's own tests: a suite elsewhere loads the model when its fixture asks
    from ranklens.zoo.registry import DEFAULT_MODEL

    try:
        announcement = _BUILD_ANNOUNCEMENT.format(model=DEFAULT_MODEL)
        with terminal_progress(config, f"building {DEFAULT_MODEL}", announce=announcement) as progress:
            state.model_source(progress=progress)
        state.reranker()
        state.check_window()
    except Exception as error:  # any failure to load is the user's checkpoint, not a test result
        message = _load_failure(error, config)
        try:
            state.write_error_report(message)
        except (OSError, RanklensError) as write_error:
            message += f" (The error report could not be written either: {write_error}.)"
        raise pytest.UsageError(f"ranklens: {message}") from error
    if config.getoption("numprocesses", None):
        state.release_model()  # each xdist worker loads its own copy


def _load_failure(error: Exception, config: pytest.Config) -> str:
    """One paragraph: what failed to load and why; the traceback too with --ranklens-debug or -v."""
    message = " ".join(
        str(error).split()
        if isinstance(error, RanklensError)
        else (
            f"the model could not be loaded: {type(error).__name__}: {error}. This is not a problem ranklens "
            "recognises; check that the checkpoint loads with transformers' AutoModelForSequenceClassification, "
            "or run again with --ranklens-debug for the traceback."
        ).split()
    )
    if config.stash[_SESSION_KEY].settings.debug or config.get_verbosity() > 0:
        message += "\n" + "".join(traceback.format_exception(error))
    return message


def pytest_collection_finish(session: pytest.Session) -> None:
    """Note the checks this run is expected to record (each xdist worker sends its own list)."""
    state = session.config.stash[_SESSION_KEY]
    state.completeness.expect(session.items)
    if _is_worker(session.config):
        session.config.workeroutput[WORKER_OUTPUT_KEY] = state.completeness.worker_output()  # type: ignore[attr-defined]


def pytest_deselected(items: Sequence[pytest.Item]) -> None:
    if items:
        config = items[0].config
        config.stash[_SESSION_KEY].completeness.deselect(items)


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
        if report.skipped and not self.state.recorded(report.nodeid):
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            self.state.completeness.skip(report.nodeid, str(reason).removeprefix("Skipped: "))

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: object, error: object) -> None:
        """An xdist worker finished: merge the checks it collected."""
        output = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT_KEY)
        if output:
            self.state.completeness.merge(output)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        try:
            self.state.write_report(interrupted=interrupted)
        except (OSError, RanklensError) as error:
            self.report_error = str(error)
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
        comparison = self.state.comparison
        if comparison is not None and comparison.failed and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.report_error:
            terminalreporter.write_line(f"ranklens: could not write the report: {self.report_error}", red=True)
        if self.state.report_path is None:
            return
        counts: dict[str, int] = {}
        for record in self.state.records.values():
            counts[str(record.verdict)] = counts.get(str(record.verdict), 0) + 1
        summary = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items())) or "none"
        model = self.state.model_record()["id"]
        terminalreporter.section("ranklens")
        terminalreporter.write_line(f"{len(self.state.records)} checks on {model}: {summary}")
        target = self.state.report_target()
        if self.state.report_path != target:
            terminalreporter.write_line(
                f"this run is not complete ({self.state.status_reason}); the complete report at {target} "
                "was kept, and this run's report written beside it",
                yellow=True,
            )
        terminalreporter.write_line(f"JSON report: {self.state.report_path}")
        if self.state.html_path is not None:
            terminalreporter.write_line(f"HTML report: {self.state.html_path}")
        self._gate_summary(terminalreporter)

    def _gate_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        comparison, baseline = self.state.comparison, self.state.baseline
        if comparison is None or baseline is None:
            return
        from ranklens.gate import advisory_lines, failure_lines, headline, printable

        terminalreporter.section("ranklens gate")
        terminalreporter.write_line(f"{headline(comparison)} against {printable(str(baseline.path))}")
        for line in failure_lines(comparison):
            terminalreporter.write_line(line, red=True)
        for line in advisory_lines(comparison, baseline=str(baseline.path)):
            terminalreporter.write_line(line, yellow=True)
        if comparison.failed:
            terminalreporter.write_line("ranklens gate: FAILED against the baseline", red=True)


@pytest.fixture(scope="session")
def ranklens_settings(pytestconfig: pytest.Config) -> Settings:
    """The parsed ranklens options."""
    return pytestconfig.stash[_SESSION_KEY].settings


@pytest.fixture(scope="session")
def reranker(pytestconfig: pytest.Config) -> Reranker:
    """The model under test, loaded once per process; a bad model stops the session (exit 4)."""
    state = pytestconfig.stash[_SESSION_KEY]
    try:
        return state.reranker()
    except Exception as error:  # an xdist worker's own load; the controller already loaded it once
        pytest.exit(f"ranklens: {_load_failure(error, pytestconfig)}", returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.fixture
def record_check(request: pytest.FixtureRequest, reranker: Reranker) -> Callable[[CheckResult], CheckResult]:
    """Record a check's result in the report; returns it (with its test id) for the assertion."""
    marker = request.node.get_closest_marker("ranklens_check")
    if marker is not None:
        expected = {"check_id": marker.args[0], "kind": marker.kwargs.get("kind", "axiom")}
        request.node.user_properties.append((EXPECTS_PROPERTY, expected))
    tolerance = _marked_tolerance(request.node)

    def record(result: CheckResult) -> CheckResult:
        from ranklens.gate import MARKER_KEY

        if tolerance is not None:
            result = dataclasses.replace(result, threshold={**result.threshold, MARKER_KEY: tolerance})
        request.node.user_properties.extend(record_properties(result, request.node.nodeid))
        return result

    return record


def _marked_tolerance(node: pytest.Item) -> float | None:
    """The ``ranklens_tolerance`` marker's value (closest to the test wins), checked now."""
    marker = node.get_closest_marker("ranklens_tolerance")
    if marker is None:
        return None
    from ranklens.gate import parse_tolerance

    value = marker.args[0] if marker.args else marker.kwargs.get("value")
    return parse_tolerance(value, where=f"ranklens_tolerance marker of {node.nodeid}")


@pytest.fixture(scope="session")
def invariant_pairs(pytestconfig: pytest.Config) -> Sequence[Pair]:
    """A seeded sample of fixture pairs (relevant and not) for the scoring invariants."""
    return pytestconfig.stash[_SESSION_KEY].invariant_pairs()
