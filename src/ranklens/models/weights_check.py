"""A cheap structural check of a ``.safetensors`` file: header and size only, no tensor is read.

A truncated download or an overwritten file otherwise surfaces deep inside transformers as a
``SafetensorError`` traceback. Reading the 8-byte length, the JSON header and the file size is
enough to tell that the file is damaged, in microseconds, before any weights are loaded.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

HEADER_LIMIT = 100_000_000
"""safetensors' own cap on the JSON header (bytes); a larger announced length means the file is not one."""

_DTYPE_BYTES = {
    "BOOL": 1,
    "U8": 1,
    "I8": 1,
    "F8_E4M3": 1,
    "F8_E5M2": 1,
    "I16": 2,
    "U16": 2,
    "F16": 2,
    "BF16": 2,
    "I32": 4,
    "U32": 4,
    "F32": 4,
    "I64": 8,
    "U64": 8,
    "F64": 8,
}


def safetensors_problem(file: Path) -> str | None:
    """What is structurally wrong with ``file`` as a safetensors file, or ``None`` when nothing is."""
    size = file.stat().st_size
    if size < 8:
        return f"it is {size} bytes long, too short for the 8-byte header length a safetensors file starts with"
    with file.open("rb") as stream:
        header_length = int.from_bytes(stream.read(8), "little")
        if header_length > min(size - 8, HEADER_LIMIT):
            return (
                f"its first 8 bytes announce a {header_length}-byte header, but the file holds {size} bytes "
                "(truncated, or not a safetensors file)"
            )
        raw = stream.read(header_length)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return "its header is not the JSON table of tensors a safetensors file starts with (overwritten or truncated)"
    if not isinstance(header, dict):
        return "its header is not the JSON table of tensors a safetensors file starts with"
    return _layout_problem(header, data_bytes=size - 8 - header_length)


def _layout_problem(header: dict[str, object], *, data_bytes: int) -> str | None:
    """Every tensor entry must be well formed and the tensors must exactly fill the data after the header."""
    end = 0
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        problem = _entry_problem(entry)
        if problem is not None:
            return f"the header entry of tensor {name!r} {problem}"
        assert isinstance(entry, dict)  # checked by _entry_problem
        end = max(end, int(entry["data_offsets"][1]))
    if end > data_bytes:
        return f"its header describes {end} bytes of tensor data but only {data_bytes} follow (the file is truncated)"
    if end < data_bytes:
        return f"{data_bytes - end} bytes follow the last tensor its header describes (the file was overwritten)"
    return None


def _entry_problem(entry: object) -> str | None:
    if not isinstance(entry, dict):
        return "is not a JSON object"
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if not (isinstance(shape, list) and all(isinstance(n, int) and n >= 0 for n in shape)):
        return f"has no valid shape ({shape!r})"
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(isinstance(n, int) for n in offsets)):
        return f"has no valid data_offsets ({offsets!r})"
    begin, end = offsets
    if not 0 <= begin <= end:
        return f"has data_offsets {offsets!r} that do not form a byte range"
    width = _DTYPE_BYTES.get(str(dtype))
    if width is not None and end - begin != math.prod(shape) * width:
        return f"spans {end - begin} bytes where a {dtype} tensor of shape {shape} needs {math.prod(shape) * width}"
    return None


__all__ = ["HEADER_LIMIT", "safetensors_problem"]
