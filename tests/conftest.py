"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees the developer's or CI's ByteStack settings."""
    for name in list(os.environ):
        if name.startswith(("BITKIT_", "BYTESTACK_")) or name in ("GITHUB_ACTIONS", "NO_COLOR"):
            monkeypatch.delenv(name, raising=False)
    yield
