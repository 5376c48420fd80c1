"""ranklens: a pytest harness that tests what a cross-encoder reranker computes.

``Reranker``, ``ScoreCache``, ``load_reranker`` and the report tables (``read_report``,
``read_reports``) are imported on first use (PEP 562), so that importing ranklens (as pytest does
with every plugin it finds) imports neither torch nor pandas.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from ranklens.errors import RanklensError

if TYPE_CHECKING:
    from ranklens.models import Reranker, ScoreCache, load_reranker
    from ranklens.report.frames import read_report, read_reports

try:
    __version__ = version("ranklens")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

_LAZY = {
    "Reranker": "ranklens.models",
    "ScoreCache": "ranklens.models",
    "load_reranker": "ranklens.models",
    "read_report": "ranklens.report.frames",
    "read_reports": "ranklens.report.frames",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ranklens' has no attribute {name!r}")


__all__ = ["RanklensError", "Reranker", "ScoreCache", "__version__", "load_reranker", "read_report", "read_reports"]
