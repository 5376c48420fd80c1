"""Loading, scoring and internals of cross-encoder checkpoints."""

from ranklens.models.adapters import ADAPTERS, SUPPORTED_MODEL_TYPES, ArchitectureAdapter
from ranklens.models.cache import ScoreCache
from ranklens.models.checkpoint import Checkpoint, locate_checkpoint
from ranklens.models.hooks import SITES, HookPoint, hook_name
from ranklens.models.loading import load_reranker
from ranklens.models.pairs import Pair, validate_pairs
from ranklens.models.placement import DTYPES, parse_dtype, resolve_device
from ranklens.models.reranker import Batch, ModelInfo, Reranker
from ranklens.models.window import check_max_length, window_of

__all__ = [
    "ADAPTERS",
    "DTYPES",
    "SITES",
    "SUPPORTED_MODEL_TYPES",
    "ArchitectureAdapter",
    "Batch",
    "Checkpoint",
    "HookPoint",
    "ModelInfo",
    "Pair",
    "Reranker",
    "ScoreCache",
    "check_max_length",
    "hook_name",
    "load_reranker",
    "locate_checkpoint",
    "parse_dtype",
    "resolve_device",
    "validate_pairs",
    "window_of",
]
