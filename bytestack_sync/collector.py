"""Pausing Python's cyclic garbage collector around allocation-heavy, cycle-free work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, restoring it afterwards.

    Loading a large manifest or planning against thousands of live resources
    allocates many small objects and frees few until the end; the collector would
    re-scan the growing heap again and again and find nothing to free. Neither
    builds cycles that outlive the call, so nothing is lost by collecting later.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
