"""Unit tests load no model: one module's logic on plain data (tests/models/ is where models load)."""

from __future__ import annotations

import pytest

MODEL_FIXTURES = frozenset({"tiny_checkpoint", "tiny_reranker", "planted_checkpoint", "planted_reranker", "reranker"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse, at collection, a unit test that asks for a model: it belongs in tests/models/."""
    for item in items:
        wanted = MODEL_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if wanted and "tests/unit/" in item.nodeid:
            raise pytest.UsageError(
                f"{item.nodeid} uses {sorted(wanted)}: a test that loads a model goes in tests/models/"
            )
