"""``connect(api_url)``: the one place a command turns its ``--api-url`` into a Client.

``local`` and ``local:PATH`` run the emulator in this process, its state in a
SQLite file, so every command works offline with no server and no key. Anything
else is the URL of a real API, which needs a key from ``BITKIT_API_KEY``.

Nothing here is process-wide: the key reaches a redactor only when the caller
hands one in (the CLI hands in its run's), so a library caller leaves no trace.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bytestack_sync import contract
from bytestack_sync.api.auth import ApiKey
from bytestack_sync.api.client import Client
from bytestack_sync.errors import UsageError
from bytestack_sync.secrets import Redactor, derived_key, key_digest, shown_url, url_secrets

# The in-process emulator is reached through a transport, never a socket: this
# host name only makes the URLs in debug logs and errors read naturally.
LOCAL_BASE_URL = "http://local.emulator" + "/v1"
# Used when no key is set, so every local command sees the same workspace.
LOCAL_WORKSPACE_KEY = "bs_local_workspace"
# What a saved plan's signing key is derived from the API key with: the key itself is
# never stored, and a key derived for this one purpose cannot authenticate a request.
PLAN_SIGNATURE_CONTEXT = b"bytestack-sync plan signature v1"


def is_local(api_url: str) -> bool:
    return api_url == contract.LOCAL_API_URL or api_url.startswith(contract.LOCAL_API_URL + ":")


def local_state_path(api_url: str) -> Path:
    """The SQLite file of ``local`` / ``local:PATH``, relative to the working directory."""
    _, _, path = api_url.partition(":")
    return Path(path or contract.DEFAULT_LOCAL_STATE)


def _key_for(api_url: str, environ: Mapping[str, str]) -> ApiKey:
    """The key a command would send: ``BITKIT_API_KEY``, or the local default."""
    api_key = ApiKey(environ.get(contract.API_KEY_ENV))
    if is_local(api_url) and not api_key.reveal():
        return ApiKey(LOCAL_WORKSPACE_KEY)
    return api_key


def target_of(api_url: str, environ: Mapping[str, str] = os.environ) -> tuple[str, str]:
    """``(api url as shown, workspace)`` of ``api_url`` with the key in ``environ``.

    Local: ``local:ABSOLUTE-PATH`` and the name the emulator gives the key's workspace
    (its digest, shortened). Remote: the URL and a short fingerprint of the key.
    Never the key itself.
    """
    key_print = key_digest(_key_for(api_url, environ).reveal())
    if is_local(api_url):
        path = local_state_path(api_url).resolve()
        return f"{contract.LOCAL_API_URL}:{path}", f"key-{key_print}"
    return shown_url(api_url.rstrip("/")), f"key sha256:{key_print}"


def plan_signing_key(api_url: str, environ: Mapping[str, str] = os.environ) -> bytes:
    """The key that signs and verifies saved plans for ``api_url``: derived from the
    API key (HMAC with a fixed context), never stored. ``ApiKeyError`` when unset."""
    api_key = _key_for(api_url, environ).require()
    return derived_key(api_key.reveal(), PLAN_SIGNATURE_CONTEXT)


def connect(
    api_url: str,
    *,
    key: str | None = None,
    debug: bool = False,
    redactor: Redactor | None = None,
    **client_options: Any,
) -> Client:
    """A Client for ``api_url``; the key defaults to ``BITKIT_API_KEY``.

    ``redactor``, when given, learns the key and the password in the URL, so the streams
    it scrubs never show them.
    """
    api_key = ApiKey(key if key is not None else os.environ.get(contract.API_KEY_ENV))
    del key  # only the wrapper, whose repr hides it, stays in scope
    if redactor is not None:
        redactor.add(api_key.reveal(), *url_secrets(api_url))
    if is_local(api_url):
        return _local_client(api_url, api_key, debug=debug, options=client_options)
    _check_url(api_url)
    return Client(api_url, api_key, debug=debug, **client_options)


def _check_url(api_url: str) -> None:
    shown = shown_url(api_url)
    try:
        parts = urlsplit(api_url)
        scheme, host = parts.scheme, parts.hostname or ""
    except ValueError:
        scheme, host = "", ""
    if scheme not in ("http", "https") or not host:
        raise UsageError(
            f"invalid API URL {shown!r}: expected an https:// URL, "
            f"'{contract.LOCAL_API_URL}' or '{contract.LOCAL_API_URL}:PATH'"
        )
    if scheme == "http" and not contract.is_loopback_host(host):
        # The key would cross the network in clear text.
        raise UsageError(
            f"invalid API URL {shown!r}: plain http:// is allowed only for loopback hosts"
        )


def _local_client(api_url: str, api_key: ApiKey, *, debug: bool, options: dict[str, Any]) -> Client:
    # Imported here: only a local run needs the emulator loaded.
    from bytestack_sync.emulator.app import create_app
    from bytestack_sync.emulator.local import LocalTransport

    path = local_state_path(api_url)
    _ensure_state_directory(path)
    app = create_app(state=str(path))
    transport = _AppClosingTransport(LocalTransport(app), app.close)
    try:
        # No thread runs a local emulator: the runs that fell due since it was last
        # opened are caught up now, oldest first and boundedly.
        app.tick()
    except BaseException:
        transport.close()
        raise
    if not api_key.reveal():
        api_key = ApiKey(LOCAL_WORKSPACE_KEY)
    try:
        return Client(LOCAL_BASE_URL, api_key, transport=transport, debug=debug, **options)
    except BaseException:
        transport.close()
        raise


def _ensure_state_directory(path: Path) -> None:
    """The default state directory (``.bytestack``) is made on first use; any other
    must exist, so a typo in ``local:PATH`` does not silently start an empty
    workspace elsewhere."""
    if path.parent == Path(contract.DEFAULT_LOCAL_STATE).parent:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.parent.is_dir():
        raise UsageError(
            f"no such directory for the local emulator's state: {path.parent} "
            f"(create it first, or use '{contract.LOCAL_API_URL}' for {path.name} "
            f"under {Path(contract.DEFAULT_LOCAL_STATE).parent})"
        )


class _AppClosingTransport(httpx.BaseTransport):
    """Closes the emulator's state file with the client, so no SQLite handle lingers."""

    def __init__(self, inner: httpx.BaseTransport, close_app: Callable[[], None]) -> None:
        self._inner = inner
        self._close_app = close_app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(request)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._close_app()
