"""``bytestack-sync force-unlock LEASE_ID``: remove a lock lease an apply left behind."""

from __future__ import annotations

from typing import TextIO

from bytestack_sync.apply.lock import force_release
from bytestack_sync.commands.workspace import open_client
from bytestack_sync.errors import EXIT_OK
from bytestack_sync.secrets import Redactor


def run(
    lease_id: str,
    *,
    api_url: str,
    out: TextIO,
    redactor: Redactor | None = None,
    debug: bool = False,
) -> int:
    """Delete the lease job ``lease_id``, which must be a lock lease."""
    redactor = Redactor() if redactor is None else redactor
    with open_client(api_url, redactor=redactor, debug=debug) as client:
        lease = force_release(client, lease_id)
    out.write(f"Released the workspace lock: lease job {lease.shown_id} of {lease.owner}.\n")
    return EXIT_OK
