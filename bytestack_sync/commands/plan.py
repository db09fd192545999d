"""``bytestack-sync plan``: load the manifests, read the live workspace, show the changes.

The live workspace is read through the list endpoints only, one request per
page. ``--out`` saves the plan for ``apply FILE``; ``--detailed-exitcode`` makes
"changes pending" an exit code a CI job can branch on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from bytestack_sync.commands.workspace import (
    load_desired,
    open_client,
    plan_live,
    shows_warnings,
    sigterm_stops,
    target_for,
    warn,
)
from bytestack_sync.connect import plan_signing_key
from bytestack_sync.errors import EXIT_CHANGES_PENDING, EXIT_OK
from bytestack_sync.plan.savefile import write_plan
from bytestack_sync.printable import shown
from bytestack_sync.render import render
from bytestack_sync.secrets import Redactor


@sigterm_stops
def run(
    paths: Sequence[str],
    *,
    api_url: str,
    fmt: str,
    out_file: str | None,
    detailed_exitcode: bool,
    targets: Sequence[str],
    force: bool,
    out: TextIO,
    err: TextIO,
    color: bool,
    verbosity: int,
    redactor: Redactor,
    debug: bool,
) -> int:
    desired = load_desired(paths, force=force, redactor=redactor)
    with open_client(api_url, redactor=redactor, debug=debug) as client:
        plan = plan_live(client, desired, targets, redactor=redactor, target=target_for(api_url))
        if verbosity > 0:
            err.write(
                f"declared: {len(desired.jobs)} job(s), {len(desired.webhooks)} webhook(s); "
                f"live workspace read in {client.request_count} request(s); "
                f"managed live resources: {plan.managed_count}\n"
            )
            err.writelines(f"left alone: {shown(x.address)} ({x.why})\n" for x in plan.left_alone)
    if not shows_warnings(fmt, out):
        warn(plan.warnings, err)
    render(plan, fmt, out, color=color, warnings=False)
    if out_file is not None:
        write_plan(plan, out_file, signing_key=plan_signing_key(api_url))
        if verbosity >= 0 and plan.empty:
            err.write(f"Saved the plan to {out_file}; it has no changes to apply.\n")
        elif verbosity >= 0:
            err.write(f"Saved the plan to {out_file}; run `bytestack-sync apply {out_file}`.\n")
    if detailed_exitcode and not plan.empty:
        return EXIT_CHANGES_PENDING
    return EXIT_OK
