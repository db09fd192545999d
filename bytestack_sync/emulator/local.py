"""The in-process transport: the emulator answers without a socket.

It behaves like the socket server in the one way that matters to a client's retry
logic: a dropped write surfaces as the same transport error.
"""

from __future__ import annotations

import httpx

from bytestack_sync.emulator.app import EmulatorApp
from bytestack_sync.emulator.errors import ConnectionDropped

DROPPED_MESSAGE = "server disconnected without sending a response"


class LocalTransport(httpx.BaseTransport):
    """``httpx.WSGITransport`` over an EmulatorApp.

    ``default_key`` is sent as the bearer key when a request carries none, so a
    local emulator can be used without a key.
    """

    def __init__(self, app: EmulatorApp, *, default_key: str | None = None) -> None:
        self.app = app
        self._inner = httpx.WSGITransport(app=app)
        self._default_key = default_key

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._default_key and "authorization" not in request.headers:
            request.headers["Authorization"] = f"Bearer {self._default_key}"
        try:
            return self._inner.handle_request(request)
        except ConnectionDropped:
            raise httpx.RemoteProtocolError(DROPPED_MESSAGE, request=request) from None

    def close(self) -> None:
        self._inner.close()
