"""Loading, scoring and internals of cross-encoder checkpoints."""

from ranklens.models.adapters import ADAPTERS, SUPPORTED_MODEL_TYPES, ArchitectureAdapter
from ranklens.models.cache import ScoreCache
from ranklens.models.hooks import SITES, HookPoint, hook_name
from ranklens.models.reranker import Batch, ModelInfo, Pair, Reranker, load_reranker

__all__ = [
    "ADAPTERS",
    "SITES",
    "SUPPORTED_MODEL_TYPES",
    "ArchitectureAdapter",
    "Batch",
    "HookPoint",
    "ModelInfo",
    "Pair",
    "Reranker",
    "ScoreCache",
    "hook_name",
    "load_reranker",
]
