"""A uniform, order-independent sample of a stream: the k items with the smallest key hash.

Why not a reservoir: a reservoir's sample depends on the order the file lists its passages in,
so re-sorting a corpus would change every case. Ranking by a hash of the id gives the same
uniform sample in any order, in one pass, holding only k items (a bottom-k sketch).
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")
SALT = b"ranklens-cases-v1"


def id_rank(key: str) -> int:
    """A stable pseudo-random rank of an id (the same in every process and on every machine)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8, key=SALT).digest(), "big")


class BottomK(Generic[T]):
    """Keeps the ``k`` offered items whose ids rank lowest."""

    def __init__(self, k: int) -> None:
        self.k = k
        self._heap: list[tuple[int, str, T]] = []  # max-heap on rank, through negation

    def offer(self, key: str, item: T) -> None:
        if self.k <= 0:
            return
        rank = id_rank(key)
        if len(self._heap) < self.k:
            heapq.heappush(self._heap, (-rank, key, item))
        elif -self._heap[0][0] > rank:
            heapq.heapreplace(self._heap, (-rank, key, item))

    def items(self) -> list[T]:
        """The kept items, lowest rank first."""
        return [item for _, _, item in sorted(self._heap, key=lambda entry: (-entry[0], entry[1]))]


def lowest_ranked(keys: Iterable[str], k: int) -> list[str]:
    """The ``k`` keys that rank lowest, lowest first."""
    sample: BottomK[str] = BottomK(k)
    for key in keys:
        sample.offer(key, key)
    return sample.items()
