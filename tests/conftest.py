"""Shared fixtures of the harness's own tests: tiny checkpoints built once per session, offline."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, settings

from ranklens import Reranker, load_reranker
from ranklens.zoo.tiny import build_tiny_checkpoint

os.environ["HF_HUB_OFFLINE"] = "1"  # tests never reach a hub


if "PYTEST_XDIST_WORKER_COUNT" in os.environ:
    # An xdist worker takes its share of the cores, in this process and in every subprocess a
    # test starts (they inherit the variable). Left at torch's default (every core), two workers
    # on two cores ran four busy threads: a claim's test took 3x longer beside the other worker
    # than alone. The controller sets nothing, so a user's own OMP_NUM_THREADS still wins.
    workers = int(os.environ["PYTEST_XDIST_WORKER_COUNT"])
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, len(os.sched_getaffinity(0)) // workers)))
    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))

# pytester restores sys.modules after each test that uses it, dropping the modules that test
# imported first. transformers decides whether a model's attention can be switched to eager by
# reading its modeling module from sys.modules, so a family first loaded inside such a test could
# never return attention patterns afterwards in that process. Import every family's module now.
for _family in ("bert", "electra", "roberta", "xlm_roberta", "distilbert", "modernbert", "deberta_v2"):
    importlib.import_module(f"transformers.models.{_family}.modeling_{_family}")
DEVICE = os.environ.get("RANKLENS_TEST_DEVICE", "cpu")
"""Where tests run models: CPU in CI; ``RANKLENS_TEST_DEVICE=cuda`` repeats them on a GPU."""

# Model forward passes are slow next to Hypothesis' default 200 ms deadline; examples stay few
# because each one is a forward pass. CI derandomizes so a red build reproduces.
settings.register_profile(
    "default", deadline=None, max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Build (once per session) a tiny random checkpoint of an architecture; returns its directory."""
    built: dict[tuple[str, int], Path] = {}

    def get(architecture: str, *, num_labels: int = 1) -> Path:
        key = (architecture, num_labels)
        if key not in built:
            directory = tmp_path_factory.mktemp(f"tiny-{architecture}-{num_labels}")
            built[key] = build_tiny_checkpoint(architecture, directory, num_labels=num_labels)
        return built[key]

    return get


@pytest.fixture(scope="session")
def planted_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """A planted fixture's directory per variant (``planted``, its lesions, ``random-init``), built
    once per session (about a second each, without the manifest's measurements)."""
    from ranklens.zoo.planted.build import build_planted

    built: dict[str, Path] = {}

    def get(variant: str) -> Path:
        if variant not in built:
            built[variant] = build_planted(tmp_path_factory.mktemp(variant), variant=variant, measure=False)
        return built[variant]

    return get


@pytest.fixture(scope="session")
def planted_reranker(planted_checkpoint: Callable[[str], Path]) -> Callable[[str], Reranker]:
    """A loaded planted fixture per variant, shared by the session (read-only use)."""
    loaded: dict[str, Reranker] = {}

    def get(variant: str) -> Reranker:
        if variant not in loaded:
            loaded[variant] = load_reranker(planted_checkpoint(variant), device=DEVICE)
        return loaded[variant]

    return get


@pytest.fixture(scope="session")
def tiny_reranker(tiny_checkpoint: Callable[..., Path]) -> Callable[[str], Reranker]:
    """A loaded tiny reranker per architecture, shared by the session (read-only use)."""
    loaded: dict[str, Reranker] = {}

    def get(architecture: str) -> Reranker:
        if architecture not in loaded:
            loaded[architecture] = load_reranker(tiny_checkpoint(architecture), device=DEVICE)
        return loaded[architecture]

    return get


@pytest.fixture(scope="session")
def device() -> str:
    return DEVICE


@pytest.fixture(scope="session")
def pairs() -> list[tuple[str, str]]:
    """A few pairs of different lengths (so batches need padding)."""
    return list(PAIRS)


PAIRS = [
    ("what do cats eat", "Cats are obligate carnivores and eat mostly meat."),
    ("capital of france", "Paris is the capital and largest city of France, on the Seine."),
    ("history of the printing press", "The printing press was invented in the fifteenth century by Gutenberg."),
    ("x", "A very short document."),
    ("how do volcanoes form", "Volcanoes form where magma from the mantle rises through the crust and erupts."),
]
