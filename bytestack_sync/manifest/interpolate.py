"""Interpolation of manifest string values: ``${VAR}``, ``${VAR:-default}``, ``${secret:VAR}``.

The rules live in ``bytestack_sync.templates``, a floor below both the manifest (which
resolves every value as it loads) and saved plans (which resolve a sensitive value's
template again at apply time); this module is the manifest's name for them.
"""

from __future__ import annotations

from bytestack_sync.templates import Resolved, resolve, resolve_template

__all__ = ["Resolved", "resolve", "resolve_template"]
