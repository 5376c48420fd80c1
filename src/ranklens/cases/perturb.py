"""Perturbation operators: pure functions from a document to a controlled variant of it.

They work on whole words at whitespace boundaries and never touch the rest of the text, so a
treatment and its control differ only in the inserted words; equal token length between the two
is the caller's contract (fillers are chosen with the same WordPiece count) and is checked by
the operators' property tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

Position = Literal["append", "prepend", "middle"]
POSITIONS: tuple[Position, ...] = ("append", "prepend", "middle")


def insert_words(document: str, inserted: Sequence[str], position: Position, *, offset: float = 0.5) -> str:
    """``document`` with ``inserted`` placed at its end, its start, or the word boundary nearest
    ``offset`` (a fraction of its length; callers draw it from their seed) for ``middle``."""
    if not inserted:
        return document
    words = document.split()
    at = {"append": len(words), "prepend": 0, "middle": round(offset * len(words))}[position]
    return " ".join([*words[:at], *inserted, *words[at:]])


def append_text(document: str, text: str) -> str:
    """``document`` followed by ``text`` as a new sentence."""
    return f"{document.rstrip()} {text.strip()}"


def repeat(document: str, times: int) -> str:
    """``document`` repeated ``times`` times (LNC2's "d concatenated with itself")."""
    return " ".join([document.strip()] * times)
