"""Freed memory goes back to the system where the C library can do it."""

from __future__ import annotations

import platform
import sys

import pytest

from ranklens.models import memory


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's"
)
def test_glibc_trim_is_found_so_the_release_is_not_a_silent_no_op() -> None:
    assert memory._malloc_trim() is not None


def test_release_runs_with_and_without_collecting_cycles() -> None:
    memory.release_freed_memory()
    memory.release_freed_memory(collect_cycles=False)
