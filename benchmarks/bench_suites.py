"""Wall time and peak resident memory of each suite, per model and sample size.

Each (model, suite, sample size) runs ``ranklens run --suite SUITE`` in a fresh process, as a user
runs it, and reports its wall time and the process's peak RSS (``ru_maxrss`` of the child). The
models: the ``minilm-ce`` fixture (6 layers x 12 heads, 384 wide) and a randomly initialised
12-layer, 768-wide BERT cross-encoder with minilm-ce's WordPiece tokenizer: the size of BERT-base
rerankers such as ``cross-encoder/ms-marco-electra-base``. Its verdicts mean nothing (random
weights); its cost is that of a real base-size model on the same cases. ``--sample-sizes`` are
values of ``ranklens run --sample-size`` (cases per check): how cost grows with them shows what
scales with cases and what with the model.

    python benchmarks/bench_suites.py [--models minilm-ce bert-base-random] [--sample-sizes 16 32]
        [--suites invariants axioms circuits] [--device cpu]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

from ranklens.resources import SUITES
from ranklens.zoo.registry import fixture_path


def bert_base_random(directory: Path) -> Path:
    """A random 12-layer, 768-wide BERT cross-encoder (one logit) with minilm-ce's tokenizer."""
    tokenizer = AutoTokenizer.from_pretrained(fixture_path("minilm-ce"))
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=768,
        num_hidden_layers=12,
        num_attention_heads=12,
        intermediate_size=3072,
        max_position_embeddings=512,
        num_labels=1,
    )
    BertForSequenceClassification(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


CHILD = """
import resource, sys
from ranklens.cli import main
try:
    code = main(sys.argv[2:])
finally:
    with open(sys.argv[1], "w") as peak:
        peak.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
sys.exit(code)
"""
"""``ranklens run`` in a process that records its own peak RSS (kB on Linux) when it ends."""


def run_suite(model: Path, suite: str, sample_size: int, device: str, out: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in GB, and exit status of one ``ranklens run --suite``."""
    peak_file = out.with_suffix(".rss")
    command = [
        *(sys.executable, "-c", CHILD, str(peak_file), "run", "--suite", suite, "--out", str(out)),
        *(f"--model={model}", f"--sample-size={sample_size}", f"--device={device}"),
        *("--", "-q"),
    ]
    start = time.perf_counter()
    offline = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=offline)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: some check failed, expected of a random model
        tail = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        raise RuntimeError(f"{suite} on {model} exited {done.returncode}:\n{tail}")
    return wall, int(peak_file.read_text()) / 1e6, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["minilm-ce", "bert-base-random"])
    parser.add_argument("--sample-sizes", nargs="+", type=int, default=[16, 32])
    parser.add_argument("--suites", nargs="+", default=list(SUITES), choices=SUITES)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = {
            "minilm-ce": fixture_path("minilm-ce"),
            "bert-base-random": bert_base_random(Path(tmp) / "bert-base-random"),
        }
        print(f"device={args.device} cores={os.cpu_count()}  (peak RSS: ru_maxrss of each ranklens process)")
        print(f"{'model':<18} {'suite':<11} {'cases':>5} {'wall s':>8} {'peak GB':>8} {'exit':>4}")
        for name in args.models:
            for size in args.sample_sizes:
                for suite in args.suites:
                    out = Path(tmp) / f"{name}-{suite}-{size}"
                    wall, peak, code = run_suite(paths.get(name, Path(name)), suite, size, args.device, out)
                    print(f"{name:<18} {suite:<11} {size:>5} {wall:>8.1f} {peak:>8.2f} {code:>4}", flush=True)


if __name__ == "__main__":
    main()
