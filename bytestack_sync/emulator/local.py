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
    """``httpx.WSGITransport`` over an EmulatorApp. A request without a key is
    answered 401, as over a socket: ``connect`` sends its local key itself."""

    def __init__(self, app: EmulatorApp) -> None:
        self._inner = httpx.WSGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return self._inner.handle_request(request)
        except ConnectionDropped:
            raise httpx.RemoteProtocolError(DROPPED_MESSAGE, request=request) from None

    def close(self) -> None:
        self._inner.close()
