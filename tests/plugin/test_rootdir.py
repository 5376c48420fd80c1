"""``pytest --model PATH``: the rootdir realignment, and its refusal where pytest's internals differ."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from ranklens.plugin.rootdir import model_value_taken_as_path, realign


@pytest.mark.parametrize(
    ("argv", "taken"),
    [
        (["--model", "m"], True),
        (["--ranklens-model", "m"], True),
        (["--ranklens-models", "models.txt"], True),
        (["--ranklens-json", "out.json"], True),
        (["--model=m"], False),
        (["--ranklens-debug", "axioms"], False),
        (["axioms"], False),
    ],
)
def test_only_a_two_word_value_option_is_taken_for_a_path(argv: list[str], taken: bool) -> None:
    assert model_value_taken_as_path(argv) is taken


def test_a_pytest_without_the_state_to_rewrite_is_refused_with_the_workaround() -> None:
    changed: Any = SimpleNamespace(invocation_params=SimpleNamespace(args=("--model", "m")))
    with pytest.raises(pytest.UsageError, match=r"Write --model=PATH"):
        realign(changed, [])
