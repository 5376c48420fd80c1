"""Reports name a built fixture by its name, not by its cache directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from ranklens.zoo.registry import fixture_name


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RANKLENS_CACHE_DIR", str(tmp_path))
    (tmp_path / "fixtures").mkdir()
    return tmp_path / "fixtures"


def test_a_built_fixture_is_named_by_its_fixture_name(cache: Path) -> None:
    assert fixture_name(cache / "minilm-ce-65d2100e48df") == "minilm-ce"
    assert fixture_name(str(cache / "planted-no-idf-0123456789ab")) == "planted-no-idf"


@pytest.mark.parametrize(
    "where",
    [None, "", "cross-encoder/ms-marco-MiniLM-L-12-v2", "/elsewhere/minilm-ce-65d2100e48df"],
)
def test_anything_else_keeps_its_own_id(cache: Path, where: str | None) -> None:
    assert fixture_name(where) is None


def test_an_unknown_name_in_the_cache_is_not_a_fixture(cache: Path) -> None:
    assert fixture_name(cache / "my-model-65d2100e48df") is None
    assert fixture_name(cache / "minilm-ce-not-a-hash") is None
