"""Several models sequentially (``ranklens run --model a --model b``) against the same on a local
Ray cluster (``--ray``): wall time of each, reports checked identical.

    python benchmarks/bench_ray.py [--model DIR ...] [--suite invariants --suite axioms] [--sample-size 20]

Default models: the tiny-bert and tiny-electra fixtures (built on first use, offline).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ranklens.plugin.runs import run_folder_names
from ranklens.zoo.registry import fixture_path


def timed_run(arguments: list[str], cwd: Path) -> float:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    start = time.perf_counter()
    command = [sys.executable, "-m", "ranklens.cli", "run", *arguments, "--", "-q", "-p", "no:randomly"]
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append")
    parser.add_argument("--suite", action="append")
    parser.add_argument("--sample-size", type=int, default=20)
    args = parser.parse_args()
    models = args.model or [str(fixture_path("tiny-bert")), str(fixture_path("tiny-electra"))]
    suites = args.suite or ["invariants", "axioms"]
    common = [*(f"--model={m}" for m in models), *(f"--suite={s}" for s in suites)]
    common.append(f"--sample-size={args.sample_size}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sequential = timed_run([*common, "--out", "seq"], folder)
        clustered = timed_run([*common, "--out", "ray", "--ray"], folder)
        same = all(
            (folder / "seq" / name / "report.json").read_bytes() == (folder / "ray" / name / "report.json").read_bytes()
            for name in run_folder_names(models)
        )
    print(
        f"{len(models)} models x {len(suites)} suites, {os.cpu_count()} CPUs: sequential {sequential:.1f} s, "
        f"local Ray {clustered:.1f} s (ratio {clustered / sequential:.2f}); reports identical: {same}"
    )


if __name__ == "__main__":
    main()
