"""What a (query, document) pair must be before it is tokenised: two strings of visible text."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from ranklens.errors import InvalidPairError

Pair = tuple[str, str]


def validate_pairs(pairs: Sequence[Pair]) -> list[Pair]:
    """Check pairs are (str, str) of valid, visible text; the error names the first bad pair."""
    checked: list[Pair] = []
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise InvalidPairError(
                f"pair #{i} is {pair!r}; each pair must be a (query, document) tuple of two strings."
            )
        query, document = pair
        for role, text in (("query", query), ("document", document)):
            _check_text(i, role, text)
        checked.append((query, document))
    return checked


_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf"})
"""Unicode categories that carry no visible text: controls (NUL, BEL, ESC, ...) and format characters
(zero-width space and joiners, word joiner, byte-order mark, soft hyphen). A text made only of these
and whitespace is blank: tokenizers drop them, and the model would score an empty text."""


def _check_text(index: int, role: str, text: object) -> None:
    if not isinstance(text, str):
        raise InvalidPairError(f"pair #{index}: the {role} is {type(text).__name__} {text!r}, not a string.")
    surrogate = next((at for at, ch in enumerate(text) if 0xD800 <= ord(ch) <= 0xDFFF), None)
    if surrogate is not None:
        raise InvalidPairError(
            f"pair #{index}: the {role} holds a lone surrogate U+{ord(text[surrogate]):04X} at character {surrogate} "
            f"({text[max(0, surrogate - 12) : surrogate + 12]!r}), which is not valid Unicode and cannot be "
            'tokenised (it usually comes from bytes decoded with errors="surrogateescape"). Decode the text with '
            'errors="replace" or remove the code point.'
        )
    if all(ch.isspace() or unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in text):
        raise InvalidPairError(
            f"pair #{index}: the {role} is empty or blank ({text!r}: only whitespace, control or zero-width "
            "characters); a cross-encoder score of empty text is meaningless. Drop the pair or give it a "
            f"non-empty {role}."
        )
