"""A fingerprint of a checkpoint's weights, independent of device and dtype.

It hashes the weight files as stored, so two runs on the same checkpoint agree and any change of
weights changes it. It keys the score cache and tells a report's reader which weights it saw.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_WEIGHT_SUFFIXES = (".safetensors", ".bin")
_CHUNK = 1 << 20


def weights_fingerprint(directory: Path) -> str:
    """``sha256:<first 16 hex digits>`` over the names and bytes of the weight files."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.iterdir() if p.suffix in _WEIGHT_SUFFIXES and p.is_file()):
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    return f"sha256:{digest.hexdigest()[:16]}"
