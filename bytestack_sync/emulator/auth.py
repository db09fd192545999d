"""Bearer-key authentication and the workspace a key names.

Keys are held only as SHA-256 digests, so no key can reach a response, a log line,
an exception or the state file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bytestack_sync.emulator.errors import ApiFailure

KEY_SPEC_FORMAT = "KEY:WORKSPACE[:ro|:unpaid]"
_WORKSPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# ":ro" keys may only read; ":unpaid" keys get 402 on every request, so a client's
# handling of a billing problem can be tested.
_FLAGS = ("ro", "unpaid")
_CHALLENGE = (("WWW-Authenticate", 'Bearer realm="bytestack"'),)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: the workspace, whether it may write, and its rate-limit bucket."""

    workspace: str
    read_only: bool
    bucket: str
    unpaid: bool = False


@dataclass(frozen=True)
class KeySpec:
    key_digest: str
    workspace: str
    read_only: bool = False
    unpaid: bool = False


def split_key_spec(text: str) -> tuple[str, str, str]:
    """``(key, workspace, flag)``; a key may itself hold ``:``, the workspace is the
    last part that is not a flag."""
    body, _, flag = text.rpartition(":")
    if flag not in _FLAGS or body.count(":") < 1:
        body, flag = text, ""
    key, _, workspace = body.rpartition(":")
    return key, workspace, flag


def parse_key_spec(text: str, position: int = 1) -> KeySpec:
    """Parse ``KEY:WORKSPACE[:ro|:unpaid]``; an error names the position, never the key."""
    key, workspace, flag = split_key_spec(text)
    last = text.rpartition(":")[2]
    if last.lower() in _FLAGS and last not in _FLAGS:
        # "k:ws:RO" would otherwise be read as key "k:ws" in workspace "RO", writable.
        raise ValueError(f"key #{position}: the flag must be written {last.lower()!r}")
    if ":" not in text or not key.strip() or key != key.strip():
        raise ValueError(f"key #{position} is not of the form {KEY_SPEC_FORMAT}")
    if not _WORKSPACE.match(workspace):
        raise ValueError(
            f"key #{position}: workspace must be 1-64 letters, digits, '.', '_' or '-'"
        )
    return KeySpec(digest(key), workspace, read_only=flag == "ro", unpaid=flag == "unpaid")


def bearer_key(header: str | None) -> str:
    """The key in an ``Authorization: Bearer`` header; 401 when there is none."""
    if not header:
        raise ApiFailure(
            401,
            "missing Authorization header: send 'Authorization: Bearer <key>'",
            headers=_CHALLENGE,
        )
    scheme, _, key = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiFailure(401, "the Authorization header must be 'Bearer <key>'", headers=_CHALLENGE)
    return key.strip()


class KeyRing:
    """The accepted keys. Empty: any key is accepted and names its own workspace."""

    def __init__(self, specs: Sequence[str] = ()) -> None:
        parsed = [parse_key_spec(spec, n) for n, spec in enumerate(specs, start=1)]
        self._keys = {spec.key_digest: spec for spec in parsed}

    @property
    def open(self) -> bool:
        return not self._keys

    def authenticate(self, header: str | None) -> Principal:
        key_digest = digest(bearer_key(header))
        if self.open:
            return Principal(f"key-{key_digest}", False, key_digest)
        spec = self._keys.get(key_digest)
        if spec is None:
            raise ApiFailure(401, "invalid API key", headers=_CHALLENGE)
        return Principal(f"ws-{spec.workspace}", spec.read_only, key_digest, spec.unpaid)

    def __repr__(self) -> str:
        return f"KeyRing({len(self._keys)} keys)"
