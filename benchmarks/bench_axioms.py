"""Axiom-suite wall time over the raw batched forward time of the same unique pairs.

The suite side runs the whole axiom family as the pytest fixture does (neutral-band calibration,
case building, one batched scoring call, statistics) on a cold cache. The raw side then runs
``model(**batch)`` over exactly the unique pairs the suite scored, pre-tokenised, in the same
length-sorted batches. Hypothesis counterexample searches are excluded: they are a separate,
bounded budget (ranklens.axioms.search.SEARCH_EVALUATIONS cases per axiom).

    python benchmarks/bench_axioms.py [--model DIR] [--sample-size 200]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch
from bench_scoring import minilm_cross_encoder, same_batches

from ranklens import ScoreCache, load_reranker
from ranklens.axioms import AXIOMS, calibrate_delta, measure_family, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="checkpoint directory (default: MiniLM-L6 with a fresh head)")
    parser.add_argument("--sample-size", type=int, default=200)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        reranker = load_reranker(args.model or minilm_cross_encoder(Path(tmp)), device=args.device)
    reranker.cache = ScoreCache()
    start = time.perf_counter()
    delta = calibrate_delta(reranker, seed=0)
    measured = measure_family(reranker, AXIOMS, seed=0, sample_size=args.sample_size, delta=delta)
    results(measured, delta=delta, seed=0)
    suite_s = time.perf_counter() - start
    pairs = [(query, document) for _, query, document, _ in reranker.cache.scores]
    batches = same_batches(reranker, pairs, reranker.batch_size)
    start = time.perf_counter()
    with torch.inference_mode():
        for batch in batches:
            reranker.model(**batch).logits.cpu()
    raw_s = time.perf_counter() - start
    cases = sum(len(m.cases) for m in measured)
    print(
        f"model={reranker.info.id} device={reranker.info.device} axioms={len(measured)} cases={cases} "
        f"unique pairs={len(pairs)} threads={torch.get_num_threads()}"
    )
    print(f"axiom suite {suite_s:.2f} s, raw forward over the same pairs {raw_s:.2f} s")
    print(f"ratio suite / raw = {suite_s / raw_s:.3f}  (target <= 1.25)")


if __name__ == "__main__":
    main()
