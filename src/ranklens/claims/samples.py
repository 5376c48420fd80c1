"""Aligned cases for the circuit claims: a query term appended against a filler appended.

Patching needs the two runs token-aligned, so a circuit case is stricter than an axiom case
(SCIENCE.md, Lu et al. 2025; Chen, Merullo, Eickhoff 2024):

- the term is a query word absent from the document, and it and the filler are each *one* token
  in context (so "the document positions holding the term" are exactly the inserted ones, and
  attention to them is one number per head);
- everything is appended, so baseline and perturbed differ only at the appended positions;
- the query must contain the term's token (a tokenizer that spells a word differently at the
  start of a text, as BPE does, would otherwise give no query position to read attention from).

Cases come from seeded pairs split **by query** into a discovery half and a confirmation half:
heads and neurons are selected on one and judged on the other, never on the same queries.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from transformers import PreTrainedTokenizerBase

from ranklens.cases import sample_pairs
from ranklens.cases.terms import query_terms
from ranklens.data.sources import active_source, filler_vocabulary
from ranklens.ir.text import surface_form, words
from ranklens.models import Pair, Reranker
from ranklens.models.attention import Head, copies_mass

Split = Literal["discover", "confirm"]
SOURCES_PER_CASE = 4
"""Source pairs drawn per wanted case: most pairs have a usable term, some fail a precondition."""


@dataclass(frozen=True)
class CircuitCase:
    """A query, a document without the term, and one-token ``term`` / ``filler`` to append."""

    query: str
    document: str
    term: str
    filler: str
    term_id: int
    filler_id: int

    def with_appended(self, tokens: Sequence[str]) -> str:
        return " ".join([self.document, *tokens])

    def tf_document(self, tf: int, total: int) -> str:
        """``tf`` copies of the term then ``total - tf`` fillers: equal length for every ``tf``."""
        return self.with_appended([self.term] * tf + [self.filler] * (total - tf))

    @property
    def baseline(self) -> Pair:
        return (self.query, self.tf_document(0, 1))

    @property
    def perturbed(self) -> Pair:
        return (self.query, self.tf_document(1, 1))


@dataclass(frozen=True)
class CaseSample:
    """The cases of one split and how many sources failed a precondition (reported, not hidden)."""

    cases: tuple[CircuitCase, ...]
    skipped: int


def query_split(seed: int) -> dict[str, Split]:
    """Each fixture query's half: a seeded permutation, so the halves are fixed per seed."""
    texts = sorted({q.text for q in active_source().corpus.queries})
    order = np.random.default_rng([seed, 11]).permutation(len(texts))
    return {texts[int(i)]: ("discover" if rank % 2 == 0 else "confirm") for rank, i in enumerate(order)}


def circuit_cases(reranker: Reranker, *, n: int, seed: int, split: Split) -> CaseSample:
    """Up to ``n`` aligned cases from the ``split`` half of the seeded fixture pairs."""
    halves = query_split(seed)
    sources = [p for p in sample_pairs(n=n * SOURCES_PER_CASE * 2, seed=seed) if halves[p[0]] == split]
    rng = np.random.default_rng([seed, zlib.crc32(split.encode())])
    single = _single_token_ids(reranker)
    cases: list[CircuitCase] = []
    skipped = 0
    for query, document in sources:
        if len(cases) == n:
            break
        case = _case(reranker, query, document, rng, single)
        if case is None:
            skipped += 1
        else:
            cases.append(case)
    return CaseSample(tuple(cases), skipped)


def unrelated_tokens(reranker: Reranker, query: str, count: int, rng: np.random.Generator) -> list[str] | None:
    """``count`` distinct one-token filler words sharing no token with ``query`` (length control)."""
    avoid = set(reranker.tokenizer(query, add_special_tokens=False)["input_ids"])
    pool = [w for w, token in _single_token_ids(reranker).items() if token not in avoid]
    if len(pool) < count:
        return None
    return [pool[int(i)] for i in rng.choice(len(pool), size=count, replace=False)]


def _case(
    reranker: Reranker, query: str, document: str, rng: np.random.Generator, single: dict[str, int]
) -> CircuitCase | None:
    tokenizer = reranker.tokenizer
    query_ids = tokenizer(query, add_special_tokens=False)["input_ids"]
    document_ids = set(tokenizer(document, add_special_tokens=False)["input_ids"])
    candidates = []
    for term in query_terms(query, document, absent=True):
        written = surface_form(term, query)
        ids = tokenizer(" " + written, add_special_tokens=False)["input_ids"]
        if len(ids) == 1 and ids[0] in query_ids and ids[0] not in document_ids:
            candidates.append((written, int(ids[0])))
    if not candidates:
        return None
    written, term_id = candidates[int(rng.integers(len(candidates)))]
    banned = set(query_ids) | document_ids
    pool = [w for w, token in single.items() if token not in banned and w not in words(query)]
    if not pool:
        return None
    filler = pool[int(rng.integers(len(pool)))]
    case = CircuitCase(query, document, written, filler, term_id, single[filler])
    return case if reranker.fits([case.perturbed])[0] else None


def _single_token_ids(reranker: Reranker) -> dict[str, int]:
    return _single_token_words(reranker.tokenizer, filler_vocabulary())


@functools.cache
def _single_token_words(tokenizer: PreTrainedTokenizerBase, vocabulary: tuple[str, ...]) -> dict[str, int]:
    """Filler-vocabulary words that are one token in context, with that token's id."""
    found: dict[str, int] = {}
    for word in vocabulary:
        ids = tokenizer(" " + word, add_special_tokens=False)["input_ids"]
        if len(ids) == 1:
            found[word] = int(ids[0])
    return found


def mass_by_tf(
    reranker: Reranker, cases: Sequence[CircuitCase], heads: Sequence[Head], tfs: Sequence[int]
) -> np.ndarray:
    """Mass on the term's copies with TF = each of ``tfs``, padded with fillers to one length: ``[case, tf]``."""
    total = max(tfs)
    docs = [(c.query, c.tf_document(k, total)) for c in cases for k in tfs]
    return copies_mass(reranker, docs, [c.term_id for c in cases for _ in tfs], heads).reshape(len(cases), len(tfs))
