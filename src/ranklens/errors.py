"""The errors ranklens raises for bad input.

Every message names the problem, echoes the offending value and says how to fix it; the CLI
and the pytest plugin print the message alone (no traceback) and exit non-zero.
"""

from __future__ import annotations


class RanklensError(Exception):
    """Base class: a problem with what the user asked for, not a bug in ranklens."""


class ModelLoadError(RanklensError):
    """The checkpoint could not be found, read or used as a cross-encoder."""


class UnsupportedArchitectureError(ModelLoadError):
    """The checkpoint is a cross-encoder, but no architecture adapter knows its internals."""


class PairTooLongError(RanklensError):
    """Some (query, document) pairs do not fit the model's window.

    Scoring them would silently score truncated text, so ranklens refuses. ``indices`` and
    ``lengths`` say which pairs and how long they are in tokens, so a caller can drop or shorten
    exactly those and keep the rest.
    """

    def __init__(self, indices: list[int], lengths: list[int], max_length: int) -> None:
        self.indices = indices
        self.lengths = lengths
        self.max_length = max_length
        shown = ", ".join(f"#{i} ({n} tokens)" for i, n in zip(indices[:5], lengths[:5], strict=False))
        more = f" and {len(indices) - 5} more" if len(indices) > 5 else ""
        super().__init__(
            f"{len(indices)} pair(s) do not fit the model's window of {max_length} tokens: "
            f"{shown}{more}. Shorten those documents, drop them (Reranker.fits() tells which), "
            "or load the model with a larger max_length if its position embeddings allow it."
        )


class InvalidPairError(RanklensError):
    """A pair whose query or document is not usable text (empty, blank or not a string)."""


class HookNameError(RanklensError, KeyError):
    """A hook point name that does not exist in this model."""

    def __str__(self) -> str:  # KeyError would wrap the message in quotes
        return str(self.args[0])


class CaseSourceError(RanklensError):
    """The ``--cases`` source cannot be read: a missing file, a malformed line, unknown ids."""
