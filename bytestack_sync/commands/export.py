"""``bytestack-sync export [--out FILE]``: the live workspace as a manifest."""

from __future__ import annotations

from typing import TextIO

from bytestack_sync.commands.workspace import open_client
from bytestack_sync.errors import EXIT_OK
from bytestack_sync.export import export_manifest
from bytestack_sync.files import write_text_atomic
from bytestack_sync.secrets import Redactor


def run(
    *,
    api_url: str,
    out_file: str | None,
    out: TextIO,
    redactor: Redactor | None = None,
    debug: bool = False,
) -> int:
    """Read the live lists (list endpoints only) and write them as one manifest."""
    redactor = Redactor() if redactor is None else redactor
    with open_client(api_url, redactor=redactor, debug=debug) as client:
        jobs = client.jobs.list()
        webhooks = client.webhooks.list()
    text = export_manifest(jobs, webhooks)
    if out_file:
        # Atomic, so an interrupted export never leaves half a manifest to commit.
        write_text_atomic(out_file, text)
    else:
        out.write(text)
    return EXIT_OK
