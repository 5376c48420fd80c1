"""Where and in what precision a model runs: the ``--ranklens-device`` and ``--ranklens-dtype`` values.

Both functions only inspect torch's capabilities (no model is loaded, nothing is printed), so the
plugin and the CLI call them while parsing options and refuse a bad value before any work starts.
"""

from __future__ import annotations

import re

import torch

from ranklens.errors import ModelLoadError

DTYPES: dict[str, torch.dtype] = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
"""The precisions ranklens runs models in (float32 by default). Wider ones (float64) are not
supported: transformers' attention kernels and the hook code assume at most float32."""

_DEVICE = re.compile(r"(?P<type>cpu|cuda|mps)(?::(?P<index>\d+))?")
_ALLOWED_DEVICES = "cpu, cuda, cuda:N (N = a GPU index) or mps"


def resolve_device(device: str | torch.device | None) -> torch.device:
    """The torch device for ``device``; ``None`` means CUDA when available, else the CPU.

    Refuses a device this machine cannot run on now rather than at the first forward pass.
    """
    if device is None or device == "":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    parsed = _parse_device(device)
    if parsed.type == "cuda":
        _require_cuda(parsed, str(device))
    if parsed.type == "mps" and not torch.backends.mps.is_available():
        raise ModelLoadError(
            f"--ranklens-device {str(device)!r} asks for Apple's MPS, but MPS is not available on this machine or "
            "torch build; use --ranklens-device cpu (or cuda where a GPU is present)."
        )
    return parsed


def parse_dtype(dtype: str | torch.dtype | None) -> torch.dtype:
    """The torch dtype for ``dtype`` (a name such as ``"bfloat16"`` or a ``torch.dtype``); ``None`` is float32."""
    if dtype is None:
        return torch.float32
    if isinstance(dtype, torch.dtype) and dtype in DTYPES.values():
        return dtype
    if isinstance(dtype, str) and dtype in DTYPES:
        return DTYPES[dtype]
    name = str(dtype).removeprefix("torch.")
    raise ModelLoadError(
        f"dtype {name!r} is not supported: ranklens runs models in {', '.join(DTYPES)} (float32 by default). "
        "Pass --ranklens-dtype (dtype=) with one of those."
    )


def _parse_device(device: str | torch.device) -> torch.device:
    text = str(device)
    match = _DEVICE.fullmatch(text)
    if match is None:
        raise ModelLoadError(
            f"Unknown device {text!r}; ranklens runs on {_ALLOWED_DEVICES}. Pass --ranklens-device cpu, for example."
        )
    index = match.group("index")
    return torch.device(match.group("type"), int(index)) if index is not None else torch.device(match.group("type"))


def _require_cuda(device: torch.device, asked: str) -> None:
    if not torch.cuda.is_available():
        build = "a CPU-only build" if torch.version.cuda is None else f"built for CUDA {torch.version.cuda}"
        raise ModelLoadError(
            f"--ranklens-device {asked!r} asks for a GPU, but CUDA is not available in this torch build/machine "
            f"(torch {torch.__version__}, {build}); use --ranklens-device cpu or install a CUDA build of torch."
        )
    count = torch.cuda.device_count()
    if device.index is not None and device.index >= count:
        raise ModelLoadError(
            f"Device {asked!r} does not exist: this machine has {count} CUDA device(s) "
            f"({', '.join(f'cuda:{i}' for i in range(count))}). Pass one of those, or --ranklens-device cpu."
        )


__all__ = ["DTYPES", "parse_dtype", "resolve_device"]
