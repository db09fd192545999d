"""``bytestack-sync show PLANFILE``: a saved plan as text, JSON or markdown, offline.

The file is checked as ``apply FILE`` checks it (format, version, structure), but
no secret is resolved (each shows as its fingerprint) and no request is sent. The
signature is checked with the key in the environment when there is one: a file
whose signature does not match is refused, not shown, since a reviewer would be
reading changes nobody with the key made.
"""

from __future__ import annotations

import os
from typing import Any, TextIO

from bytestack_sync.api.errors import ApiKeyError
from bytestack_sync.commands.workspace import shows_warnings, warn
from bytestack_sync.connect import is_local, plan_signing_key
from bytestack_sync.contract import API_KEY_ENV
from bytestack_sync.errors import EXIT_OK, PlanFileError
from bytestack_sync.plan import savefile, signing
from bytestack_sync.render import render


def run(path: str, *, fmt: str, out: TextIO, err: TextIO, color: bool, verbosity: int) -> int:
    document = savefile.load_document(path)
    verdict = _signature(path, document)
    plan = savefile.plan_from_document(document, path, environ=None)
    # As `plan` does: warnings once, on stderr (a JSON or markdown document holds them).
    if not shows_warnings(fmt, out):
        warn(plan.warnings, err)
    render(plan, fmt, out, color=color, warnings=False)
    if verbosity >= 0:
        err.write(verdict + "\n")
    return EXIT_OK


def _signature(path: str, document: dict[str, Any]) -> str:
    """What can be said of the signature with the key at hand; refuses a mismatch."""
    target = document.get("target")
    api_url = target.get("api_url") if isinstance(target, dict) else None
    if not isinstance(api_url, str):
        raise PlanFileError(f"{path}: not a valid saved plan (it names no target)")
    try:
        key = plan_signing_key(api_url)
    except ApiKeyError:
        return f"Signature: not checked: {API_KEY_ENV} is not set."
    if not signing.verifies(document, key):
        raise PlanFileError(
            f"{path}: the saved plan's signature does not match the key in {API_KEY_ENV}: "
            "the file was changed after it was made, or made with another key"
        )
    if is_local(api_url) and not os.environ.get(API_KEY_ENV, "").strip():
        # No key: the emulator's default key signed it, which anyone can use.
        return "Signature: valid for the local emulator's default key (guards against accidents)."
    return f"Signature: valid for the key in {API_KEY_ENV}."
