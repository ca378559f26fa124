"""``popqa.stages.hand_back_free_memory``: what a stage freed goes back to the system between stages."""

from __future__ import annotations

import sys

import pytest

from popqa.stages import _malloc_trim, hand_back_free_memory


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux") or _malloc_trim() is None, reason="glibc only")
def test_freed_heap_pages_go_back():
    # 300 MB in 1 KB pieces (malloc's heap, not pymalloc's arenas or mmap), then one piece allocated after
    # them so that the heap's top cannot shrink by itself; the pieces freed stay in the process until trimmed
    pieces = [bytes(1024) + bytes([i % 251]) for i in range(300_000)]
    keep = bytes(1024) + b"x"
    del pieces
    before = _rss_mb()
    hand_back_free_memory()
    after = _rss_mb()
    assert len(keep) == 1025
    assert before - after > 150, (before, after)
