"""Shell completion of ``--target`` values from the manifests named on the command line.

Completion must never fail or be slow to fail, so manifests are read leniently:
plain YAML, no interpolation, no validation; anything unreadable is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any


def _declared(document: Any) -> Iterator[str]:
    if not isinstance(document, dict):
        return
    for key, field, prefix in (("jobs", "name", "job"), ("webhooks", "url", "webhook")):
        items = document.get(key)
        if not isinstance(items, list):
            continue
        for item in items:
            value = item.get(field) if isinstance(item, dict) else None
            # A value built from ${...} is known only after interpolation, and may be a
            # secret: completion offers neither.
            if isinstance(value, str) and "${" not in value:
                yield f"{prefix}:{value}"


def target_candidates(paths: Sequence[str], incomplete: str) -> list[str]:
    """``job:NAME`` and ``webhook:URL`` for every declared resource starting with ``incomplete``."""
    import yaml

    from bytestack_sync.manifest.files import find_files, read_text

    found: set[str] = set()
    for file in find_files(paths or (".",)).files:
        text, _ = read_text(file)
        if text is None:
            continue
        try:
            documents = list(yaml.safe_load_all(text))
        except (yaml.YAMLError, RecursionError):
            continue
        for document in documents:
            found.update(_declared(document))
    return sorted(c for c in found if c.startswith(incomplete))
