"""ranklens: a pytest harness that tests what a cross-encoder reranker computes."""

from importlib.metadata import PackageNotFoundError, version

from ranklens.errors import RanklensError
from ranklens.models import Reranker, ScoreCache, load_reranker

try:
    __version__ = version("ranklens")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = ["RanklensError", "Reranker", "ScoreCache", "__version__", "load_reranker"]
