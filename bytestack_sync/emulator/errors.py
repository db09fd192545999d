"""The two ways a request can end other than with a normal response, and the one way
opening the emulator's state can fail."""

from __future__ import annotations

from collections.abc import Sequence

from bytestack_sync import contract


class ApiFailure(Exception):
    """An error response: the status, its documented ``code`` and a message for the caller."""

    def __init__(
        self, status: int, message: str, *, headers: Sequence[tuple[str, str]] = ()
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = tuple(headers)

    @property
    def code(self) -> str:
        return contract.ERROR_CODES.get(status_class(self.status), "internal_error")


def status_class(status: int) -> int:
    """The documented status whose code an error uses: another 4xx (405) counts as 400,
    another 5xx as 500."""
    if status in contract.ERROR_CODES:
        return status
    return 400 if 400 <= status < 500 else 500


class ConnectionDropped(Exception):
    """A write was committed, then the connection must close with no response.

    The socket server closes the connection without writing a byte; the in-process
    transport turns this into the same transport error a client sees over a socket.
    """

    def __init__(self) -> None:
        super().__init__("connection dropped after the write was committed")


class StateFileError(Exception):
    """A state file this version of the emulator cannot use (it is left as it was).

    Its own class, not one of ``bytestack_sync.errors``: the emulator shares only the
    contract with the client. The command line's error handler prints it as one line.
    """
