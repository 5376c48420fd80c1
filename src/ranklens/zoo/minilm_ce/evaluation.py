"""Held-out ranking quality: the metrics, and the BM25 baseline that ``minilm-ce`` is shown next to.

BM25 here is the project's one scorer (:mod:`ranklens.ir.bm25`) over the project's one stemmer,
so the manifest's baseline is the same BM25 the axioms and the cross-check reason about.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from ranklens.data.corpus import Corpus
from ranklens.ir import idf
from ranklens.ir.bm25 import Collection
from ranklens.ir.text import stem
from ranklens.zoo.minilm_ce.dataset import Candidates, flat_pairs
from ranklens.zoo.minilm_ce.recipe import DEFAULT_RECIPE, HeldoutEval, MiniLMCERecipe
from ranklens.zoo.minilm_ce.training import score_pairs, torch_session

BM25_IDF_FORMULA = idf.FORMULA
BM25_ANALYZER = (
    "lowercase, Unicode \\w+ tokens, ranklens.ir.text.stem (plural, -ing, -ed, -ly suffixes), no stopword list"
)

_TOKEN = re.compile(r"\w+")


def analyze(text: str) -> list[str]:
    """BM25's terms of ``text``, as :data:`BM25_ANALYZER` describes."""
    return [stem(t) for t in _TOKEN.findall(text.lower())]


def _gain_at(position: int, cutoff: int) -> float:
    return 1.0 / math.log2(position + 1) if position <= cutoff else 0.0


def ranking_metrics(scores: Sequence[float], relevant: Sequence[bool], cutoff: int = 10) -> dict[str, float]:
    """MRR@k and nDCG@k (binary gains), as expected values under uniformly random tie-breaking.

    Exact expectation rather than an arbitrary tie order, because BM25 gives many candidates
    the same score (often zero) and any fixed order would favour or penalise it.
    """
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    dcg, mrr, start = 0.0, 0.0, 1
    first_found = False
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and scores[order[j]] == scores[order[i]]:
            j += 1
        n, r = j - i, sum(relevant[k] for k in order[i:j])
        positions = range(start, start + n)
        dcg += r / n * sum(_gain_at(p, cutoff) for p in positions)
        if r and not first_found:
            # P(first relevant lands at offset o) = C(n-1-o, r-1) / C(n, r)
            mrr = sum(
                math.comb(n - 1 - o, r - 1) / math.comb(n, r) / (start + o) for o in range(n) if start + o <= cutoff
            )
            first_found = True
        start += n
        i = j
    ideal = sum(_gain_at(p, cutoff) for p in range(1, sum(relevant) + 1))
    return {f"mrr@{cutoff}": mrr, f"ndcg@{cutoff}": dcg / ideal if ideal else 0.0}


def mean_metrics(per_query: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Each metric averaged over queries, rounded to 4 places for the manifest."""
    keys = per_query[0].keys() if per_query else ()
    return {k: round(sum(m[k] for m in per_query) / len(per_query), 4) for k in keys}


def per_query_metrics(
    candidates: Sequence[Candidates], flat_scores: Sequence[float], cutoff: int
) -> list[dict[str, float]]:
    """:func:`ranking_metrics` of each candidate list, from scores in :func:`flat_pairs` order."""
    out, offset = [], 0
    for c in candidates:
        n = len(c.passages)
        out.append(ranking_metrics(flat_scores[offset : offset + n], [p.pid in c.relevant for p in c.passages], cutoff))
        offset += n
    return out


def evaluate_bm25(corpus: Corpus, candidates: Sequence[Candidates], config: HeldoutEval) -> dict[str, float]:
    """Mean metrics of BM25 on the candidate lists, with statistics from the whole passage collection."""
    collection = Collection.of(analyze(p.text) for p in corpus.passages)
    scores = [
        collection.score(analyze(q), analyze(p), k1=config.bm25_k1, b=config.bm25_b) for q, p in flat_pairs(candidates)
    ]
    return mean_metrics(per_query_metrics(candidates, scores, config.cutoff))


def evaluate_checkpoint(
    directory: Path, candidates: Sequence[Candidates], recipe: MiniLMCERecipe = DEFAULT_RECIPE
) -> dict[str, float]:
    """Mean metrics of a saved checkpoint on the candidate lists, scored as the build scores ``minilm-ce``.

    Same truncation (``recipe.training.max_length``), batching and thread count, so on the full
    lists it reproduces the manifest's numbers; on fewer lists it is a cheaper re-measurement.
    """
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    with torch_session(recipe.training.num_threads):
        tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(str(directory), local_files_only=True).eval()
        scores = score_pairs(
            model,
            tokenizer,
            flat_pairs(candidates),
            batch_size=recipe.heldout.batch_size,
            max_length=recipe.training.max_length,
        )
    return mean_metrics(per_query_metrics(candidates, scores, recipe.heldout.cutoff))
