"""The model a run tests is resolved once, and reports name a built fixture by its name, not by its
cache directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from ranklens.zoo.registry import DEFAULT_MODEL, ModelSource, fixture_name, resolve_model


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


def test_a_model_the_user_names_is_loaded_and_reported_as_named(cache: Path) -> None:
    hub_id = "cross-encoder/ms-marco-MiniLM-L-12-v2"
    assert resolve_model(hub_id) == ModelSource(hub_id, hub_id)
    built = str(cache / "tiny-bert-0123456789ab")
    assert resolve_model(built) == ModelSource("tiny-bert", built)


def test_no_model_means_the_default_fixture_built_once(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []

    def fake_fixture_path(name: str, **_: object) -> Path:
        built.append(name)
        return cache / f"{name}-0123456789ab"

    monkeypatch.setattr("ranklens.zoo.registry.fixture_path", fake_fixture_path)
    assert resolve_model(None) == ModelSource(DEFAULT_MODEL, str(cache / f"{DEFAULT_MODEL}-0123456789ab"))
    assert built == [DEFAULT_MODEL]
