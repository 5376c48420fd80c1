"""All-heads patching sweeps: incremental and hook-based, against the naive loop and the forward floor.

Side by side on the same aligned cases (a query term vs a filler appended, ranklens.claims.samples),
for each place the circuit suite patches:

- ``query``: heads patched at the query positions (the soft-TF sweep);
- ``cls``: heads path-patched at [CLS], every other position held at the baseline in later layers
  (the scoring-head sweep);
- ``everywhere``: heads patched at every position (no claim uses it; the hardest case for the
  incremental path, which then has to recompute every position of every later layer).

Per route:

- **naive**: per case, one clean donor (and baseline) run, then one forward pass per head with
  that head patched (``Reranker.run_with_hooks`` + ``patch_heads``), batch size 1;
- **hooks**: ``clean_runs`` once, then ``sweep_heads(method="hooks")``: (case, head) rows stacked,
  each layer's rows resumed from the cached residual stream;
- **incremental**: the same with ``method="incremental"``, which on post-LN families recomputes only the
  positions a patch changed and that are read downstream;
- **floor** (once): plain forward passes over the rows a sweep patches, full depth, batched like
  the sweep: what a sweep would cost if patching were free and every layer were recomputed.

    python benchmarks/bench_circuits.py [--model DIR] [--cases 16] [--routes query cls everywhere]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
import torch
from bench_scoring import minilm_cross_encoder
from torch import Tensor

from ranklens import Reranker, load_reranker
from ranklens.claims.samples import circuit_cases
from ranklens.models import hook_name
from ranklens.models.clean_runs import MAX_ROWS, CleanRuns, clean_runs
from ranklens.models.hooks import FwdHooks, HookPoint
from ranklens.models.interventions import patch_heads
from ranklens.models.patching import Method, cls_positions, query_positions, similar_lengths, sweep_heads
from ranklens.strategies import CircuitCase

ROUTES = ("query", "cls", "everywhere")
T = TypeVar("T")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="checkpoint directory (default: MiniLM-L6 with a fresh head)")
    parser.add_argument("--cases", type=int, default=16)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--routes", nargs="+", choices=ROUTES, default=list(ROUTES))
    parser.add_argument("--repeats", type=int, default=2, help="each time is the best of this many runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        reranker = load_reranker(args.model or minilm_cross_encoder(Path(tmp)), device=args.device)
    cases = circuit_cases(reranker, n=args.cases, seed=0, split="discover").cases
    n_layers, n_heads = reranker.info.n_layers, reranker.info.n_heads
    print(
        f"model={reranker.info.id} layers={n_layers} heads={n_heads} cases={len(cases)} "
        f"patched runs per sweep={len(cases) * n_layers * n_heads} device={args.device} "
        f"threads={torch.get_num_threads()}"
    )
    runs = clean_runs(reranker, [c.baseline for c in cases], [c.perturbed for c in cases])
    floor_s = _best(args.repeats, lambda: _floor(reranker, runs))[1]
    print(f"forward floor {floor_s:.2f} s")
    for route in args.routes:
        positions, freeze = _route(reranker, runs, cases, route)
        naive, naive_s = _best(args.repeats, partial(_naive, reranker, cases, positions, freeze))
        timings: dict[Method, float] = {}
        methods: tuple[Method, ...] = ("hooks", "incremental")
        for method in methods:
            swept, timings[method] = _best(args.repeats, partial(_sweep, reranker, cases, route, method))
            print(f"  {route:10s} {method:11s} max |sweep - naive| = {np.abs(swept - naive).max():.2e}")
        print(
            f"{route:10s} naive {naive_s:6.2f} s | hooks {timings['hooks']:6.2f} s "
            f"({naive_s / timings['hooks']:.2f}x, {timings['hooks'] / floor_s:.3f} of floor) | "
            f"incremental {timings['incremental']:6.2f} s ({naive_s / timings['incremental']:.2f}x, "
            f"{timings['incremental'] / floor_s:.3f} of floor)   target naive/sweep >= 5"
        )


def _route(reranker: Reranker, runs: CleanRuns, cases: list[CircuitCase], route: str) -> tuple[Tensor, Tensor | None]:
    if route == "query":
        return query_positions(reranker, runs, [c.query for c in cases]), None
    if route == "cls":
        positions = cls_positions(runs)
        return positions, ~positions
    return torch.ones_like(runs.inputs["input_ids"], dtype=torch.bool), None


def _sweep(reranker: Reranker, cases: list[CircuitCase], route: str, method: Method) -> np.ndarray:
    runs = clean_runs(reranker, [c.baseline for c in cases], [c.perturbed for c in cases])
    positions, freeze = _route(reranker, runs, cases, route)
    return sweep_heads(reranker, runs, positions, freeze=freeze, method=method)


def _naive(reranker: Reranker, cases: list[CircuitCase], positions: Tensor, freeze: Tensor | None) -> np.ndarray:
    """One forward pass per head per case; ``positions`` and ``freeze`` are the sweep's masks."""
    n_layers, n_heads = reranker.info.n_layers, reranker.info.n_heads
    out = np.empty((len(cases), n_layers, n_heads))
    for i, case in enumerate(cases):
        base_batch = reranker.encode([case.baseline])
        width = base_batch.input_ids.shape[1]
        _, donor = reranker.run_with_cache(reranker.encode([case.perturbed]), None)
        held: FwdHooks = []
        if freeze is not None:
            names = [hook_name(layer, "hook_resid_post") for layer in range(n_layers)]
            _, base = reranker.run_with_cache(base_batch, names)
        for layer in range(n_layers):
            if freeze is not None:
                held = [(name, _hold(base[name], freeze[i : i + 1, :width])) for name in names[layer + 1 :]]
            for head in range(n_heads):
                hooks = [*patch_heads([(layer, head)], donor, positions=positions[i : i + 1, :width]), *held]
                out[i, layer, head] = reranker.run_with_hooks(base_batch, hooks)[0]
    return out


def _hold(base: Tensor, held: Tensor) -> Callable[[Tensor, HookPoint], Tensor]:
    return lambda hidden, _: torch.where(held[:, :, None], base, hidden)


def _floor(reranker: Reranker, runs: CleanRuns) -> None:
    n_layers, n_heads = reranker.info.n_layers, reranker.info.n_heads
    with torch.inference_mode():
        for _ in range(n_layers):
            for group in similar_lengths(runs, max(1, MAX_ROWS // n_heads)):
                chunk = torch.tensor(group).repeat_interleave(n_heads)
                width = int(runs.inputs["attention_mask"][chunk].sum(1).max())
                reranker.model(**{k: v[chunk, :width] for k, v in runs.inputs.items()}).logits.cpu()


def _best(repeats: int, run: Callable[[], T]) -> tuple[T, float]:
    """The result of ``run`` and its best time over ``repeats`` runs (the least disturbed by a shared machine)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return result, min(times)


if __name__ == "__main__":
    main()
