"""Seeded, pure-Python sampling of the examples ``minilm-ce`` trains and is measured on.

Negatives are chosen by topic (a structural notion of "close"), never by a lexical score, so no
relevance signal in training comes from a formula the model is later compared against.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ranklens.data.corpus import HELDOUT, TRAIN, Corpus, Passage, Query
from ranklens.zoo.minilm_ce.recipe import DEFAULT_RECIPE, HeldoutEval, TrainingRecipe


@dataclass(frozen=True)
class TrainingGroup:
    query: str
    passages: tuple[str, ...]  # relevant passage first


@dataclass(frozen=True)
class Candidates:
    query: Query
    passages: tuple[Passage, ...]
    relevant: frozenset[str]


def _by_topic(passages: Sequence[Passage]) -> dict[str, list[Passage]]:
    out: dict[str, list[Passage]] = {}
    for p in passages:
        out.setdefault(p.topic, []).append(p)
    return out


def sample_negatives(
    rng: random.Random,
    pool: Sequence[Passage],
    pool_by_topic: Mapping[str, Sequence[Passage]],
    topic: str,
    exclude: frozenset[str],
    n_hard: int,
    n_random: int,
) -> list[Passage]:
    """``n_hard`` same-topic negatives (topped up at random when the topic is small), then random ones."""
    same_topic = [p for p in pool_by_topic.get(topic, ()) if p.pid not in exclude]
    hard = rng.sample(same_topic, min(n_hard, len(same_topic)))
    taken = exclude | {p.pid for p in hard}
    rest = [p for p in pool if p.pid not in taken]
    return hard + rng.sample(rest, n_hard - len(hard) + n_random)


def training_groups(corpus: Corpus, recipe: TrainingRecipe, rng: random.Random) -> list[TrainingGroup]:
    """Groups for every training query, once per epoch, in shuffled order, negatives redrawn each epoch."""
    pool = corpus.passages_in(TRAIN)
    pool_by_topic = _by_topic(pool)
    texts = {p.pid: p.text for p in corpus.passages}
    relevant = corpus.relevant()
    groups = []
    for _ in range(recipe.epochs):
        queries = list(corpus.queries_in(TRAIN))
        rng.shuffle(queries)
        for q in queries:
            positives = sorted(relevant[q.qid])
            positive = rng.choice(positives)
            negatives = sample_negatives(
                rng, pool, pool_by_topic, q.topic, frozenset(positives), recipe.hard_negatives, recipe.random_negatives
            )
            groups.append(TrainingGroup(q.text, (texts[positive], *(p.text for p in negatives))))
    return groups


def heldout_candidates(corpus: Corpus, config: HeldoutEval = DEFAULT_RECIPE.heldout) -> list[Candidates]:
    """Candidate lists for every held-out query: its relevant passages plus held-out negatives, shuffled.

    Seeded by ``config.seed`` alone, so every model (and BM25) is measured on the same lists.
    """
    rng = random.Random(config.seed)
    pool = corpus.passages_in(HELDOUT)
    pool_by_topic = _by_topic(pool)
    by_id = corpus.passage_by_id()
    relevant = corpus.relevant()
    out = []
    for q in corpus.queries_in(HELDOUT):
        positives = frozenset(relevant[q.qid])
        negatives = sample_negatives(
            rng, pool, pool_by_topic, q.topic, positives, config.hard_negatives, config.random_negatives
        )
        passages = [by_id[pid] for pid in sorted(positives)] + negatives
        rng.shuffle(passages)
        out.append(Candidates(q, tuple(passages), positives))
    return out


def flat_pairs(candidates: Sequence[Candidates]) -> list[tuple[str, str]]:
    """Every (query, passage) pair of the candidate lists, list after list, in list order."""
    return [(c.query.text, p.text) for c in candidates for p in c.passages]
