"""``ranklens run --ray [ADDRESS]``: every (model, suite) job on a Ray worker, reports merged on the driver.

Ray schedules the jobs (a local cluster when no address is given; ``ray start --head`` on one
machine and ``ray start --address`` on the others for a real one). Each job is the one-suite run a
user could type, in its own process on its worker, with a GPU of its own where the cluster has
GPUs. The driver merges each model's suite reports into the report a single run writes
(:mod:`ranklens.report.merge`), gates it against ``--baseline`` there (a one-suite run alone
would always lack checks), and writes ``OUT/NAME/`` and ``OUT/models.html`` as a local run does.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ranklens.cli.many import refuse_single_report_paths
from ranklens.errors import RanklensError
from ranklens.plugin.runs import MODELS_PAGE, run_folder_names
from ranklens.resources import SUITES

if TYPE_CHECKING:
    from ranklens.report import Report

LOCAL = "local"
INSTALL = "pip install 'ranklens[ray]'"
Job = tuple[int, str | None, str]
"""A job's exit status, its report.json text (None when it wrote none) and the tail of its output."""


THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""Ray sets these to a task's CPU count (1). A sum over one thread rounds differently from the
same sum over several, so a job runs with the driver's values instead: on one machine the
cluster then reproduces a local run byte for byte."""


def suite_job(
    model: str | None, suite: str, options: Sequence[str], passthrough: Sequence[str], threads: Mapping[str, str]
) -> Job:
    """One suite on one model, as ``ranklens run`` runs it, in a scratch folder; its report's text."""
    environment = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES} | dict(threads)
    with tempfile.TemporaryDirectory(prefix="ranklens-job-") as scratch:
        command = [sys.executable, "-m", "ranklens.cli", "run", "--suite", suite, "--out", scratch, *options]
        command += [*(["--model", model] if model else []), "--", *passthrough]
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=environment)
        report = Path(scratch) / "report.json"
        text = report.read_text(encoding="utf-8") if report.is_file() else None
        return done.returncode, text, (done.stdout + done.stderr)[-4000:]


def run_on_ray(args: argparse.Namespace, options: Sequence[str], passthrough: Sequence[str]) -> int:
    """Submit every (model, suite), wait, merge, gate and write; the worst exit status."""
    refuse_single_report_paths(args)
    try:
        import ray
    except ImportError as error:
        raise RanklensError(f"--ray needs Ray, which is not installed: {INSTALL}.") from error
    models: list[str | None] = list(args.ranklens_model or [None])
    suites = list(args.suite or SUITES)
    ray.init(address=None if args.ray == LOCAL else args.ray, include_dashboard=False, log_to_driver=False)
    try:
        gpus = ray.cluster_resources().get("GPU", 0) >= 1  # type: ignore[no-untyped-call, unused-ignore]
        per_job = {"num_gpus": 1} if gpus else {"num_cpus": 1}
        job_options = [*options, *(["--device", "cuda"] if gpus and args.ranklens_device is None else [])]
        remote = ray.remote(suite_job).options(**per_job)
        threads = {k: os.environ[k] for k in THREAD_VARIABLES if k in os.environ}
        futures = {(m, s): remote.remote(m, s, job_options, passthrough, threads) for m in models for s in suites}
        jobs: dict[tuple[str | None, str], Job] = dict(zip(futures, ray.get(list(futures.values())), strict=True))
    finally:
        ray.shutdown()
    names = run_folder_names([m or "default" for m in models])
    codes = [code for code, _, _ in jobs.values()]
    written = []
    for model, name in zip(models, names, strict=True):
        parts = {suite: jobs[(model, suite)] for suite in suites}
        code, path = _write_model(args, parts, Path(args.out) / name)
        codes.append(code)
        if path is not None:
            written.append(path)
            print(f"ranklens: {model or 'default model'} -> {path}")
    if len(written) > 1:
        from ranklens.cli.views import write_models_page

        page = write_models_page(written, Path(args.out) / MODELS_PAGE)
        print(f"ranklens: {len(written)} models side by side in {page}")
    return max(codes)


def _write_model(args: argparse.Namespace, jobs: Mapping[str, Job], folder: Path) -> tuple[int, Path | None]:
    """Merge one model's suite reports, gate the result, write JSON and HTML; (exit status, path)."""
    from ranklens.plugin.session import destination
    from ranklens.report import plain, write_report
    from ranklens.report.html import write_html
    from ranklens.report.merge import merge_suite_reports

    parts: dict[str, dict[str, Any]] = {}
    for suite, (code, text, output) in jobs.items():
        if text is None:
            print(f"ranklens: the {suite} job wrote no report (exit {code}):\n{output}", file=sys.stderr)
        else:
            parts[suite] = json.loads(text)
    if not parts:
        return 4, None
    for suite in set(jobs) - set(parts):  # a job that wrote nothing fails the whole, as a crash would
        parts[suite] = {**next(iter(parts.values())), "checks": [], "missing": [], "status": "error",
                        "status_reason": f"the {suite} job wrote no report (exit {jobs[suite][0]})"}  # fmt: skip
    report = merge_suite_reports({suite: parts[suite] for suite in jobs})
    code = 0
    if args.ranklens_baseline is not None:
        report, code = _gated(args, report)
    target = destination(folder / "report.json", report.status)
    path = write_report(report, target)
    write_html(plain(report.to_dict()), target.with_suffix(".html"))
    return code, path


def _gated(args: argparse.Namespace, report: Report) -> tuple[Report, int]:
    """``report`` with the gate's comparison against ``--baseline``, and 1 when the gate failed."""
    from ranklens.gate import compare_reports, gate_record, load_gate_config
    from ranklens.report import plain, read_report

    config = load_gate_config(
        args.ranklens_config,
        Path("pyproject.toml"),
        allow_mismatch=bool(args.ranklens_allow_mismatch),
        allow_missing=bool(args.ranklens_allow_missing),
    )
    comparison = compare_reports(read_report(args.ranklens_baseline), plain(report.to_dict()), config)
    record = gate_record(comparison, baseline=str(args.ranklens_baseline))
    print("\n".join(comparison.failures) or f"ranklens gate: passed against {args.ranklens_baseline}")
    return dataclasses.replace(report, gate=record), int(comparison.failed)
