"""Unit tests load no model: one module's logic on plain data (tests/models/ is where models load)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

    from ranklens.strategies import CaseContext

MODEL_FIXTURES = frozenset({"tiny_checkpoint", "tiny_reranker", "planted_checkpoint", "planted_reranker", "reranker"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse, at collection, a unit test that asks for a model: it belongs in tests/models/."""
    for item in items:
        wanted = MODEL_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if wanted and "tests/unit/" in item.nodeid:
            raise pytest.UsageError(
                f"{item.nodeid} uses {sorted(wanted)}: a test that loads a model goes in tests/models/"
            )


@pytest.fixture(scope="session")
def tokenizer() -> PreTrainedTokenizerBase:
    """BERT-uncased WordPiece: case strategies need a tokenizer, not a model."""
    from ranklens.data.wordpiece import bert_wordpiece

    return bert_wordpiece()


@pytest.fixture(scope="session")
def ctx(tokenizer: PreTrainedTokenizerBase) -> CaseContext:
    """The case context of the built-in corpus under that tokenizer."""
    from ranklens.axioms.measure import tokenizer_case_context

    return tokenizer_case_context(tokenizer)
