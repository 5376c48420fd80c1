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
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ranklens.errors import RanklensError
from ranklens.plugin import rootdir
from ranklens.plugin.axiom_fixtures import axiom_check, axiom_delta, axiom_family  # noqa: F401 - registers the suite fixtures
from ranklens.plugin.claim_fixtures import (  # noqa: F401 - registers the suite fixtures
    circuit_samples,
    claim_check,
    passes_stmc1,
    progress_bar,
    soft_tf_claim,
)
from ranklens.plugin.completeness import WORKER_OUTPUT_KEY
from ranklens.plugin.options import OPTIONS, Settings
from ranklens.plugin.progress import terminal_progress
from ranklens.plugin.runs import ONLY, SessionRuns
from ranklens.plugin.session import EXPECTS_PROPERTY, ModelRun, invariant_pairs, record_properties
from ranklens.verdicts import CheckResult

if TYPE_CHECKING:  # the model stack and the gate are imported when a run needs them, not with the plugin
    from ranklens.gate import Baseline
    from ranklens.models import Pair, Reranker

_SESSION_KEY = pytest.StashKey[SessionRuns]()
MODEL_FIXTURE = "ranklens_model"
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
        rootdir = Path(config.rootpath)
        gate = None if _is_worker(config) else (lambda path: _baseline(settings, path, rootdir))
        state = SessionRuns(settings, rootdir, gate)
    except (ValueError, RanklensError) as error:
        raise pytest.UsageError(f"ranklens: {error}") from error
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


def _baseline(settings: Settings, path: Path, rootdir: Path) -> Baseline:
    """The baseline at ``path`` and the gate settings, parsed and checked before anything runs."""
    from ranklens.gate import Baseline, load_gate_config

    gate = load_gate_config(
        settings.config_path,
        rootdir / "pyproject.toml",
        allow_mismatch=settings.allow_mismatch,
        allow_missing=settings.allow_missing,
    )
    from ranklens.data.sources import active_source

    return Baseline.for_run(
        path,
        gate,
        seed=settings.seed,
        sample_size=settings.sample_size,
        case_source=active_source().record(),
    )


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Load each model once, before any test: a checkpoint that cannot be used stops the session
    with one paragraph (cause and fix) and exit status 4, and leaves any earlier report intact."""
    config = session.config
    state = config.stash[_SESSION_KEY]
    state.select_paths(config.args, config.invocation_params.dir)
    if _is_worker(config) or not (state.settings.models or state.targets_product_suites):
        return  # e.g. the harness's own tests: a suite elsewhere loads the model when its fixture asks
    for run in state:
        _load(run, config, several=state.several)
        if config.getoption("numprocesses", None) or state.several:
            run.release_model()  # each xdist worker loads its own copy; several models load one at a time


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """A check's working memory is free once it is torn down: hand it back to the system before
    the next check grows its own (:mod:`ranklens.models.memory`). Only product checks (a
    ``ranklens_check`` marker) hold enough to be worth the collection; torch is never imported
    for a session that loaded no model."""
    if item.get_closest_marker("ranklens_check") is not None and "ranklens.models" in sys.modules:
        from ranklens.models.memory import release_freed_memory

        release_freed_memory()


def _load(run: ModelRun, config: pytest.Config, *, several: bool) -> None:
    from ranklens.zoo.registry import DEFAULT_MODEL

    try:
        announcement = _BUILD_ANNOUNCEMENT.format(model=DEFAULT_MODEL)
        with terminal_progress(config, f"building {DEFAULT_MODEL}", announce=announcement) as progress:
            run.model_source(progress=progress)
        run.reranker()
        run.check_window()
    except Exception as error:  # any failure to load is the user's checkpoint, not a test result
        message = _load_failure(error, config)
        if several:
            message = f"{run.model}: {message} No model was tested; fix or drop this one and run again."
        try:
            run.write_error_report(message)
        except (OSError, RanklensError) as write_error:
            message += f" (The error report could not be written either: {write_error}.)"
        raise pytest.UsageError(f"ranklens: {message}") from error


@pytest.hookimpl(trylast=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """With several models, every test that uses the model runs once per model; the model's part
    of the id comes last (``[position=append-model=minilm-ce]``), after the test's own parameters."""
    state = metafunc.config.stash[_SESSION_KEY]
    if state.several and MODEL_FIXTURE in metafunc.fixturenames:
        names = list(state.runs)
        ids = [f"model={name}" for name in names]
        metafunc.parametrize(MODEL_FIXTURE, names, ids=ids, indirect=True, scope="session")


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
    state.expect(session.items)
    if _is_worker(session.config):
        session.config.workeroutput[WORKER_OUTPUT_KEY] = state.worker_output()  # type: ignore[attr-defined]


def pytest_deselected(items: Sequence[pytest.Item]) -> None:
    if items:
        config = items[0].config
        config.stash[_SESSION_KEY].deselect(items)


class _ControllerHooks:
    """Hooks of the process that writes the reports: merges records, writes JSON, summarises."""

    def __init__(self, state: SessionRuns) -> None:
        self.state = state
        self.report_errors: list[str] = []
        self.models_page: Path | None = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        run = self.state.of_test(report.nodeid)
        if run is None:
            return  # with several models, a test that does not use one records nothing
        failure = None
        if report.failed:
            crash = getattr(report.longrepr, "reprcrash", None)
            failure = getattr(crash, "message", None) or f"{report.when} failed"
        run.collect(report.nodeid, list(report.user_properties), failure)
        if report.skipped and not run.recorded(report.nodeid):
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            run.completeness.skip(report.nodeid, str(reason).removeprefix("Skipped: "))

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: object, error: object) -> None:
        """An xdist worker finished: merge the checks it collected."""
        output = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT_KEY)
        if output:
            self.state.merge(output)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Each model's report, gated against its baseline; one model's failure to write does
        not keep the others' reports from being written."""
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        for run in self.state:
            if self.state.several and not (run.records or run.completeness.expected):
                continue  # all its tests deselected (-k another model's name): this run did not test it
            try:
                run.write_report(interrupted=interrupted)
            except (OSError, RanklensError) as error:
                self.report_errors.append(f"{run.model_record()['id']}: {error}" if self.state.several else str(error))
        try:
            self.models_page = self.state.models_page()
        except (OSError, RanklensError) as error:
            self.report_errors.append(f"the side-by-side page: {error}")
        if self.report_errors:
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
        gate_failed = any(run.comparison is not None and run.comparison.failed for run in self.state)
        if gate_failed and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        for error in self.report_errors:
            terminalreporter.write_line(f"ranklens: could not write the report: {error}", red=True)
        written = [run for run in self.state if run.report_path is not None]
        if written:
            terminalreporter.section("ranklens")
        for run in written:
            _run_summary(run, terminalreporter)
        if self.models_page is not None:
            terminalreporter.write_line(f"the {len(written)} models side by side: {self.models_page}")
        for run in written:
            _gate_summary(run, terminalreporter)


def _run_summary(run: ModelRun, terminalreporter: pytest.TerminalReporter) -> None:
    counts: dict[str, int] = {}
    for record in run.records.values():
        counts[str(record.verdict)] = counts.get(str(record.verdict), 0) + 1
    summary = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items())) or "none"
    terminalreporter.write_line(f"{len(run.records)} checks on {run.model_record()['id']}: {summary}")
    target = run.report_target()
    if run.report_path != target:
        terminalreporter.write_line(
            f"this run is not complete ({run.status_reason}); the complete report at {target} "
            "was kept, and this run's report written beside it",
            yellow=True,
        )
    terminalreporter.write_line(f"JSON report: {run.report_path}")
    if run.html_path is not None:
        terminalreporter.write_line(f"HTML report: {run.html_path}")


def _gate_summary(run: ModelRun, terminalreporter: pytest.TerminalReporter) -> None:
    comparison, baseline = run.comparison, run.baseline
    if comparison is None or baseline is None:
        return
    from ranklens.gate import advisory_lines, failure_lines, headline, printable

    terminalreporter.section("ranklens gate" + ("" if run.folder is None else f": {run.model_record()['id']}"))
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
def ranklens_model(request: pytest.FixtureRequest) -> str:
    """The name of the model under test: its report folder's and test ids' name when the session
    tests several (pytest parametrizes every test that uses the model over them), else ``""``."""
    return str(getattr(request, "param", ONLY))


@pytest.fixture(scope="session")
def reranker(pytestconfig: pytest.Config, ranklens_model: str) -> Iterator[Reranker]:
    """The model under test, loaded once per process; a bad model stops the session (exit 4).
    With several models it is freed once its tests are done, before the next one loads."""
    state = pytestconfig.stash[_SESSION_KEY]
    run = state.run(ranklens_model)
    try:
        model = run.reranker()
    except Exception as error:  # an xdist worker's own load; the controller already loaded it once
        pytest.exit(f"ranklens: {_load_failure(error, pytestconfig)}", returncode=pytest.ExitCode.USAGE_ERROR)
    yield model
    if state.several:
        run.release_model()


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


@pytest.fixture(name="invariant_pairs", scope="session")
def invariant_pairs_fixture(pytestconfig: pytest.Config) -> Sequence[Pair]:
    """A seeded sample of fixture pairs (relevant and not) for the scoring invariants."""
    return invariant_pairs(pytestconfig.stash[_SESSION_KEY].settings)
