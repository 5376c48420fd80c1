"""What case strategies may consult: the model's tokenizer, word statistics, the case source's texts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ranklens.cases.terms import PieceCounter, PieceSplitter
from ranklens.data.word_stats import WordStatistics


@dataclass(frozen=True)
class CaseContext:
    """The tokenizer's view of words (for equal token lengths) and the texts to draw from."""

    count_pieces: PieceCounter
    pieces: PieceSplitter
    stats: WordStatistics
    queries: Sequence[str]
    passages: Sequence[str]
    _openings: dict[int, list[tuple[str, frozenset[str]]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Per sentence count: each passage's opening sentences and their WordPieces (built once)."""

    def openings(self, sentences: int) -> list[tuple[str, frozenset[str]]]:
        """Passages' first ``sentences`` sentences with their pieces as appended text (after a space,
        which is what a BPE tokenizer sees there)."""
        if sentences not in self._openings:
            openings = []
            for passage in self.passages:
                parts = [s.strip() for s in passage.split(". ") if s.strip()]
                if len(parts) >= sentences:
                    text = ". ".join(parts[:sentences]).rstrip(".") + "."
                    openings.append((text, frozenset(self.pieces(" " + text))))
            self._openings[sentences] = openings
        return self._openings[sentences]
