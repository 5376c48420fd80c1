"""Freed memory goes back to the system where the C library can do it."""

from __future__ import annotations

import gc
import platform
import sys
import weakref

import pytest

from ranklens.models import memory


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's"
)
def test_glibc_trim_is_found_so_the_release_is_not_a_silent_no_op() -> None:
    assert memory._malloc_trim() is not None


def test_release_frees_what_only_a_reference_cycle_holds_unless_told_not_to_collect() -> None:
    class Node:
        peer: object

    gc.disable()  # no automatic collection between the two releases
    try:
        node = Node()
        node.peer = node
        alive = weakref.ref(node)
        del node
        memory.release_freed_memory(collect_cycles=False)
        assert alive() is not None
        memory.release_freed_memory()
        assert alive() is None
    finally:
        gc.enable()
