"""Progress inside pytest: a long step announces itself once, and a step with nothing to do is silent."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from ranklens.plugin.progress import terminal_progress

WITHOUT_CAPTURE = SimpleNamespace(pluginmanager=SimpleNamespace(getplugin=lambda name: None))
"""A config with no capture manager: the helper then writes straight to stderr, where capsys sees
it (under pytest's own capture it suspends capture, as it must for a user to see it)."""


def test_a_build_announces_what_and_why_once_and_a_cached_model_says_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytestconfig: Any = WITHOUT_CAPTURE
    with terminal_progress(pytestconfig, "building m", announce="no --model given: building m") as progress:
        pass
    silent = capsys.readouterr().err
    with terminal_progress(pytestconfig, "building m", announce="no --model given: building m") as progress:
        progress(1, 3)
        progress(3, 3)
    said = capsys.readouterr().err
    assert (silent, said.count("ranklens: no --model given: building m")) == ("", 1), said
