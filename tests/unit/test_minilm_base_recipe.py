"""The recipe hash of ``minilm-base`` (the untrained null of ``minilm-ce``) follows what decides its weights."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from ranklens.zoo.minilm_ce import recipe
from ranklens.zoo.minilm_ce.base import minilm_base_fingerprint, minilm_base_recipe_hash
from ranklens.zoo.minilm_ce.recipe import BASE_TOKENIZER_FILES, BASE_WEIGHTS_FILE, minilm_ce_recipe_hash
from ranklens.zoo.registry import fixtures


def test_the_hash_is_the_registered_one_and_canonical() -> None:
    first = minilm_base_recipe_hash()
    canonical = json.dumps(minilm_base_fingerprint(), sort_keys=True)
    assert (first, fixtures()["minilm-base"].recipe_hash()) == (hashlib.sha256(canonical.encode()).hexdigest(), first)


def test_the_hash_changes_with_the_seed_and_differs_from_minilm_ce() -> None:
    base = minilm_base_recipe_hash()
    assert minilm_base_recipe_hash(seed=14) != base
    assert base != minilm_ce_recipe_hash()


@pytest.mark.parametrize("changed", [BASE_WEIGHTS_FILE, "vocab.txt"])
def test_the_hash_changes_with_the_base_checkpoint(
    changed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy of the base checkpoint hashes the same; one byte more in its weights or vocabulary does not."""
    original = minilm_base_recipe_hash()
    source = recipe.base_model_dir()
    for name in (BASE_WEIGHTS_FILE, *BASE_TOKENIZER_FILES):
        if (source / name).exists():
            shutil.copyfile(source / name, tmp_path / name)
    monkeypatch.setattr(recipe, "base_model_dir", lambda: tmp_path)
    copied = minilm_base_recipe_hash()
    with (tmp_path / changed).open("ab") as f:
        f.write(b"\n")
    assert (copied == original, minilm_base_recipe_hash() != original) == (True, True)
