"""bytestack-sync: declarative job sync for the ByteStack API.

The library API is what the command line itself calls::

    import bytestack_sync as bs

    loaded = bs.load_manifests(["bytestack/"])          # ManifestError: every problem
    with bs.connect("local:.bytestack/state.sqlite3") as client:
        plan = bs.make_plan(loaded.desired, client.jobs.list(), client.webhooks.list())
        report = bs.apply_plan(plan, client, desired=loaded.desired)

Each name is imported on first use (PEP 562), so ``import bytestack_sync`` (which
the command line does for ``--version``) loads nothing but this module.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Where each public name lives; read by ``__getattr__`` below.
_HOMES: dict[str, str] = {
    "load_manifests": "bytestack_sync.manifest.loader",
    "LoadedManifests": "bytestack_sync.manifest.loader",
    "make_plan": "bytestack_sync.plan.planner",
    "Plan": "bytestack_sync.plan.plan",
    "apply_plan": "bytestack_sync.apply.executor",
    "ApplyReport": "bytestack_sync.apply.report",
    "connect": "bytestack_sync.connect",
    "Client": "bytestack_sync.api.client",
    "DesiredState": "bytestack_sync.model",
    "BytestackSyncError": "bytestack_sync.errors",
    "ManifestError": "bytestack_sync.errors",
    "ApiError": "bytestack_sync.api.errors",
}

__all__ = [
    "ApiError",
    "ApplyReport",
    "BytestackSyncError",
    "Client",
    "DesiredState",
    "LoadedManifests",
    "ManifestError",
    "Plan",
    "__version__",
    "apply_plan",
    "connect",
    "load_manifests",
    "make_plan",
]

if TYPE_CHECKING:
    from bytestack_sync.api.client import Client
    from bytestack_sync.api.errors import ApiError
    from bytestack_sync.apply.executor import apply_plan
    from bytestack_sync.apply.report import ApplyReport
    from bytestack_sync.connect import connect
    from bytestack_sync.errors import BytestackSyncError, ManifestError
    from bytestack_sync.manifest.loader import LoadedManifests, load_manifests
    from bytestack_sync.model import DesiredState
    from bytestack_sync.plan.plan import Plan
    from bytestack_sync.plan.planner import make_plan


# Hidden from type checkers, which see the imports above: a misspelt name is then an
# error for them rather than an ``Any``.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module 'bytestack_sync' has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value  # once found, an ordinary attribute
        return value

    def __dir__() -> list[str]:
        return sorted(__all__)
