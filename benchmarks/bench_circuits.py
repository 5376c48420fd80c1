"""All-heads patching sweep: batched and resumed, against the naive loop and the forward floor.

Side by side on the same aligned cases (a query term vs a filler appended, ranklens.claims.cases):

- **naive**: per case, one clean donor run, then one forward pass per head with that head patched
  (``Reranker.run_with_hooks`` + ``patch_heads``), batch size 1;
- **sweep**: ``clean_runs`` once, then ``sweep_heads`` ((case, head) rows stacked, each layer's rows
  resumed from the cached residual stream);
- **floor**: plain forward passes over the rows the sweep patches, full depth, batched like the
  sweep (cases of similar length together): what it would cost if patching were free and every
  layer were recomputed.

    python benchmarks/bench_circuits.py [--model DIR] [--cases 16]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from bench_scoring import minilm_cross_encoder

from ranklens import load_reranker
from ranklens.claims.cases import circuit_cases
from ranklens.claims.patching import MAX_ROWS, clean_runs, similar_lengths, sweep_heads
from ranklens.models.interventions import patch_heads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="checkpoint directory (default: MiniLM-L6 with a fresh head)")
    parser.add_argument("--cases", type=int, default=16)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        reranker = load_reranker(args.model or minilm_cross_encoder(Path(tmp)), device=args.device)
    cases = circuit_cases(reranker, n=args.cases, seed=0, split="discover").cases
    baseline, donor = [c.baseline for c in cases], [c.perturbed for c in cases]
    n_layers, n_heads = reranker.info.n_layers, reranker.info.n_heads

    start = time.perf_counter()
    naive = np.empty((len(cases), n_layers, n_heads))
    for i in range(len(cases)):
        base_batch = reranker.encode([baseline[i]])
        _, source = reranker.run_with_cache(reranker.encode([donor[i]]), None)
        for layer in range(n_layers):
            for head in range(n_heads):
                naive[i, layer, head] = reranker.run_with_hooks(base_batch, patch_heads([(layer, head)], source))[0]
    naive_s = time.perf_counter() - start

    start = time.perf_counter()
    runs = clean_runs(reranker, baseline, donor)
    everywhere = torch.ones_like(runs.inputs["input_ids"], dtype=torch.bool)
    swept = sweep_heads(reranker, runs, everywhere)
    sweep_s = time.perf_counter() - start

    rows = len(cases) * n_layers * n_heads
    groups = similar_lengths(runs, max(1, MAX_ROWS // n_heads))
    start = time.perf_counter()
    with torch.inference_mode():
        for _ in range(n_layers):
            for group in groups:
                chunk = torch.tensor(group).repeat_interleave(n_heads)
                width = int(runs.inputs["attention_mask"][chunk].sum(1).max())
                reranker.model(**{k: v[chunk, :width] for k, v in runs.inputs.items()}).logits.cpu()
    floor_s = time.perf_counter() - start

    print(
        f"model={reranker.info.id} layers={n_layers} heads={n_heads} cases={len(cases)} "
        f"patched runs={rows} threads={torch.get_num_threads()} max |sweep - naive| = {np.abs(swept - naive).max():.2e}"
    )
    print(f"naive loop {naive_s:.2f} s, sweep {sweep_s:.2f} s, forward floor {floor_s:.2f} s")
    print(f"speed-up naive / sweep = {naive_s / sweep_s:.2f}  (target >= 5)")
    print(f"sweep / floor = {sweep_s / floor_s:.3f}  (< 1: resuming skips more than patching costs)")


if __name__ == "__main__":
    main()
