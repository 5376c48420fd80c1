"""Progress on the terminal from inside pytest, which captures output while tests run.

Each draw suspends pytest's capture, as pytest does for its debugger. The bar itself is off
where stderr is not a terminal (CI logs, xdist workers), so logs stay clean; an announcement
(what is being built and why) is printed either way, because a silent ten-minute step looks
like a hang.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

import pytest
from tqdm import tqdm

Progress = Callable[[int, int], None]


@contextmanager
def terminal_progress(config: pytest.Config, label: str, *, announce: str | None = None) -> Iterator[Progress]:
    """A ``progress(done, total)`` callback drawing a bar labelled ``label``; the bar (and the
    ``announce`` line before it) appears on the first call only, so a step that has nothing to
    do (a model already built) shows nothing."""
    capture = config.pluginmanager.getplugin("capturemanager")
    uncaptured: Callable[[], AbstractContextManager[object]] = (
        capture.global_and_fixture_disabled if capture is not None else nullcontext
    )
    bar: tqdm[object] | None = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        with uncaptured():
            if bar is None:
                if announce:
                    print(f"ranklens: {announce}", file=sys.stderr, flush=True)
                bar = tqdm(desc=f"ranklens: {label}", file=sys.stderr, disable=None, leave=False)
            bar.total, bar.n = total, done
            bar.refresh()

    try:
        yield update
    finally:
        if bar is not None:
            with uncaptured():
                bar.close()
