"""``build_minilm_ce``: sample, fine-tune, measure, save; one seeded pass with progress, never printing."""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from pathlib import Path

from ranklens.data.corpus import load_corpus
from ranklens.zoo.minilm_ce.dataset import flat_pairs, heldout_candidates, training_groups
from ranklens.zoo.minilm_ce.evaluation import evaluate_bm25, mean_metrics, per_query_metrics
from ranklens.zoo.minilm_ce.manifest import MANIFEST_FILE, manifest
from ranklens.zoo.minilm_ce.recipe import DEFAULT_RECIPE, DEFAULT_SEED, MiniLMCERecipe, base_model_dir
from ranklens.zoo.minilm_ce.training import initial_model, score_pairs, torch_session, train

Progress = Callable[[int, int], None]


def build_minilm_ce(
    directory: Path,
    *,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
    recipe: MiniLMCERecipe = DEFAULT_RECIPE,
    data_dir: Path | None = None,
) -> Path:
    """Fine-tune MiniLM into ``minilm-ce`` under ``directory``; same seed and recipe, same weights.

    ``progress(done, total)`` counts training steps then evaluation batches.
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    corpus = load_corpus(data_dir)
    groups = training_groups(corpus, recipe.training, random.Random(seed))
    candidates = heldout_candidates(corpus, recipe.heldout)
    pairs = flat_pairs(candidates)
    train_steps = math.ceil(len(groups) / recipe.training.queries_per_step)
    total = train_steps + math.ceil(len(pairs) / recipe.heldout.batch_size)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    with torch_session(recipe.training.num_threads):
        model, tokenizer = initial_model(base_model_dir(), seed)
        loaded = time.perf_counter()
        losses = train(model, tokenizer, groups, recipe.training, tick)
        trained = time.perf_counter()
        scores = score_pairs(
            model,
            tokenizer,
            pairs,
            batch_size=recipe.heldout.batch_size,
            max_length=recipe.training.max_length,
            tick=tick,
        )
        model_metrics = mean_metrics(per_query_metrics(candidates, scores, recipe.heldout.cutoff))
        bm25_metrics = evaluate_bm25(corpus, candidates, recipe.heldout)
        evaluated = time.perf_counter()
        model.save_pretrained(str(directory))
        tokenizer.save_pretrained(str(directory))
    timings = {
        "train_s": trained - loaded,
        "eval_s": evaluated - trained,
        "total_s": time.perf_counter() - started,
        "cpu_s": time.process_time() - cpu_started,
    }
    built = manifest(
        recipe=recipe,
        seed=seed,
        corpus=corpus,
        data_dir=data_dir,
        groups=groups,
        losses=losses,
        candidates=candidates,
        model_metrics=model_metrics,
        bm25_metrics=bm25_metrics,
        timings=timings,
    )
    (directory / MANIFEST_FILE).write_text(json.dumps(built, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return directory
