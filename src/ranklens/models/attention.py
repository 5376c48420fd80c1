"""Attention read-outs the claims share: how much a query term attends to given document tokens.

Patterns are ``[row, head, query_pos, key_pos]`` (``blocks.{l}.attn.hook_pattern``). A read-out
averages over the query positions holding the term and sums over the target key positions, so
"attention mass on the matches" is one number per row and head, as in Lu et al. (2025).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from torch import Tensor

from ranklens.models import Batch, Pair, Reranker, hook_name

Head = tuple[int, int]


def heads_best_first(values: np.ndarray) -> list[Head]:
    """Every (layer, head) of a ``[layer, head]`` array, highest value first (NaN last)."""
    layers, heads = np.unravel_index(np.argsort(-values, axis=None), values.shape)
    return list(zip(layers.tolist(), heads.tolist(), strict=True))


def term_mass(
    patterns: Mapping[int, Tensor],
    input_ids: Tensor,
    query_mask: Tensor,
    term_ids: Tensor,
    target: Tensor,
    heads: Sequence[Head],
) -> np.ndarray:
    """Mean over ``heads`` of the attention from the query positions holding ``term_ids[row]``
    to the ``target`` positions ``[row, pos]``: ``[row]``."""
    source = query_mask & (input_ids == term_ids[:, None])  # [row, pos]
    if not bool(source.any(dim=1).all()):
        raise ValueError("a row has no query position holding its term; build cases with the term in the query")
    per_head = []
    for layer, head in heads:
        pattern = patterns[layer][:, head].float()  # [row, q, k]
        to_target = (pattern * target[:, None, :]).sum(-1)  # [row, q]
        per_head.append((to_target * source).sum(-1) / source.sum(-1))
    return torch.stack(per_head).mean(0).double().cpu().numpy()


def patterns_of(reranker: Reranker, pairs: Sequence[Pair], layers: Sequence[int]) -> tuple[Batch, dict[int, Tensor]]:
    """One batch of ``pairs`` and its attention patterns at ``layers``."""
    batch = reranker.encode(pairs)
    _, cache = reranker.run_with_cache(batch, [hook_name(layer, "attn.hook_pattern") for layer in sorted(set(layers))])
    return batch, {int(name.split(".")[1]): pattern for name, pattern in cache.items()}


def query_mask_of(reranker: Reranker, batch: Batch, queries: Sequence[str]) -> Tensor:
    """``[row, pos]`` mask of each row's query tokens (after one leading special token)."""
    mask = torch.zeros_like(batch.input_ids, dtype=torch.bool)
    for row, query in enumerate(queries):
        n = len(reranker.tokenizer(query, add_special_tokens=False)["input_ids"])
        mask[row, 1 : 1 + n] = True
    return mask


def document_mask(batch: Batch, query_mask: Tensor, token_ids: Tensor) -> Tensor:
    """``[row, pos]`` mask of the positions after the query that hold ``token_ids[row]``."""
    after_query = torch.cumsum(query_mask.int(), dim=1) == query_mask.sum(1, keepdim=True)
    after_query &= ~query_mask
    return after_query & (batch.input_ids == token_ids[:, None])


def copies_mass(
    reranker: Reranker, pairs: Sequence[Pair], term_ids: Sequence[int], heads: Sequence[Head]
) -> np.ndarray:
    """Attention mass of ``heads`` from each row's query term (``term_ids[row]``) to its copies in
    the document: ``[row]``."""
    out = []
    for start in range(0, len(pairs), 64):
        chunk, chunk_terms = pairs[start : start + 64], term_ids[start : start + 64]
        batch, patterns = patterns_of(reranker, chunk, [layer for layer, _ in heads])
        query = query_mask_of(reranker, batch, [q for q, _ in chunk])
        ids = torch.tensor(list(chunk_terms), device=batch.input_ids.device)
        out.append(term_mass(patterns, batch.input_ids, query, ids, document_mask(batch, query, ids), heads))
    return np.concatenate(out)
